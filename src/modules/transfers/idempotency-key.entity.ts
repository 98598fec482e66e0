import { Entity, ManyToOne, Property, Unique, type Ref } from '@mikro-orm/core';
import { BaseEntity } from '../../db/base.entity.js';
import { User } from '../auth/user.entity.js';
import { Transfer } from './transfer.entity.js';

/**
 * The outcome of the first request made with a key: the transfer it created, or the
 * business rule it broke, so a retry answers the same way instead of running again.
 * Claimed at the start of the money transaction (INSERT ... ON CONFLICT DO NOTHING).
 */
@Entity()
@Unique({ properties: ['user', 'key'] })
export class IdempotencyKey extends BaseEntity<'transfer' | 'errorCode' | 'errorMessage'> {
  @ManyToOne(() => User, { ref: true })
  user!: Ref<User>;

  @Property({ type: 'text' })
  key!: string;

  /** sha256 of the canonical request: a different request under the same key is refused. */
  @Property({ type: 'text' })
  requestHash!: string;

  @ManyToOne(() => Transfer, { ref: true, nullable: true })
  transfer: Ref<Transfer> | null = null;

  @Property({ type: 'text', nullable: true })
  errorCode: string | null = null;

  @Property({ type: 'text', nullable: true })
  errorMessage: string | null = null;
}
