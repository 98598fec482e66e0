import { Entity, Enum, Property, Unique } from '@mikro-orm/core';
import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { BaseEntity } from '../../db/base.entity.js';

export enum Role {
  CUSTOMER = 'CUSTOMER',
  OPERATOR = 'OPERATOR',
}
registerEnumType(Role, { name: 'Role' });

@ObjectType()
@Entity({ tableName: 'app_user' })
export class User extends BaseEntity<'role' | 'email' | 'emailKey'> {
  @Field(() => String)
  @Property({ type: 'text' })
  username: string;

  /** Lower-cased username: uniqueness is case-insensitive. */
  @Unique()
  @Property({ type: 'text' })
  usernameKey: string;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  email: string | null = null;

  @Unique()
  @Property({ type: 'text', nullable: true })
  emailKey: string | null = null;

  @Property({ type: 'text', lazy: true })
  passwordHash: string;

  @Field(() => Role)
  @Enum({ items: () => Role, nativeEnumName: 'user_role' })
  role: Role = Role.CUSTOMER;

  constructor(username: string, passwordHash: string, email: string | null = null) {
    super();
    this.username = username;
    this.usernameKey = username.toLowerCase();
    this.passwordHash = passwordHash;
    this.email = email;
    this.emailKey = email?.toLowerCase() ?? null;
  }
}
