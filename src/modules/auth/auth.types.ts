import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { AuthSession } from './auth-session.entity.js';
import { User } from './user.entity.js';
import type { Role } from './user.entity.js';

@ObjectType()
export class AuthPayload {
  @Field(() => String)
  accessToken!: string;

  @Field(() => String)
  refreshToken!: string;

  @Field(() => Date)
  accessTokenExpiresAt!: Date;

  @Field(() => User)
  user!: User;

  @Field(() => AuthSession)
  session!: AuthSession;
}

export enum AuthSessionEventKind {
  CREATED = 'CREATED',
  REVOKED = 'REVOKED',
}
registerEnumType(AuthSessionEventKind, { name: 'AuthSessionEventKind' });

@ObjectType({ description: "A sign-in or sign-out on one of the caller's sessions, e.g. to warn of a new device." })
export class AuthSessionEvent {
  @Field(() => AuthSessionEventKind)
  kind!: AuthSessionEventKind;

  @Field(() => ID)
  sessionId!: string;

  @Field(() => Date)
  at!: Date;

  @Field(() => String, { nullable: true })
  userAgent!: string | null;

  @Field(() => String, { nullable: true })
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
