import { AuthSession } from '../modules/auth/auth-session.entity.js';
import { RefreshToken } from '../modules/auth/refresh-token.entity.js';
import { User } from '../modules/auth/user.entity.js';

/** Every entity, listed once: discovery by folder scan differs between tsc output and tsx. */
export const ENTITIES = [User, AuthSession, RefreshToken];
