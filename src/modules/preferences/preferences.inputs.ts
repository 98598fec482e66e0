import { ArrayMaxSize, Length, MaxLength, ValidateNested } from 'class-validator';
import { Field, InputType } from 'type-graphql';
import { SIZE_CAPS } from '../../shared/size-caps.js';
import { FeedbackStyle } from './preferences.types.js';

@InputType('GlossaryTermInput', { description: 'A word the user uses in a personal sense.' })
export class GlossaryTermInput {
  @Field(() => String, { description: '1 to 100 characters.' })
  @Length(1, SIZE_CAPS.glossaryTerm, { message: `must be 1 to ${SIZE_CAPS.glossaryTerm} characters` })
  term!: string;

  @Field(() => String, { description: 'What the user means; at most 1,000 characters.' })
  @MaxLength(SIZE_CAPS.glossaryDefinition, { message: `must be at most ${SIZE_CAPS.glossaryDefinition} characters` })
  definition!: string;
}

@InputType('UpdatePreferencesInput', { description: 'Fields left out stay as they are.' })
export class UpdatePreferencesInput {
  @Field(() => String, { description: 'Why the user journals, at most 2,000 characters; a blank text clears it.', nullable: true })
  @MaxLength(SIZE_CAPS.purposeStatement, { message: `must be at most ${SIZE_CAPS.purposeStatement} characters` })
  purposeStatement?: string | null;

  @Field(() => [String], { description: 'Replaces the list: up to 20 items, each 1 to 500 characters.', nullable: true })
  @ArrayMaxSize(SIZE_CAPS.listItems, { message: `must have at most ${SIZE_CAPS.listItems} items` })
  @Length(1, SIZE_CAPS.listItem, { each: true, message: `each must be 1 to ${SIZE_CAPS.listItem} characters` })
  longTermGoals?: string[] | null;

  @Field(() => [String], { description: 'Replaces the list: up to 20 items, each 1 to 500 characters.', nullable: true })
  @ArrayMaxSize(SIZE_CAPS.listItems, { message: `must have at most ${SIZE_CAPS.listItems} items` })
  @Length(1, SIZE_CAPS.listItem, { each: true, message: `each must be 1 to ${SIZE_CAPS.listItem} characters` })
  knownChallenges?: string[] | null;

  @Field(() => FeedbackStyle, { description: 'How the assistant phrases feedback.', nullable: true })
  preferredFeedbackStyle?: FeedbackStyle | null;

  @Field(() => [GlossaryTermInput], { description: 'Replaces the glossary: up to 100 terms.', nullable: true })
  @ArrayMaxSize(SIZE_CAPS.glossaryTerms, { message: `must have at most ${SIZE_CAPS.glossaryTerms} terms` })
  @ValidateNested({ each: true })
  personalGlossary?: GlossaryTermInput[] | null;

  @Field(() => String, { nullable: true, description: 'IANA time zone, e.g. "America/New_York"; BAD_USER_INPUT for an unknown zone.' })
  @MaxLength(64, { message: 'must be at most 64 characters' })
  timeZone?: string | null;
}
