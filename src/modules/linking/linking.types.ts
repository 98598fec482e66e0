import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Money } from '../../shared/money.js';
import { LinkedAccountEventKind, LinkedAccountKind, LinkStatus } from './linking.enums.js';

@ObjectType('Institution', { description: 'A bank the aggregator can link.' })
export class InstitutionView {
  @Field(() => ID, { description: "The aggregator's institution id." })
  id!: string;

  @Field(() => String, { description: 'The bank as people know it.' })
  name!: string;
}

@ObjectType('LinkedAccount', { description: 'An account at another bank, read through the aggregator. Read-only: money never moves through it.' })
export class LinkedAccountView {
  @Field(() => ID, { description: 'The linked account id (UUID).' })
  id!: string;

  @Field(() => InstitutionView, { description: 'Its bank.' })
  institution!: InstitutionView;

  @Field(() => String, { description: 'The name the bank gives it.' })
  name!: string;

  @Field(() => String, { nullable: true, description: "The last digits the bank shows, e.g. '4321'." })
  mask!: string | null;

  @Field(() => LinkedAccountKind, { description: 'What kind of account it is.' })
  kind!: LinkedAccountKind;

  @Field(() => String, { description: 'ISO 4217 code of its balance and transactions.' })
  currency!: string;

  @Field(() => Money, { nullable: true, description: 'As the bank last reported it.' })
  balance!: Money | null;

  @Field(() => LinkStatus, { description: 'Whether it syncs.' })
  status!: LinkStatus;

  @Field(() => Date, { nullable: true, description: 'When a sync last committed.' })
  lastSyncedAt!: Date | null;
}

@ObjectType('LinkSession', {
  description: "A started link: the client opens linkUrl (the aggregator's own consent page) or, in the sandbox, exchanges a public token directly.",
})
export class LinkSessionView {
  @Field(() => ID, { description: 'Pass it to completeAccountLink with the public token.' })
  id!: string;

  @Field(() => String, { description: "The aggregator's consent page." })
  linkUrl!: string;

  @Field(() => Date, { description: 'After this, completeAccountLink answers LINK_SESSION_EXPIRED.' })
  expiresAt!: Date;

  @Field(() => InstitutionView, { description: 'The bank being linked.' })
  institution!: InstitutionView;
}

@ObjectType('SyncResult', { description: 'What one sync changed.' })
export class SyncResultView {
  @Field(() => LinkedAccountView, { description: 'The account, as it is after the sync.' })
  linkedAccount!: LinkedAccountView;

  @Field(() => Int, { description: 'Transactions the bank added.' })
  added!: number;

  @Field(() => Int, { description: 'Transactions the bank changed.' })
  modified!: number;

  @Field(() => Int, { description: 'Transactions the bank removed.' })
  removed!: number;
}

@ObjectType('LinkedAccountEvent', { description: "A sync or a sign-in request of one of the caller's linked accounts." })
export class LinkedAccountEventView {
  @Field(() => LinkedAccountEventKind, { description: 'What happened.' })
  kind!: LinkedAccountEventKind;

  @Field(() => LinkedAccountView, { description: 'The account.' })
  linkedAccount!: LinkedAccountView;

  @Field(() => SyncResultView, { nullable: true, description: 'For SYNCED: what changed.' })
  sync!: SyncResultView | null;
}
