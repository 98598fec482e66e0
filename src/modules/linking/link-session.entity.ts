import { Entity, ManyToOne, Property, type Ref } from '@mikro-orm/core';
import { BaseEntity } from '../../db/base.entity.js';
import { User } from '../auth/user.entity.js';
import { LinkedItem } from './linked-item.entity.js';

/** A started link: startAccountLink writes it, completeAccountLink uses it once. */
@Entity()
export class LinkSession extends BaseEntity<'relinkItem' | 'completedAt'> {
  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @Property({ type: 'text' })
  institutionId!: string;

  @Property({ type: 'text' })
  institutionName!: string;

  @Property({ type: 'text' })
  linkUrl!: string;

  @ManyToOne(() => LinkedItem, { ref: true, nullable: true, deleteRule: 'cascade' })
  relinkItem: Ref<LinkedItem> | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  expiresAt!: Date;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  completedAt: Date | null = null;
}
