import { registerEnumType } from 'type-graphql';
import { badUserInput } from '../../shared/errors.js';

export enum SpendingCategory {
  GROCERIES = 'GROCERIES',
  DINING = 'DINING',
  TRANSPORT = 'TRANSPORT',
  HOUSING = 'HOUSING',
  UTILITIES = 'UTILITIES',
  HEALTH = 'HEALTH',
  SHOPPING = 'SHOPPING',
  ENTERTAINMENT = 'ENTERTAINMENT',
  TRAVEL = 'TRAVEL',
  EDUCATION = 'EDUCATION',
  SUBSCRIPTIONS = 'SUBSCRIPTIONS',
  CASH = 'CASH',
  FEES = 'FEES',
  OTHER = 'OTHER',
}
registerEnumType(SpendingCategory, {
  name: 'SpendingCategory',
  description:
    "What a payment was for. Card payments get one from the merchant category code (ISO 18245 MCC); a user can move a payment to another jar but not change the merchant's category.",
  valuesConfig: {
    UTILITIES: { description: 'Electricity, water, phone, internet.' },
    TRAVEL: { description: 'Flights, hotels, car rental.' },
    TRANSPORT: { description: 'Fuel, public transport, taxis, parking.' },
    SUBSCRIPTIONS: { description: 'Streaming, software and other recurring services.' },
    SHOPPING: { description: 'Clothing, electronics, general retail.' },
    OTHER: { description: 'Anything without a more specific category.' },
    HOUSING: { description: 'Rent, repairs, furniture.' },
    HEALTH: { description: 'Pharmacies, doctors, fitness.' },
    GROCERIES: { description: 'Supermarkets and food shops.' },
    FEES: { description: 'Bank and service fees.' },
    ENTERTAINMENT: { description: 'Cinema, events, games, hobbies.' },
    EDUCATION: { description: 'Schools, courses, books for study.' },
    DINING: { description: 'Restaurants, cafés, bars, food delivery.' },
    CASH: { description: 'Cash withdrawals.' },
  },
});

/** One row of the table: an inclusive range of codes. */
export interface MccRange {
  from: number;
  to: number;
  category: SpendingCategory;
}

const C = SpendingCategory;
const r = (from: number, to: number, category: SpendingCategory): MccRange => ({ from, to, category });

/*
 * The ISO 18245 codes a consumer meets, sorted and non-overlapping (a unit test holds it to that);
 * a code in no row is OTHER. Choices the standard leaves open: telecom and internet access are
 * UTILITIES (a monthly bill like power), pay TV and digital goods are SUBSCRIPTIONS, insurance and
 * government fees (taxes, fines, court costs) are FEES, rent and residential contractors are HOUSING,
 * fuel, parking, tolls and car repair are TRANSPORT, car rental and cruises are TRAVEL, money
 * orders and quasi-cash are CASH, gyms and betting are ENTERTAINMENT.
 */
export const MCC_TABLE: readonly MccRange[] = [
  r(1520, 1520, C.HOUSING), // general contractors, residential
  r(1711, 1799, C.HOUSING), // plumbing, electrical, roofing, other trade contractors
  r(3000, 3350, C.TRAVEL), // airlines
  r(3351, 3500, C.TRAVEL), // car rental agencies
  r(3501, 3999, C.TRAVEL), // hotels
  r(4111, 4131, C.TRANSPORT), // commuter transport, rail, taxis (4121), bus lines
  r(4411, 4411, C.TRAVEL), // cruise lines
  r(4457, 4457, C.ENTERTAINMENT), // boat rentals
  r(4511, 4511, C.TRAVEL), // airlines not listed above
  r(4582, 4582, C.TRAVEL), // airports
  r(4722, 4723, C.TRAVEL), // travel agencies, tour operators
  r(4784, 4789, C.TRANSPORT), // tolls, transportation services
  r(4812, 4816, C.UTILITIES), // telecom equipment and services, internet access
  r(4821, 4821, C.UTILITIES), // telegraph
  r(4829, 4829, C.CASH), // wire transfers, money orders
  r(4899, 4899, C.SUBSCRIPTIONS), // cable, satellite and pay TV, streaming
  r(4900, 4900, C.UTILITIES), // electric, gas, water, sanitary
  r(5200, 5299, C.SHOPPING), // home supply, hardware, garden
  r(5300, 5399, C.SHOPPING), // wholesale clubs, discount (5310) and department (5311) stores
  r(5400, 5499, C.GROCERIES), // grocery stores (5411), bakeries, convenience and specialty food
  r(5531, 5533, C.SHOPPING), // auto and home supply, tires, parts
  r(5541, 5542, C.TRANSPORT), // service stations, automated fuel dispensers
  r(5600, 5699, C.SHOPPING), // clothing and shoes
  r(5700, 5799, C.SHOPPING), // furniture, appliances, electronics (5732), music, software
  r(5811, 5814, C.DINING), // caterers, restaurants, bars, fast food
  r(5815, 5818, C.SUBSCRIPTIONS), // digital goods: media, games, apps
  r(5912, 5912, C.HEALTH), // drug stores and pharmacies
  r(5921, 5921, C.GROCERIES), // package stores: beer, wine, liquor
  r(5931, 5959, C.SHOPPING), // used goods, sporting goods, books, jewelry, toys, gifts
  r(5960, 5960, C.FEES), // direct marketing of insurance
  r(5961, 5967, C.SHOPPING), // mail order, catalogs, other direct marketing
  r(5968, 5968, C.SUBSCRIPTIONS), // continuity and subscription merchants
  r(5969, 5974, C.SHOPPING), // direct marketing, art and hobby supplies
  r(5975, 5976, C.HEALTH), // hearing aids, orthopedic goods
  r(5977, 5982, C.SHOPPING), // cosmetics
  r(5983, 5983, C.UTILITIES), // heating fuel dealers
  r(5984, 5999, C.SHOPPING), // florists, pet shops, miscellaneous retail
  r(6010, 6011, C.CASH), // cash at a counter, ATMs
  r(6012, 6012, C.FEES), // financial institutions: merchandise and services
  r(6051, 6051, C.CASH), // quasi-cash: foreign currency, money orders, crypto
  r(6300, 6399, C.FEES), // insurance premiums
  r(6513, 6513, C.HOUSING), // real estate agents and managers: rentals
  r(7011, 7012, C.TRAVEL), // hotels and motels not listed above, timeshares
  r(7032, 7033, C.TRAVEL), // camps, campgrounds
  r(7512, 7512, C.TRAVEL), // car rental
  r(7513, 7513, C.TRANSPORT), // truck and utility trailer rental
  r(7519, 7519, C.TRAVEL), // motor home rental
  r(7523, 7523, C.TRANSPORT), // parking lots and garages
  r(7531, 7549, C.TRANSPORT), // car body, repair, washes, towing
  r(7800, 7999, C.ENTERTAINMENT), // lotteries, cinemas (7832), theatres, sports, gyms, amusement parks
  r(8011, 8099, C.HEALTH), // doctors, dentists, opticians, hospitals, labs
  r(8211, 8299, C.EDUCATION), // schools, colleges, vocational and other education
  r(9211, 9399, C.FEES), // court costs, fines, bail, taxes, government services
];

const MCC_PATTERN = /^[0-9]{4}$/;

/** The category of a code; a code the table does not list (or not a code at all) is OTHER. */
export function categoryOf(mcc: string): SpendingCategory {
  if (!MCC_PATTERN.test(mcc)) return SpendingCategory.OTHER;
  const code = Number(mcc);
  let lo = 0;
  let hi = MCC_TABLE.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const row = MCC_TABLE[mid]!;
    if (code < row.from) hi = mid - 1;
    else if (code > row.to) lo = mid + 1;
    else return row.category;
  }
  return SpendingCategory.OTHER;
}

/** A merchant category code as the network must send it: exactly four ASCII digits (no sign, space or padding). */
export function parseMcc(raw: string): string {
  if (!MCC_PATTERN.test(raw)) {
    throw badUserInput([{ field: 'merchantCategoryCode', message: 'must be exactly 4 digits (ISO 18245)' }]);
  }
  return raw;
}
