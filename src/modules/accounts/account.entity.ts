import { BigIntType, Check, Entity, Enum, Index, ManyToOne, Property, Unique, type Ref } from '@mikro-orm/core';
import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { BaseEntity } from '../../db/base.entity.js';
import { User } from '../auth/user.entity.js';

export enum AccountStatus {
  OPEN = 'OPEN',
  CLOSED = 'CLOSED',
}
registerEnumType(AccountStatus, {
  description: 'Whether an account can still move money.',
  name: 'AccountStatus',
  valuesConfig: {
    OPEN: { description: 'In use: can send and receive money.' },
    CLOSED: { description: 'Closed by its owner at zero balance; final. Transfers to or from it fail with ACCOUNT_CLOSED.' },
  },
});

/**
 * A customer's account, or (system = true, no user) the per-currency account money from
 * outside the bank comes from; only system accounts may go below zero.
 */
@ObjectType({
  description: "One of the caller's bank accounts in a single currency. Its balance always equals the sum of its ledger entries and never goes below zero.",
})
@Entity()
@Check({ name: 'account_balance_check', expression: 'system or balance >= 0' })
export class Account extends BaseEntity<'status' | 'balance' | 'entrySeq' | 'system'> {
  @Index()
  @ManyToOne(() => User, { ref: true, nullable: true })
  user: Ref<User> | null;

  @Field(() => String, { description: 'Unique, human-shareable; other users send money to it.' })
  @Unique()
  @Property({ type: 'text' })
  number: string;

  @Field(() => String, { description: 'The caller\'s name for the account, 1 to 100 characters, e.g. "Checking".' })
  @Property({ type: 'text' })
  name: string;

  @Field(() => String, { description: 'ISO 4217 code, e.g. "USD"; fixed for the life of the account.' })
  @Property({ type: 'text' })
  currency: string;

  /** Always the sum of the account's entries (credits minus debits). */
  @Property({ type: new BigIntType('bigint') })
  balance: bigint = 0n;

  @Field(() => AccountStatus, { description: 'OPEN, or CLOSED (final; a closed account takes no transfers).' })
  @Enum({ items: () => AccountStatus, nativeEnumName: 'account_status' })
  status: AccountStatus = AccountStatus.OPEN;

  /** The seq of the latest entry: entries are numbered 1, 2, 3 ... per account under the row lock. */
  @Property({ type: 'integer' })
  entrySeq = 0;

  @Property({ type: 'boolean' })
  system = false;

  constructor(user: Ref<User> | null, number: string, name: string, currency: string) {
    super();
    this.user = user;
    this.number = number;
    this.name = name;
    this.currency = currency;
  }

  get ownerId(): string | null {
    return this.user?.id ?? null;
  }
}
