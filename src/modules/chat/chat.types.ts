import { ConnectionType } from '../../shared/pagination.js';
import { ChatSession } from './chat-session.entity.js';
import { Message } from './message.entity.js';

export const ChatSessionConnection = ConnectionType('ChatSession', ChatSession);
export const MessageConnection = ConnectionType('Message', Message);

export interface MessagePageArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}
