import type { EntityManager } from '@mikro-orm/postgresql';

/** The security events auth records; the audit module lists them among all its actions. */
export const AuthAction = {
  USER_REGISTERED: 'USER_REGISTERED',
  LOGIN_SUCCEEDED: 'LOGIN_SUCCEEDED',
  LOGIN_FAILED: 'LOGIN_FAILED',
  LOGIN_LOCKED_OUT: 'LOGIN_LOCKED_OUT',
  REFRESH_TOKEN_REUSED: 'REFRESH_TOKEN_REUSED',
  SESSION_REVOKED: 'SESSION_REVOKED',
  PASSWORD_CHANGED: 'PASSWORD_CHANGED',
  ROLE_CHANGED: 'ROLE_CHANGED',
} as const;
export type AuthAction = (typeof AuthAction)[keyof typeof AuthAction];

/** An audit outcome: SUCCEEDED, or what refused it (an error code, DECLINED). */
export const SUCCEEDED = 'SUCCEEDED';

/**
 * What auth asks of the modules above it (the audit trail, the agent's runs); services.ts hands
 * in the real ones, so auth, which every module imports, imports none of them.
 */
export interface AuthTrail<Row = unknown> {
  event(action: AuthAction, outcome: string, facts: { userId: string | null; actorId?: string | null; target?: string | null }): Row;
  record(em: EntityManager, ...rows: Row[]): Promise<void>;
  recordAlone(...rows: Row[]): Promise<void>;
}

export interface RunStopper {
  /** Cancels every unfinished agent run of the user with `error` as the reason; returns how many. */
  cancelRunsOfUser(userId: string, error: { code: string; message: string }): Promise<number>;
}
