import { BigIntType, Check, Entity, Enum, Index, ManyToOne, Property, type Ref } from '@mikro-orm/core';
import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { BaseEntity } from '../../db/base.entity.js';
import { Account } from '../accounts/account.entity.js';
import { User } from '../auth/user.entity.js';

export enum CardKind {
  PHYSICAL = 'PHYSICAL',
  VIRTUAL = 'VIRTUAL',
}
registerEnumType(CardKind, {
  name: 'CardKind',
  description: 'A plastic card or a number for online use only.',
  valuesConfig: { VIRTUAL: { description: 'A card number for online payments only.' }, PHYSICAL: { description: 'A plastic card.' } },
});

export enum CardStatus {
  ACTIVE = 'ACTIVE',
  FROZEN = 'FROZEN',
  CANCELLED = 'CANCELLED',
}
registerEnumType(CardStatus, {
  name: 'CardStatus',
  description: 'FROZEN declines payments until unfrozen; CANCELLED is final.',
  valuesConfig: {
    FROZEN: { description: 'Temporarily blocked by its owner: payments are declined (CARD_FROZEN) until unfreezeCard.' },
    CANCELLED: { description: 'Final: payments are declined and the card cannot be unfrozen or updated (CARD_NOT_ACTIVE).' },
    ACTIVE: { description: 'Payments are approved within balance and monthly limit.' },
  },
});

/**
 * A payment card on one of the caller's accounts. Only the last four digits of its number
 * are kept: the full number is generated (Luhn-valid) and discarded at issue.
 */
@ObjectType('Card', {
  description:
    "A payment card on one of the caller's accounts. The gateway never stores or returns a full card number or a security code: only the last four digits.",
})
@Entity()
@Check({ name: 'card_monthly_limit_check', expression: 'monthly_limit is null or monthly_limit > 0' })
export class Card extends BaseEntity<'label' | 'status' | 'monthlyLimit'> {
  @Index()
  @ManyToOne(() => Account, { ref: true })
  account!: Ref<Account>;

  /** The account's owner, copied in (accounts never change owner) so ownership needs no join. */
  @Index()
  @ManyToOne(() => User, { ref: true })
  user!: Ref<User>;

  /** The account's currency, copied in (accounts never change currency): limits and spending are in it. */
  @Property({ type: 'text' })
  currency!: string;

  @Field(() => CardKind, { description: 'PHYSICAL or VIRTUAL.' })
  @Enum({ items: () => CardKind, nativeEnumName: 'card_kind' })
  kind!: CardKind;

  @Field(() => String, { nullable: true, description: "Whatever the user calls it, e.g. 'Groceries card'." })
  @Property({ type: 'text', nullable: true })
  label: string | null = null;

  @Field(() => String, { description: 'The last four digits of the card number: all the gateway ever knew after issuing it.' })
  @Property({ type: 'text' })
  last4!: string;

  @Field(() => Int, { description: 'The card is valid to the end of this month (UTC).' })
  @Property({ type: 'smallint' })
  expiryMonth!: number;

  @Field(() => Int, { description: 'Four-digit year of expiry, with expiryMonth.' })
  @Property({ type: 'smallint' })
  expiryYear!: number;

  @Field(() => CardStatus, { description: 'ACTIVE, FROZEN (payments declined until unfrozen) or CANCELLED (final).' })
  @Enum({ items: () => CardStatus, nativeEnumName: 'card_status' })
  status: CardStatus = CardStatus.ACTIVE;

  /** In the account's currency; null: only the balance limits spending. */
  @Property({ type: new BigIntType('bigint'), nullable: true })
  monthlyLimit: bigint | null = null;

  get accountId(): string {
    return this.account.id;
  }

  get ownerId(): string {
    return this.user.id;
  }
}
