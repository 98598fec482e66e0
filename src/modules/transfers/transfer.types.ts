import { Field, ID, ObjectType } from 'type-graphql';
import { Money, money } from '../../shared/money.js';
import { ConnectionType } from '../../shared/pagination.js';
import type { AuditRow } from '../audit/audit.sql.js';
import { TransferOrigin, TransferStatus, type Transfer } from './transfer.entity.js';

/**
 * What the API shows of a transfer to one viewer. Built from a TransferRow, whether the
 * row was read, written or carried by an event, so queries and events render identically.
 */
@ObjectType('Transfer', {
  description:
    'Money moving between two accounts: posted at once (createTransfer), or proposed by the assistant and waiting for the user (PENDING_CONFIRMATION).',
})
export class TransferView {
  @Field(() => ID, { description: 'Stable id (UUID).' })
  id!: string;

  @Field(() => TransferStatus, { description: 'See TransferStatus.' })
  status!: TransferStatus;

  @Field(() => TransferOrigin, { description: 'Who asked for it: USER, ASSISTANT (a proposal) or OPERATOR (a deposit or card payment).' })
  origin!: TransferOrigin;

  @Field(() => Money, { description: "Always positive, in the accounts' currency." })
  amount!: Money;

  @Field(() => String, { description: "The sending account's number; null for a deposit from outside the bank.", nullable: true })
  fromAccountNumber!: string | null;

  @Field(() => String, { description: "The receiving account's number." })
  toAccountNumber!: string;

  @Field(() => String, { description: 'What the sender wrote; null for none.', nullable: true })
  description!: string | null;

  @Field(() => String, {
    description: 'The key the caller created it with; null when someone else created it, or it had none (assistant proposals).',
    nullable: true,
  })
  idempotencyKey!: string | null;

  @Field(() => Date, { description: 'When it was requested (UTC).' })
  createdAt!: Date;

  @Field(() => Date, { description: 'When the money moved (UTC); null unless POSTED.', nullable: true })
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

/** The audit row of a money request's verdict, written in the transaction that reached it. */
export type AuditOf = (verdict: { transfer: TransferRow } | { error: { code: string } }) => AuditRow;
