import { BigIntType, Check, Entity, Enum, Index, ManyToOne, Property, type Ref } from '@mikro-orm/core';
import { registerEnumType } from 'type-graphql';
import { BaseEntity } from '../../db/base.entity.js';
import { User } from '../auth/user.entity.js';
import { Jar } from './jar.entity.js';

export enum FeeCadence {
  WEEKLY = 'WEEKLY',
  MONTHLY = 'MONTHLY',
  YEARLY = 'YEARLY',
}
registerEnumType(FeeCadence, {
  name: 'FeeCadence',
  description: 'How often a fee is due, counted from its nextDueOn.',
  valuesConfig: {
    WEEKLY: { description: 'Every 7 days.' },
    MONTHLY: { description: 'On the same day each month; a day past the end of a shorter month falls on its last day.' },
    YEARLY: { description: 'On the same day each year; 29 February falls on 28 February in other years.' },
  },
});

/** A recurring cost the user plans for. */
@Entity()
@Index({ properties: ['user', 'createdAt'] })
@Check({ name: 'fee_amount_check', expression: 'amount > 0' })
export class Fee extends BaseEntity<'jar' | 'active'> {
  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @Property({ type: 'text' })
  name!: string;

  @Property({ type: new BigIntType('bigint') })
  amount!: bigint;

  @Property({ type: 'text' })
  currency!: string;

  @Enum({ items: () => FeeCadence, nativeEnumName: 'fee_cadence' })
  cadence!: FeeCadence;

  /** "YYYY-MM-DD" in the user's time zone. */
  @Property({ type: 'text' })
  nextDueOn!: string;

  @ManyToOne(() => Jar, { ref: true, nullable: true, deleteRule: 'set null' })
  jar: Ref<Jar> | null = null;

  @Property({ type: 'boolean' })
  active: boolean = true;
}
