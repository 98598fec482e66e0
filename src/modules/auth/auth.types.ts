import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { AuthSession } from './auth-session.entity.js';
import { User } from './user.entity.js';
import type { Role } from './user.entity.js';

@ObjectType({ description: 'What a sign-in returns: the tokens, the session they belong to and the user.' })
export class AuthPayload {
  @Field(() => String, {
    description:
      'JWT for "Authorization: Bearer <accessToken>" (and the WebSocket connection parameters). Short-lived: refresh it with refreshSession before accessTokenExpiresAt.',
  })
  accessToken!: string;

  @Field(() => String, {
    description:
      'Secret for refreshSession; keep it out of logs and URLs. Each use rotates it; presenting an old one again after a few seconds revokes the session.',
  })
  refreshToken!: string;

  @Field(() => Date, { description: 'When accessToken stops working (UTC); by default 15 minutes after issue.' })
  accessTokenExpiresAt!: Date;

  @Field(() => User, { description: 'The signed-in user.' })
  user!: User;

  @Field(() => AuthSession, { description: 'The session these tokens belong to.' })
  session!: AuthSession;
}

export enum AuthSessionEventKind {
  CREATED = 'CREATED',
  REVOKED = 'REVOKED',
}
registerEnumType(AuthSessionEventKind, {
  description: 'What happened to a session.',
  name: 'AuthSessionEventKind',
  valuesConfig: {
    REVOKED: { description: 'Signed out, revoked, or ended by a password or role change.' },
    CREATED: { description: 'A new sign-in (login, register).' },
  },
});

@ObjectType({ description: "A sign-in or sign-out on one of the caller's sessions, e.g. to warn of a new device." })
export class AuthSessionEvent {
  @Field(() => AuthSessionEventKind, { description: 'CREATED (a sign-in) or REVOKED (a sign-out or revocation).' })
  kind!: AuthSessionEventKind;

  @Field(() => ID, { description: 'The session that was created or revoked.' })
  sessionId!: string;

  @Field(() => Date, { description: 'When it happened (UTC).' })
  at!: Date;

  @Field(() => String, { description: 'User-Agent of the session; null when none was sent.', nullable: true })
  userAgent!: string | null;

  @Field(() => String, { description: 'Client address of the session; null when unknown.', nullable: true })
  ipAddress!: string | null;
}

/** Who is calling: set by the context from a verified token and a live session. */
export interface AuthInfo {
  userId: string;
  sessionId: string;
  role: Role;
}

export interface ClientInfo {
  ipAddress: string | null;
  userAgent: string | null;
}

@ObjectType({ description: 'Another user as others may see them: the id and the sign-in name ("deleted-…" once they left).' })
export class PublicUser {
  @Field(() => ID, { description: 'Stable id (UUID).' })
  id!: string;

  @Field(() => String, { description: 'Sign-in name.' })
  username!: string;
}
