import { Entity, Index, ManyToOne, OneToOne, type Ref } from '@mikro-orm/core';
import { BaseEntity } from '../../db/base.entity.js';
import { User } from '../auth/user.entity.js';
import { CardPayment } from '../cards/card-payment.entity.js';
import { Jar } from './jar.entity.js';

/**
 * A card payment the user moved to a jar other than its category's. Kept beside the
 * payment and its ledger entries, which never change; no row means the category's jar.
 */
@Entity({ tableName: 'payment_jar_assignment' })
export class PaymentJarAssignment extends BaseEntity {
  @OneToOne(() => CardPayment, { ref: true, owner: true, unique: true, deleteRule: 'cascade' })
  payment!: Ref<CardPayment>;

  @Index()
  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @Index()
  @ManyToOne(() => Jar, { ref: true, deleteRule: 'cascade' })
  jar!: Ref<Jar>;
}
