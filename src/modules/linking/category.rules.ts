import { categoryOf, SpendingCategory } from '../cards/mcc.rules.js';

/** The aggregator's categories (Plaid's personal-finance ones) the budget knows. */
const AGGREGATOR_CATEGORIES: Record<string, SpendingCategory> = {
  FOOD_AND_DRINK_GROCERIES: SpendingCategory.GROCERIES,
  FOOD_AND_DRINK_RESTAURANT: SpendingCategory.DINING,
  FOOD_AND_DRINK_COFFEE: SpendingCategory.DINING,
  RENT_AND_UTILITIES: SpendingCategory.UTILITIES,
  RENT_AND_UTILITIES_RENT: SpendingCategory.HOUSING,
  TRANSPORTATION: SpendingCategory.TRANSPORT,
  TRAVEL: SpendingCategory.TRAVEL,
  MEDICAL: SpendingCategory.HEALTH,
  ENTERTAINMENT: SpendingCategory.ENTERTAINMENT,
  GENERAL_MERCHANDISE: SpendingCategory.SHOPPING,
  BANK_FEES: SpendingCategory.FEES,
};

/** A linked transaction's category: the aggregator's when the budget knows it, else the MCC's, else OTHER. */
export function linkedCategory(category: string | null, mcc: string | null): SpendingCategory {
  const known = category ? (AGGREGATOR_CATEGORIES[category] ?? AGGREGATOR_CATEGORIES[category.split('_').slice(0, 2).join('_')]) : undefined;
  if (known) return known;
  return mcc && /^\d{4}$/.test(mcc) ? categoryOf(mcc) : SpendingCategory.OTHER;
}
