import { statementsEraser } from '../../shared/erasure.js';

/** Account deletion: cards stay (their payments point at them), cancelled and without the user's label. */
export const eraseCards = statementsEraser([`update "card" set "status" = 'CANCELLED', "label" = null where "user_id" = ?`]);
