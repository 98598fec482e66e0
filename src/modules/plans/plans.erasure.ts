import { statementsEraser } from '../../shared/erasure.js';

/** Account deletion: the user's plans and goals. */
export const erasePlans = statementsEraser([
  `delete from "plan_item" where "user_id" = ?`,
  `delete from "daily_plan" where "user_id" = ?`,
  `delete from "weekly_plan" where "user_id" = ?`,
  `delete from "goal" where "user_id" = ?`,
]);
