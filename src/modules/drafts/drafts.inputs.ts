import { ArrayMaxSize, ArrayMinSize, Length, MaxLength, ValidateNested } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';
import { DraftUpdateMode, FeedbackStyle } from './drafts.types.js';
import { LIMITS } from '../../shared/limits.js';

@InputType('DraftSectionInput')
export class DraftSectionInput {
  @Field(() => String)
  @Length(1, LIMITS.sectionName, { message: `must be 1 to ${LIMITS.sectionName} characters` })
  name!: string;

  @Field(() => String)
  @MaxLength(LIMITS.draftInputContent, { message: `must be at most ${LIMITS.draftInputContent} characters` })
  content!: string;
}

@InputType('UpdateDraftInput', {
  description:
    'MERGE appends to sections that already have content; REPLACE sets the sections given. Section names must be in the active template (BAD_USER_INPUT otherwise).',
})
export class UpdateDraftInput {
  @Field(() => ID)
  sessionId!: string;

  @Field(() => [DraftSectionInput])
  @ArrayMinSize(1, { message: 'must name at least one section' })
  @ArrayMaxSize(LIMITS.draftInputSections, { message: `must have at most ${LIMITS.draftInputSections} sections` })
  @ValidateNested({ each: true })
  sections!: DraftSectionInput[];

  @Field(() => DraftUpdateMode, { defaultValue: DraftUpdateMode.MERGE })
  mode!: DraftUpdateMode;
}

@InputType('TemplateSectionInput')
export class TemplateSectionInput {
  @Field(() => String)
  @Length(1, LIMITS.sectionName, { message: `must be 1 to ${LIMITS.sectionName} characters` })
  name!: string;

  @Field(() => String)
  @MaxLength(LIMITS.sectionDescription, { message: `must be at most ${LIMITS.sectionDescription} characters` })
  description!: string;

  @Field(() => [String], { nullable: true })
  @ArrayMaxSize(LIMITS.sectionAliases, { message: `must have at most ${LIMITS.sectionAliases} aliases` })
  @Length(1, LIMITS.sectionName, { each: true, message: `each must be 1 to ${LIMITS.sectionName} characters` })
  aliases?: string[] | null;
}

@InputType('SaveTemplateInput', { description: 'Creates a template, or updates the one with the given id.' })
export class SaveTemplateInput {
  @Field(() => ID, { nullable: true })
  id?: string | null;

  @Field(() => String)
  @Length(1, LIMITS.templateName, { message: `must be 1 to ${LIMITS.templateName} characters` })
  name!: string;

  @Field(() => [TemplateSectionInput])
  @ArrayMinSize(1, { message: 'must have at least one section' })
  @ArrayMaxSize(LIMITS.templateSections, { message: `must have at most ${LIMITS.templateSections} sections` })
  @ValidateNested({ each: true })
  sections!: TemplateSectionInput[];
}

@InputType('GlossaryTermInput')
export class GlossaryTermInput {
  @Field(() => String)
  @Length(1, LIMITS.glossaryTerm, { message: `must be 1 to ${LIMITS.glossaryTerm} characters` })
  term!: string;

  @Field(() => String)
  @MaxLength(LIMITS.glossaryDefinition, { message: `must be at most ${LIMITS.glossaryDefinition} characters` })
  definition!: string;
}

@InputType('UpdatePreferencesInput', { description: 'Fields left out stay as they are.' })
export class UpdatePreferencesInput {
  @Field(() => String, { nullable: true })
  @MaxLength(LIMITS.purposeStatement, { message: `must be at most ${LIMITS.purposeStatement} characters` })
  purposeStatement?: string | null;

  @Field(() => [String], { nullable: true })
  @ArrayMaxSize(LIMITS.listItems, { message: `must have at most ${LIMITS.listItems} items` })
  @Length(1, LIMITS.listItem, { each: true, message: `each must be 1 to ${LIMITS.listItem} characters` })
  longTermGoals?: string[] | null;

  @Field(() => [String], { nullable: true })
  @ArrayMaxSize(LIMITS.listItems, { message: `must have at most ${LIMITS.listItems} items` })
  @Length(1, LIMITS.listItem, { each: true, message: `each must be 1 to ${LIMITS.listItem} characters` })
  knownChallenges?: string[] | null;

  @Field(() => FeedbackStyle, { nullable: true })
  preferredFeedbackStyle?: FeedbackStyle | null;

  @Field(() => [GlossaryTermInput], { nullable: true })
  @ArrayMaxSize(LIMITS.glossaryTerms, { message: `must have at most ${LIMITS.glossaryTerms} terms` })
  @ValidateNested({ each: true })
  personalGlossary?: GlossaryTermInput[] | null;
}
