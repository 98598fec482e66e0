/*
 * The sandbox's institutions and their deterministic transactions, relative to the day the
 * item is linked: a few months of groceries, dining, utilities, rent and a salary in, the
 * last days still pending. Amounts are decimal strings, positive for money out (the
 * aggregators' convention), so nothing here goes through a float.
 */

export interface SandboxInstitution {
  id: string;
  name: string;
  currency: string;
  /** Some banks never report pending transactions. */
  sendsPending: boolean;
}

export const INSTITUTIONS: readonly SandboxInstitution[] = [
  { id: 'ins_sandbox_demo', name: 'Sandbox Demo Bank', currency: 'USD', sendsPending: true },
  { id: 'ins_sandbox_euro', name: 'Sandbox Euro Bank', currency: 'EUR', sendsPending: false },
];

export interface SandboxAccount {
  account_id: string;
  name: string;
  mask: string;
  type: 'depository' | 'credit' | 'loan' | 'other';
  subtype: string;
  iso_currency_code: string;
  balances: { current: string };
}

export interface SandboxTransaction {
  transaction_id: string;
  account_id: string;
  amount: string;
  iso_currency_code: string;
  date: string;
  name: string;
  merchant_name: string | null;
  /** The aggregator's own category, when it has one. */
  category: string | null;
  /** An ISO 18245 merchant category code, when the bank sends one. */
  mcc: string | null;
  pending: boolean;
  pending_transaction_id: string | null;
}

/** A small deterministic generator (mulberry32): the same item id gives the same history. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function seedOf(text: string): number {
  let h = 2166136261;
  for (const c of text) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  return h >>> 0;
}

const day = (today: Date, back: number): string => new Date(today.getTime() - back * 86_400_000).toISOString().slice(0, 10);
const decimal = (cents: number): string => `${cents < 0 ? '-' : ''}${Math.floor(Math.abs(cents) / 100)}.${String(Math.abs(cents) % 100).padStart(2, '0')}`;

export function accountsOf(institution: SandboxInstitution, itemId: string): SandboxAccount[] {
  const checking: SandboxAccount = {
    account_id: `${itemId}-chk`,
    name: institution.currency === 'USD' ? 'Everyday Checking' : 'Girokonto',
    mask: String(1000 + (seedOf(itemId) % 9000)),
    type: 'depository',
    subtype: 'checking',
    iso_currency_code: institution.currency,
    balances: { current: institution.currency === 'USD' ? '2431.17' : '1210.40' },
  };
  return [checking];
}

/** About 90 days of history before `today`; the last two days are pending where the bank sends pending. */
export function historyOf(institution: SandboxInstitution, itemId: string, today: Date): SandboxTransaction[] {
  const next = random(seedOf(itemId));
  const account = `${itemId}-chk`;
  const out: SandboxTransaction[] = [];
  let n = 0;
  const add = (back: number, cents: number, name: string, merchant: string | null, category: string | null, mcc: string | null) => {
    const pending = institution.sendsPending && back < 2;
    out.push({
      transaction_id: `${itemId}-t${++n}`,
      account_id: account,
      amount: decimal(cents),
      iso_currency_code: institution.currency,
      date: day(today, back),
      name,
      merchant_name: merchant,
      category,
      mcc,
      pending,
      pending_transaction_id: null,
    });
  };
  for (let back = 90; back >= 0; back--) {
    if (back % 7 === 3) add(back, 4_000 + Math.floor(next() * 6_000), 'FRESH MARKET #112', 'Fresh Market', 'FOOD_AND_DRINK_GROCERIES', '5411');
    if (back % 4 === 1) add(back, 900 + Math.floor(next() * 3_500), 'CORNER BISTRO', 'Corner Bistro', 'FOOD_AND_DRINK_RESTAURANT', null);
    if (back % 30 === 10) add(back, 8_600 + Math.floor(next() * 1_500), 'CITY POWER & WATER', 'City Utilities', 'RENT_AND_UTILITIES', '4900');
    if (back % 30 === 14) add(back, -310_000, 'PAYROLL ACME CORP', null, 'INCOME_WAGES', null);
  }
  return out;
}
