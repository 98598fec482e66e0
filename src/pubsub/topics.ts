/** Every topic and its payload, in one place. Keys scope a topic (a user id, a run id, ...). */
export enum Topic {
  /** key: user id */
  AUTH_SESSION = 'AUTH_SESSION',
  /** key: "all": every instance ends the sockets of a revoked session */
  SESSION_REVOKED = 'SESSION_REVOKED',
}

export interface AuthSessionEventPayload {
  kind: 'CREATED' | 'REVOKED';
  userId: string;
  sessionId: string;
  at: string;
  userAgent: string | null;
  ipAddress: string | null;
}

export interface SessionRevokedPayload {
  userId: string;
  sessionIds: string[];
}

export interface TopicPayloads {
  [Topic.AUTH_SESSION]: AuthSessionEventPayload;
  [Topic.SESSION_REVOKED]: SessionRevokedPayload;
}
