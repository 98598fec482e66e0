import { BigIntType, Check, Entity, Enum, Index, ManyToOne, Property, Unique, type Ref } from '@mikro-orm/core';
import { registerEnumType } from 'type-graphql';
import { BaseEntity } from '../../db/base.entity.js';
import { User } from '../auth/user.entity.js';
import { Account } from '../accounts/account.entity.js';
import { Transfer } from './transfer.entity.js';

export enum EntryDirection {
  DEBIT = 'DEBIT',
  CREDIT = 'CREDIT',
}
registerEnumType(EntryDirection, {
  description: 'Which way a ledger entry moved money on its account.',
  name: 'EntryDirection',
  valuesConfig: { DEBIT: { description: 'Money out: the balance went down.' }, CREDIT: { description: 'Money in: the balance went up.' } },
});

/** One side of a posted transfer. Written once, never updated or deleted. */
@Entity()
@Unique({ properties: ['account', 'seq'] })
@Index({ properties: ['account', 'postedAt'] })
@Check({ name: 'ledger_entry_amount_check', expression: 'amount > 0' })
export class LedgerEntry extends BaseEntity<'description'> {
  @ManyToOne(() => Account, { ref: true })
  account!: Ref<Account>;

  @Index()
  @ManyToOne(() => Transfer, { ref: true })
  transfer!: Ref<Transfer>;

  /** The account's owner, copied in: null on system accounts. */
  @Index()
  @ManyToOne(() => User, { ref: true, nullable: true })
  user!: Ref<User> | null;

  /** 1, 2, 3 ... per account, in posting order: the order of history and statements. */
  @Property({ type: 'integer' })
  seq!: number;

  @Enum({ items: () => EntryDirection, nativeEnumName: 'entry_direction' })
  direction!: EntryDirection;

  /** Always positive; the direction gives the sign. */
  @Property({ type: new BigIntType('bigint') })
  amount!: bigint;

  @Property({ type: new BigIntType('bigint') })
  balanceAfter!: bigint;

  @Property({ type: 'text' })
  currency!: string;

  @Property({ type: 'text', nullable: true })
  description: string | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  postedAt!: Date;
}
