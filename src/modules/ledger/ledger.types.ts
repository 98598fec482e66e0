import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Money, money } from '../../shared/money.js';
import { ConnectionType } from '../../shared/pagination.js';
import { type TransferView } from '../transfers/transfer.types.js';
import { EntryDirection, type LedgerEntry } from './ledger-entry.entity.js';

@ObjectType('LedgerEntry')
export class LedgerEntryView {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  accountId!: string;

  @Field(() => EntryDirection)
  direction!: EntryDirection;

  @Field(() => Money)
  amount!: Money;

  @Field(() => Money)
  balanceAfter!: Money;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => Date)
  postedAt!: Date;

  transferId!: string;
  /** Present when the transfer travelled with the entry (subscriptions): no lookup needed. */
  transfer?: TransferView;
  /** Paging key. */
  seq!: number;
}

@ObjectType()
export class Statement {
  @Field(() => ID)
  accountId!: string;

  @Field(() => String)
  month!: string;

  @Field(() => Money)
  openingBalance!: Money;

  @Field(() => Money)
  closingBalance!: Money;

  @Field(() => Money)
  totalCredits!: Money;

  @Field(() => Money)
  totalDebits!: Money;

  @Field(() => Int)
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
