import { Field, ObjectType, registerEnumType } from 'type-graphql';

@ObjectType('DraftSection', { description: 'One named part of a draft or journal entry.' })
export class DraftSection {
  @Field(() => String, { description: 'The template section it fills, e.g. "Feelings".' })
  name!: string;

  @Field(() => String, { description: 'The text so far; "" when empty. At most 50,000 characters.' })
  content!: string;
}

@ObjectType('TemplateSection', { description: 'One section of a journaling template.' })
export class TemplateSection {
  @Field(() => String, { description: 'The section name drafts show, e.g. "Feelings".' })
  name!: string;

  @Field(() => String, { description: 'What belongs in it; the assistant reads it.' })
  description!: string;

  @Field(() => [String], { description: 'Other names the assistant and updateDraft accept for it, e.g. "Emotions" for "Feelings".' })
  aliases!: string[];
}

@ObjectType('GlossaryTerm', { description: 'A word the user uses in a personal sense, so the assistant understands it.' })
export class GlossaryTerm {
  @Field(() => String, { description: 'The word or phrase, e.g. "fun money".' })
  term!: string;

  @Field(() => String, { description: 'What the user means by it.' })
  definition!: string;
}

export enum DraftUpdateMode {
  MERGE = 'MERGE',
  REPLACE = 'REPLACE',
}
registerEnumType(DraftUpdateMode, {
  description: 'How updateDraft combines new text with what is there.',
  name: 'DraftUpdateMode',
  valuesConfig: {
    REPLACE: { description: 'Sets the sections given to exactly this text; others stay.' },
    MERGE: { description: 'Appends to sections that already have content.' },
  },
});

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
