import { Field, ObjectType, registerEnumType } from 'type-graphql';

@ObjectType('GlossaryTerm', { description: 'A word the user uses in a personal sense, so the assistant understands it.' })
export class GlossaryTerm {
  @Field(() => String, { description: 'The word or phrase, e.g. "fun money".' })
  term!: string;

  @Field(() => String, { description: 'What the user means by it.' })
  definition!: string;
}

export enum FeedbackStyle {
  SUPPORTIVE = 'SUPPORTIVE',
  DIRECT = 'DIRECT',
  ENCOURAGING = 'ENCOURAGING',
}
registerEnumType(FeedbackStyle, {
  description: 'How the assistant phrases its feedback.',
  name: 'FeedbackStyle',
  valuesConfig: {
    SUPPORTIVE: { description: 'Gentle and empathetic (the default).' },
    ENCOURAGING: { description: 'Upbeat, highlighting progress.' },
    DIRECT: { description: 'Straight to the point.' },
  },
});

/** The GraphQL shape of preferences: no id or timestamps, since the defaults have no row. */
@ObjectType('UserPreferences', { description: 'What the assistant knows about the user and uses in its answers.' })
export class UserPreferencesView {
  @Field(() => String, { description: 'Why the user journals; null when not given.', nullable: true })
  purposeStatement!: string | null;

  @Field(() => [String], { description: "The user's goals, in their words; [] when none." })
  longTermGoals!: string[];

  @Field(() => [String], { description: 'Things the user finds hard, in their words; [] when none.' })
  knownChallenges!: string[];

  @Field(() => FeedbackStyle, { description: 'SUPPORTIVE until the user chooses.' })
  preferredFeedbackStyle!: FeedbackStyle;

  @Field(() => [GlossaryTerm], { description: 'Words the user uses in a personal sense; [] when none.' })
  personalGlossary!: GlossaryTerm[];

  @Field(() => String, { description: 'IANA time zone, e.g. "Europe/Paris"; where the user\'s days and months begin (budgets, plans). Default "UTC".' })
  timeZone!: string;
}
