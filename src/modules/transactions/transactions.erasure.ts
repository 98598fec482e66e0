import { statementsEraser } from '../../shared/erasure.js';

/** Account deletion: the user's manual transactions, categorization rules and edits to the feed. */
export const eraseTransactions = statementsEraser([
  `delete from "transaction_edit" where "user_id" = ?`,
  `delete from "categorization_rule" where "user_id" = ?`,
  `delete from "manual_transaction" where "user_id" = ?`,
]);
