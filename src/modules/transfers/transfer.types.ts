import { Field, ID, ObjectType } from 'type-graphql';
import { Money, money } from '../../shared/money.js';
import { ConnectionType } from '../../shared/pagination.js';
import { TransferOrigin, TransferStatus, type Transfer } from './transfer.entity.js';

/**
 * What the API shows of a transfer to one viewer. Built from a TransferRow, whether the
 * row was read, written or carried by an event, so queries and events render identically.
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

export const TransferConnection = ConnectionType('Transfer', TransferView);

/** A transfer as written or read raw; TransferData (transfer.events.ts) is its form on pub/sub. */
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

/** A transfer entity (read through the ORM) as a row. */
export function rowOfTransfer(t: Transfer): TransferRow {
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

/** The idempotency key is the initiator's own business; pending past expiry reads EXPIRED. */
export function transferView(t: TransferRow, viewerId: string, now: Date): TransferView {
  const expired = t.status === TransferStatus.PENDING_CONFIRMATION && t.expiresAt !== null && t.expiresAt <= now;
  return {
    id: t.id,
    status: expired ? TransferStatus.EXPIRED : t.status,
    origin: t.origin,
    amount: money(t.amount, t.currency),
    fromAccountNumber: t.fromAccountNumber,
    toAccountNumber: t.toAccountNumber,
    description: t.description,
    idempotencyKey: t.initiatorId === viewerId ? t.idempotencyKey : null,
    createdAt: t.createdAt,
    postedAt: t.postedAt,
    expiresAt: t.expiresAt,
    fromAccountId: t.fromAccountId,
    toAccountId: t.toAccountId,
    fromUserId: t.fromUserId,
    toUserId: t.toUserId,
  };
}
