import { statementsEraser } from '../../shared/erasure.js';

/** Account deletion: the user's budget, jars, fees, alerts and payments moved to a jar (the payments themselves stay). */
export const eraseBudget = statementsEraser([
  `delete from "budget_alert" where "user_id" = ?`,
  `delete from "payment_jar_assignment" where "user_id" = ?`,
  `delete from "fee" where "user_id" = ?`,
  `delete from "jar" where "user_id" = ?`,
  `delete from "budget" where "user_id" = ?`,
]);
