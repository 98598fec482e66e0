import { Entity, Index, ManyToOne, Property, type Ref } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { BaseEntity } from '../../db/base.entity.js';
import { User } from './user.entity.js';

@ObjectType('AuthSession', { description: 'One signed-in device or browser of the caller, from login until logout, revocation or expiry.' })
@Entity()
export class AuthSession extends BaseEntity<'lastSeenAt' | 'revokedAt' | 'revokedReason'> {
  @Index()
  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  user: Ref<User>;

  @Field(() => Date, { description: 'When the session ends unless refreshed (UTC); refreshSession extends it.' })
  @Property({ type: 'datetime', columnType: 'timestamptz' })
  expiresAt: Date;

  @Field(() => Date, { description: 'Last time the session refreshed its tokens (UTC); null if it never has.', nullable: true })
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  lastSeenAt: Date | null = null;

  @Field(() => String, {
    description: 'The User-Agent header at sign-in or the latest refresh (at most 500 characters); null when none was sent.',
    nullable: true,
  })
  @Property({ type: 'text', nullable: true })
  userAgent: string | null;

  @Field(() => String, { description: 'Client address at sign-in or the latest refresh; null when unknown.', nullable: true })
  @Property({ type: 'text', nullable: true })
  ipAddress: string | null;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  revokedAt: Date | null = null;

  @Property({ type: 'text', nullable: true })
  revokedReason: string | null = null;

  /** Not stored: set on the session just issued to the caller (login, register, refresh). */
  issuedToCaller = false;

  constructor(user: Ref<User>, expiresAt: Date, userAgent: string | null, ipAddress: string | null) {
    super();
    this.user = user;
    this.expiresAt = expiresAt;
    this.userAgent = userAgent;
    this.ipAddress = ipAddress;
  }

  isActive(now: Date): boolean {
    return this.revokedAt === null && this.expiresAt > now;
  }
}
