import type { Bound } from './bound.js';

/*
 * The user's edits beside a transfer (transaction_edit) and the remembered categories
 * (categorization_rule): one upsert each, so concurrent edits leave one row, the last write.
 */

export function upsertEditCategory(row: { id: string; userId: string; transactionId: string; category: string; at: Date }): Bound {
  return {
    text: `insert into "transaction_edit" ("id", "created_at", "updated_at", "user_id", "transaction_id", "category") values ($1, $2, $2, $3, $4, $5::spending_category)
      on conflict ("user_id", "transaction_id") do update set "category" = excluded."category", "updated_at" = excluded."updated_at"`,
    values: [row.id, row.at, row.userId, row.transactionId, row.category],
  };
}

export function upsertEditJar(row: { id: string; userId: string; transactionId: string; jarId: string | null; at: Date }): Bound {
  return {
    text: `insert into "transaction_edit" ("id", "created_at", "updated_at", "user_id", "transaction_id", "jar_id") values ($1, $2, $2, $3, $4, $5)
      on conflict ("user_id", "transaction_id") do update set "jar_id" = excluded."jar_id", "updated_at" = excluded."updated_at"`,
    values: [row.id, row.at, row.userId, row.transactionId, row.jarId],
  };
}

export function upsertRule(row: { id: string; userId: string; counterparty: string; category: string; at: Date }): Bound {
  return {
    text: `insert into "categorization_rule" ("id", "created_at", "updated_at", "user_id", "counterparty", "category") values ($1, $2, $2, $3, $4, $5::spending_category)
      on conflict ("user_id", "counterparty") do update set "category" = excluded."category", "updated_at" = excluded."updated_at"`,
    values: [row.id, row.at, row.userId, row.counterparty, row.category],
  };
}

export function updateManualCategory(userId: string, id: string, category: string, at: Date): Bound {
  return {
    text: `update "manual_transaction" set "category" = $3::spending_category, "updated_at" = $4 where "user_id" = $1 and "id" = $2`,
    values: [userId, id, category, at],
  };
}

export function updateManualJar(userId: string, id: string, jarId: string | null, at: Date): Bound {
  return { text: `update "manual_transaction" set "jar_id" = $3, "updated_at" = $4 where "user_id" = $1 and "id" = $2`, values: [userId, id, jarId, at] };
}
