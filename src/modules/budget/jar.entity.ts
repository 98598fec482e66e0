import { ArrayType, Check, Entity, Index, ManyToOne, Property, type Ref } from '@mikro-orm/core';
import { BaseEntity } from '../../db/base.entity.js';
import { User } from '../auth/user.entity.js';
import type { SpendingCategory } from '../cards/mcc.rules.js';

/** A budget envelope. Name and category uniqueness are checked under the budget row's lock (budget.service.ts). */
@Entity()
@Index({ properties: ['user', 'archived'] })
@Check({ name: 'jar_allocation_check', expression: 'allocation_basis_points >= 0 and allocation_basis_points <= 10000' })
export class Jar extends BaseEntity<'description' | 'archived'> {
  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @Property({ type: 'text' })
  name!: string;

  @Property({ type: 'text', nullable: true })
  description: string | null = null;

  @Property({ type: 'integer' })
  allocationBasisPoints!: number;

  @Property({ type: ArrayType, columnType: 'text[]' })
  categories!: SpendingCategory[];

  @Property({ type: 'boolean' })
  archived: boolean = false;

  get ownerId(): string {
    return this.user.id;
  }
}
