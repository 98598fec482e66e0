import { statementsEraser } from '../../shared/erasure.js';

/**
 * Account deletion: the user's chat sessions and their messages (before the goals a session may
 * be about). A group's conversation they created is the group's: it stays, their messages in it too.
 */
export const eraseChat = statementsEraser([
  `update "chat_session" set "context_goal_id" = null where "user_id" = ?`,
  `delete from "message" where "session_id" in (select "id" from "chat_session" where "user_id" = ? and "conversation_type" <> 'GROUP')`,
  `delete from "chat_session" where "user_id" = ? and "conversation_type" <> 'GROUP'`,
]);
