import { statementsEraser } from '../../shared/erasure.js';

/** Account deletion: the user's agent runs and their events (before the chat sessions they ran in); a group conversation's stay with the group. */
export const eraseAgentRuns = statementsEraser([
  `delete from "agent_event_record" where "session_id" in (select "id" from "chat_session" where "user_id" = ? and "conversation_type" <> 'GROUP')`,
  `delete from "agent_run" where "user_id" = ? and "session_id" not in (select "id" from "chat_session" where "conversation_type" = 'GROUP')`,
]);
