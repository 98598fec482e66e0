import { Field, ObjectType, registerEnumType } from 'type-graphql';

@ObjectType('DraftSection')
export class DraftSection {
  @Field(() => String)
  name!: string;

  @Field(() => String)
  content!: string;
}

@ObjectType('TemplateSection')
export class TemplateSection {
  @Field(() => String)
  name!: string;

  @Field(() => String)
  description!: string;

  @Field(() => [String])
  aliases!: string[];
}

@ObjectType('GlossaryTerm')
export class GlossaryTerm {
  @Field(() => String)
  term!: string;

  @Field(() => String)
  definition!: string;
}

export enum DraftUpdateMode {
  MERGE = 'MERGE',
  REPLACE = 'REPLACE',
}
registerEnumType(DraftUpdateMode, { name: 'DraftUpdateMode' });

export enum FeedbackStyle {
  SUPPORTIVE = 'SUPPORTIVE',
  DIRECT = 'DIRECT',
  ENCOURAGING = 'ENCOURAGING',
}
registerEnumType(FeedbackStyle, { name: 'FeedbackStyle' });

/** The GraphQL shape of preferences: no id or timestamps, since the defaults have no row. */
@ObjectType('UserPreferences')
export class UserPreferencesView {
  @Field(() => String, { nullable: true })
  purposeStatement!: string | null;

  @Field(() => [String])
  longTermGoals!: string[];

  @Field(() => [String])
  knownChallenges!: string[];

  @Field(() => FeedbackStyle)
  preferredFeedbackStyle!: FeedbackStyle;

  @Field(() => [GlossaryTerm])
  personalGlossary!: GlossaryTerm[];

  @Field(() => String, { description: "IANA time zone, e.g. 'Europe/Paris' (default 'UTC'): plan dates and week starts are days in it." })
  timeZone!: string;
}
