import { Entity, Enum, Property, Unique } from '@mikro-orm/core';
import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { BaseEntity } from '../../db/base.entity.js';

export enum Role {
  CUSTOMER = 'CUSTOMER',
  OPERATOR = 'OPERATOR',
}
registerEnumType(Role, {
  description: 'What a user may do.',
  name: 'Role',
  valuesConfig: {
    OPERATOR: { description: "The bank's own systems: also recordDeposit and recordCardPayment." },
    CUSTOMER: { description: 'A bank customer: their own accounts, cards, chats and journal.' },
  },
});

@ObjectType({ description: 'A person (CUSTOMER) or a bank system (OPERATOR) that signs in.' })
@Entity({ tableName: 'app_user' })
export class User extends BaseEntity<'role' | 'email' | 'emailKey' | 'deletedAt'> {
  @Field(() => String, { description: 'Unique sign-in name.' })
  @Property({ type: 'text' })
  username: string;

  /** Lower-cased username: uniqueness is case-insensitive. */
  @Unique()
  @Property({ type: 'text' })
  usernameKey: string;

  @Field(() => String, { description: 'Null when none was given at registration.', nullable: true })
  @Property({ type: 'text', nullable: true })
  email: string | null = null;

  @Unique()
  @Property({ type: 'text', nullable: true })
  emailKey: string | null = null;

  @Property({ type: 'text', lazy: true })
  passwordHash: string;

  @Field(() => Role, { description: 'CUSTOMER or OPERATOR.' })
  @Enum({ items: () => Role, nativeEnumName: 'user_role' })
  role: Role = Role.CUSTOMER;

  /** Set by deleteMyAccount: the row stays (the ledger and the audit trail point at it), anonymized. */
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  deletedAt?: Date | null;

  constructor(username: string, passwordHash: string, email: string | null = null) {
    super();
    this.username = username;
    this.usernameKey = username.toLowerCase();
    this.passwordHash = passwordHash;
    this.email = email;
    this.emailKey = email?.toLowerCase() ?? null;
  }
}
