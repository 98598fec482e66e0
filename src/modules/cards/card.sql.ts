import { marks, stmt, type PgResult, type Stmt } from '../../db/statement.js';
import type { CardStatus } from './card.entity.js';
import type { CardPaymentStatus, DeclineReason } from './card-payment.entity.js';
import type { CardRow } from './card.rules.js';
import type { CardPaymentRow } from './card.types.js';
import type { SpendingCategory } from './mcc.rules.js';

/*
 * The card payment's statements in the money transaction (transfers' debitToSystem runs
 * them after the account locks), as plain SQL. int8 arrives as a digit string.
 */

/** The payment a key already made, if any. */
export function selectPaymentByKey(recordedById: string, key: string): Stmt {
  return stmt(`select * from "card_payment" where "recorded_by_id" = ? and "idempotency_key" = ?`, [recordedById, key]);
}

export function selectCard(cardId: string): Stmt {
  return stmt(`select "id", "account_id", "user_id", "status", "expiry_month", "expiry_year", "monthly_limit" from "card" where "id" = ?`, [cardId]);
}

/** Approved spending of each card in [from, to): a row per card that spent anything. */
export function selectSpent(cardIds: readonly string[], from: Date, to: Date): Stmt {
  return stmt(
    `select "card_id", sum("amount")::text as "spent" from "card_payment"
     where "card_id" in (${marks(cardIds.length)}) and "status" = 'APPROVED' and "created_at" >= ? and "created_at" < ? group by "card_id"`,
    [...cardIds, from, to],
  );
}

export function cardOf(result: PgResult): CardRow | null {
  const r = result.rows[0];
  if (!r) return null;
  return {
    id: r.id as string,
    accountId: r.account_id as string,
    userId: r.user_id as string,
    status: r.status as CardStatus,
    expiryMonth: r.expiry_month as number,
    expiryYear: r.expiry_year as number,
    monthlyLimit: r.monthly_limit === null ? null : BigInt(r.monthly_limit as string),
  };
}

/** What selectSpent found, per card; a card without a row spent nothing. */
export function spentOf(rows: ReadonlyArray<Record<string, unknown>>): Map<string, bigint> {
  return new Map(rows.map((r) => [r.card_id as string, BigInt(r.spent as string)]));
}

export function paymentOf(result: PgResult): CardPaymentRow | null {
  const r = result.rows[0];
  if (!r) return null;
  return {
    id: r.id as string,
    cardId: r.card_id as string,
    accountId: r.account_id as string,
    userId: r.user_id as string,
    recordedById: r.recorded_by_id as string,
    merchant: r.merchant as string,
    merchantCategoryCode: r.merchant_category_code as string,
    category: r.category as SpendingCategory,
    amount: BigInt(r.amount as string),
    currency: r.currency as string,
    status: r.status as CardPaymentStatus,
    declineReason: r.decline_reason as DeclineReason | null,
    transferId: r.transfer_id as string | null,
    idempotencyKey: r.idempotency_key as string,
    requestHash: r.request_hash as string,
    createdAt: r.created_at as Date,
  };
}

export function insertPayment(p: CardPaymentRow): Stmt {
  return stmt(
    `insert into "card_payment" ("id", "created_at", "updated_at", "card_id", "account_id", "user_id", "recorded_by_id", "merchant",
       "merchant_category_code", "category", "amount", "currency", "status", "decline_reason", "transfer_id", "idempotency_key", "request_hash")
     values (${marks(17)})`,
    [
      p.id,
      p.createdAt,
      p.createdAt,
      p.cardId,
      p.accountId,
      p.userId,
      p.recordedById,
      p.merchant,
      p.merchantCategoryCode,
      p.category,
      p.amount.toString(),
      p.currency,
      p.status,
      p.declineReason,
      p.transferId,
      p.idempotencyKey,
      p.requestHash,
    ],
  );
}
