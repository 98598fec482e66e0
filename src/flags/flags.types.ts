import { Field, ObjectType } from 'type-graphql';

@ObjectType('FeatureFlag', { description: 'A switch evaluated for the caller (OpenFeature): what the client may show.' })
export class FeatureFlagView {
  @Field(() => String, { description: 'e.g. "ai", "groups", "linked-accounts", "tools.money".' })
  key!: string;

  @Field(() => Boolean, { description: 'On for this caller.' })
  enabled!: boolean;

  @Field(() => String, { description: '"on" or "off".', nullable: true })
  variant!: string | null;

  @Field(() => String, { description: 'Why this value: STATIC, TARGETING_MATCH, SPLIT, DEFAULT, DISABLED or ERROR.' })
  reason!: string;
}
