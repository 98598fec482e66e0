import { statementsEraser } from '../../shared/erasure.js';

/** Account deletion: drafts, journal entries, templates and preferences (before the chat sessions drafts belong to). */
export const eraseDrafts = statementsEraser([
  `delete from "draft" where "session_id" in (select "id" from "chat_session" where "user_id" = ?)`,
  `delete from "journal_entry" where "user_id" = ?`,
  `delete from "user_template" where "user_id" = ?`,
  `delete from "user_preferences" where "user_id" = ?`,
]);
