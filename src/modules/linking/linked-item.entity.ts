import { Entity, Enum, Index, ManyToOne, Property, type Ref } from '@mikro-orm/core';
import { BaseEntity } from '../../db/base.entity.js';
import { User } from '../auth/user.entity.js';
import { LinkStatus } from './linking.enums.js';

/**
 * One user's link to one institution at the aggregator (Plaid's "item"): its access token,
 * encrypted (token-cipher.ts) and the last committed sync cursor. One instance of the fleet
 * syncs it at a time under an advisory lock (sync.service.ts).
 */
@Entity()
@Index({ properties: ['status', 'lastSyncedAt'] })
export class LinkedItem extends BaseEntity<'cursor' | 'lastSyncedAt' | 'syncLeaseUntil'> {
  @Index()
  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @Property({ type: 'text' })
  institutionId!: string;

  @Property({ type: 'text' })
  institutionName!: string;

  /** The aggregator's id of the item: webhooks name it. */
  @Index()
  @Property({ type: 'text' })
  externalId!: string;

  /** AES-256-GCM: iv, tag and ciphertext, base64url; null once the item is removed. */
  @Property({ type: 'text', nullable: true, lazy: true })
  accessTokenSealed!: string | null;

  /** The cursor of the last sync that committed whole; '' before the first. */
  @Property({ type: 'text' })
  cursor: string = '';

  @Enum({ items: () => LinkStatus, nativeEnumName: 'link_status' })
  status!: LinkStatus;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  lastSyncedAt: Date | null = null;

  /**
   * The previous release's sync lease, no longer read or written (the sync holds an advisory lock instead):
   * kept so that release still runs during a rolling restart (docs/deploy.md); a later release drops it.
   */
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  syncLeaseUntil: Date | null = null;
}
