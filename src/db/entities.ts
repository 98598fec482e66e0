import { AuthSession } from '../modules/auth/auth-session.entity.js';
import { RefreshToken } from '../modules/auth/refresh-token.entity.js';
import { User } from '../modules/auth/user.entity.js';
import { ChatSession } from '../modules/chat/chat-session.entity.js';
import { Message } from '../modules/chat/message.entity.js';
import { Draft } from '../modules/drafts/draft.entity.js';
import { JournalEntry } from '../modules/drafts/journal-entry.entity.js';
import { UserPreferences } from '../modules/drafts/user-preferences.entity.js';
import { UserTemplate } from '../modules/drafts/user-template.entity.js';

/** Every entity, listed once: discovery by folder scan differs between tsc output and tsx. */
export const ENTITIES = [User, AuthSession, RefreshToken, ChatSession, Message, Draft, JournalEntry, UserTemplate, UserPreferences];
