import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Money, money } from '../../shared/money.js';
import { ConnectionType } from '../../shared/pagination.js';
import { type TransferView } from './transfer.types.js';
import { EntryDirection, type LedgerEntry } from './ledger-entry.entity.js';

@ObjectType('LedgerEntry', {
  description: 'One side of a transfer on one account: every transfer is a DEBIT on the sender and a CREDIT on the receiver, posted together.',
})
export class LedgerEntryView {
  @Field(() => ID, { description: 'Stable id (UUID).' })
  id!: string;

  @Field(() => ID, { description: 'The account this entry is on.' })
  accountId!: string;

  @Field(() => EntryDirection, { description: 'CREDIT (money in) or DEBIT (money out).' })
  direction!: EntryDirection;

  @Field(() => Money, { description: 'Always positive; direction says which way.' })
  amount!: Money;

  @Field(() => Money, { description: "The account's balance right after this entry." })
  balanceAfter!: Money;

  @Field(() => String, { description: "The transfer's description; null when none was given.", nullable: true })
  description!: string | null;

  @Field(() => Date, { description: 'When it was posted (UTC).' })
  postedAt!: Date;

  transferId!: string;
  /** Present when the transfer travelled with the entry (subscriptions): no lookup needed. */
  transfer?: TransferView;
  /** Paging key. */
  seq!: number;
}

@ObjectType({ description: "One calendar month (UTC) of an account: opening and closing balances, totals and the month's entries." })
export class Statement {
  @Field(() => ID, { description: 'The account.' })
  accountId!: string;

  @Field(() => String, { description: 'The month, YYYY-MM.' })
  month!: string;

  @Field(() => Money, { description: 'Balance at the start of the month.' })
  openingBalance!: Money;

  @Field(() => Money, { description: 'Balance at the end of the month (or now, for the current month).' })
  closingBalance!: Money;

  @Field(() => Money, { description: 'Sum of money in during the month.' })
  totalCredits!: Money;

  @Field(() => Money, { description: 'Sum of money out during the month.' })
  totalDebits!: Money;

  @Field(() => Int, { description: 'Number of entries in the month.' })
  entryCount!: number;

  /** For the entries field resolver. */
  ownerId!: string | null;
  from!: Date;
  to!: Date;
}

export const LedgerEntryConnection = ConnectionType('LedgerEntry', LedgerEntryView);

/** One side of a posting, as written (transfer.rules postTransfer) or read. */
export interface EntryRow {
  id: string;
  accountId: string;
  transferId: string;
  userId: string | null;
  seq: number;
  direction: EntryDirection;
  amount: bigint;
  balanceAfter: bigint;
  currency: string;
  description: string | null;
  postedAt: Date;
}

/** An entry entity (read through the ORM) as a row. */
export function entryRow(e: LedgerEntry): EntryRow {
  return {
    id: e.id,
    accountId: e.account.id,
    transferId: e.transfer.id,
    userId: e.user?.id ?? null,
    seq: e.seq,
    direction: e.direction,
    amount: e.amount,
    balanceAfter: e.balanceAfter,
    currency: e.currency,
    description: e.description,
    postedAt: e.postedAt,
  };
}

export function entryView(e: Omit<EntryRow, 'userId'>, transfer?: TransferView): LedgerEntryView {
  return {
    id: e.id,
    accountId: e.accountId,
    direction: e.direction,
    amount: money(e.amount, e.currency),
    balanceAfter: money(e.balanceAfter, e.currency),
    description: e.description,
    postedAt: e.postedAt,
    transferId: e.transferId,
    transfer,
    seq: e.seq,
  };
}
