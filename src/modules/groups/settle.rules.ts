/*
 * Who pays whom to bring every balance to zero, as a pure function. Debtors and creditors are
 * each taken in a fixed order (user id) and paired as two running totals (the "north-west
 * corner" of transport problems): at most members - 1 payments, and stable, because paying one
 * suggestion cuts the same stretch out of both running totals and leaves the others in place.
 */

export interface Balance {
  userId: string;
  balance: bigint;
}

export interface Suggestion {
  fromUserId: string;
  toUserId: string;
  amount: bigint;
}

const byId = (a: Balance, b: Balance): number => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0);

export function suggestSettlements(balances: readonly Balance[]): Suggestion[] {
  const debtors = balances
    .filter((b) => b.balance < 0n)
    .sort(byId)
    .map((b) => ({ userId: b.userId, left: -b.balance }));
  const creditors = balances
    .filter((b) => b.balance > 0n)
    .sort(byId)
    .map((b) => ({ userId: b.userId, left: b.balance }));
  const out: Suggestion[] = [];
  let d = 0;
  let c = 0;
  while (d < debtors.length && c < creditors.length) {
    const debtor = debtors[d]!;
    const creditor = creditors[c]!;
    const amount = debtor.left < creditor.left ? debtor.left : creditor.left;
    out.push({ fromUserId: debtor.userId, toUserId: creditor.userId, amount });
    debtor.left -= amount;
    creditor.left -= amount;
    if (debtor.left === 0n) d++;
    if (creditor.left === 0n) c++;
  }
  return out;
}
