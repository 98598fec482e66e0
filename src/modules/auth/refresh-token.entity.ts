import { Entity, ManyToOne, Property, Unique, type Ref } from '@mikro-orm/core';
import { BaseEntity } from '../../db/base.entity.js';
import { AuthSession } from './auth-session.entity.js';

/**
 * Every refresh token a session was ever given, by sha-256 hash. Rotated ones are kept
 * so that presenting one again is recognised as theft and ends the session.
 */
@Entity()
export class RefreshToken extends BaseEntity<'rotatedAt'> {
  @ManyToOne(() => AuthSession, { ref: true, deleteRule: 'cascade', index: true })
  session: Ref<AuthSession>;

  @Unique()
  @Property({ type: 'text' })
  tokenHash: string;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  rotatedAt: Date | null = null;

  constructor(session: Ref<AuthSession>, tokenHash: string) {
    super();
    this.session = session;
    this.tokenHash = tokenHash;
  }
}
