import { statementsEraser } from '../../shared/erasure.js';

/** Account deletion: linked banks and what was read from them (their tokens with them). */
export const eraseLinking = statementsEraser([
  `delete from "linked_transaction" where "user_id" = ?`,
  `delete from "linked_account" where "user_id" = ?`,
  `delete from "link_session" where "user_id" = ?`,
  `delete from "linked_item" where "user_id" = ?`,
]);
