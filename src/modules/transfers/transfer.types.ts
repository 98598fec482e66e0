import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Money, money } from '../../shared/money.js';
import { ConnectionType } from '../../shared/pagination.js';
import type { LedgerEntryData, TransferData } from '../../pubsub/topics.js';
import { EntryDirection, type LedgerEntry } from './ledger-entry.entity.js';
import { TransferOrigin, TransferStatus, type Transfer } from './transfer.entity.js';

/**
 * What the API shows of a transfer to one viewer. Built from TransferData (the
 * JSON-safe snapshot that also travels in subscription payloads), so queries and
 * events render identically.
 */
@ObjectType('Transfer')
export class TransferView {
  @Field(() => ID)
  id!: string;

  @Field(() => TransferStatus)
  status!: TransferStatus;

  @Field(() => TransferOrigin)
  origin!: TransferOrigin;

  @Field(() => Money)
  amount!: Money;

  @Field(() => String, { nullable: true })
  fromAccountNumber!: string | null;

  @Field(() => String)
  toAccountNumber!: string;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => String, { nullable: true })
  idempotencyKey!: string | null;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  postedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'For PENDING_CONFIRMATION transfers.' })
  expiresAt!: Date | null;

  /** For the fromAccount / toAccount field resolvers: shown only to the account's owner. */
  fromAccountId!: string;
  toAccountId!: string;
  fromUserId!: string | null;
  toUserId!: string | null;
}

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

export const TransferConnection = ConnectionType('Transfer', TransferView);
export const LedgerEntryConnection = ConnectionType('LedgerEntry', LedgerEntryView);

/** A transfer as written; TransferData is its JSON-safe form. */
export interface TransferRow {
  id: string;
  status: TransferStatus;
  origin: TransferOrigin;
  amount: bigint;
  currency: string;
  fromAccountId: string;
  toAccountId: string;
  fromUserId: string | null;
  toUserId: string | null;
  initiatorId: string;
  fromAccountNumber: string | null;
  toAccountNumber: string;
  description: string | null;
  idempotencyKey: string | null;
  createdAt: Date;
  postedAt: Date | null;
  expiresAt: Date | null;
}

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

/** A transfer entity (read through the ORM) as a row. */
export function transferRow(t: Transfer): TransferRow {
  return {
    id: t.id,
    status: t.status,
    origin: t.origin,
    amount: t.amount,
    currency: t.currency,
    fromAccountId: t.fromAccount.id,
    toAccountId: t.toAccount.id,
    fromUserId: t.fromUser?.id ?? null,
    toUserId: t.toUser?.id ?? null,
    initiatorId: t.initiator.id,
    fromAccountNumber: t.fromAccountNumber,
    toAccountNumber: t.toAccountNumber,
    description: t.description,
    idempotencyKey: t.idempotencyKey,
    createdAt: t.createdAt,
    postedAt: t.postedAt,
    expiresAt: t.expiresAt,
  };
}

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

export function transferData(t: TransferRow): TransferData {
  return {
    id: t.id,
    status: t.status,
    origin: t.origin,
    amountMinor: t.amount.toString(),
    currency: t.currency,
    fromAccountId: t.fromAccountId,
    toAccountId: t.toAccountId,
    fromUserId: t.fromUserId,
    toUserId: t.toUserId,
    initiatorId: t.initiatorId,
    fromAccountNumber: t.fromAccountNumber,
    toAccountNumber: t.toAccountNumber,
    description: t.description,
    idempotencyKey: t.idempotencyKey,
    createdAt: t.createdAt.toISOString(),
    postedAt: t.postedAt?.toISOString() ?? null,
    expiresAt: t.expiresAt?.toISOString() ?? null,
  };
}

export function entryData(e: EntryRow): LedgerEntryData {
  return {
    id: e.id,
    accountId: e.accountId,
    transferId: e.transferId,
    seq: e.seq,
    direction: e.direction,
    amountMinor: e.amount.toString(),
    balanceAfterMinor: e.balanceAfter.toString(),
    currency: e.currency,
    description: e.description,
    postedAt: e.postedAt.toISOString(),
  };
}

/** The idempotency key is the initiator's own business; pending past expiry reads EXPIRED. */
export function transferView(d: TransferData, viewerId: string, now: Date): TransferView {
  const expiresAt = d.expiresAt ? new Date(d.expiresAt) : null;
  const expired = d.status === TransferStatus.PENDING_CONFIRMATION && expiresAt !== null && expiresAt <= now;
  return {
    id: d.id,
    status: expired ? TransferStatus.EXPIRED : (d.status as TransferStatus),
    origin: d.origin as TransferOrigin,
    amount: money(BigInt(d.amountMinor), d.currency),
    fromAccountNumber: d.fromAccountNumber,
    toAccountNumber: d.toAccountNumber,
    description: d.description,
    idempotencyKey: d.initiatorId === viewerId ? d.idempotencyKey : null,
    createdAt: new Date(d.createdAt),
    postedAt: d.postedAt ? new Date(d.postedAt) : null,
    expiresAt,
    fromAccountId: d.fromAccountId,
    toAccountId: d.toAccountId,
    fromUserId: d.fromUserId,
    toUserId: d.toUserId,
  };
}

export function entryView(d: LedgerEntryData, transfer?: TransferView): LedgerEntryView {
  return {
    id: d.id,
    accountId: d.accountId,
    direction: d.direction as EntryDirection,
    amount: money(BigInt(d.amountMinor), d.currency),
    balanceAfter: money(BigInt(d.balanceAfterMinor), d.currency),
    description: d.description,
    postedAt: new Date(d.postedAt),
    transferId: d.transferId,
    transfer,
    seq: d.seq,
  };
}
