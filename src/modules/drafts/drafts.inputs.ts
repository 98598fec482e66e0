import { ArrayMaxSize, ArrayMinSize, Length, MaxLength, ValidateNested } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';
import { DraftUpdateMode, FeedbackStyle } from './drafts.types.js';
import { SIZE_CAPS } from '../../shared/size-caps.js';

@InputType('DraftSectionInput')
export class DraftSectionInput {
  @Field(() => String)
  @Length(1, SIZE_CAPS.sectionName, { message: `must be 1 to ${SIZE_CAPS.sectionName} characters` })
  name!: string;

  @Field(() => String)
  @MaxLength(SIZE_CAPS.draftInputContent, { message: `must be at most ${SIZE_CAPS.draftInputContent} characters` })
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
  @ArrayMaxSize(SIZE_CAPS.draftInputSections, { message: `must have at most ${SIZE_CAPS.draftInputSections} sections` })
  @ValidateNested({ each: true })
  sections!: DraftSectionInput[];

  @Field(() => DraftUpdateMode, { defaultValue: DraftUpdateMode.MERGE })
  mode!: DraftUpdateMode;
}

@InputType('TemplateSectionInput')
export class TemplateSectionInput {
  @Field(() => String)
  @Length(1, SIZE_CAPS.sectionName, { message: `must be 1 to ${SIZE_CAPS.sectionName} characters` })
  name!: string;

  @Field(() => String)
  @MaxLength(SIZE_CAPS.sectionDescription, { message: `must be at most ${SIZE_CAPS.sectionDescription} characters` })
  description!: string;

  @Field(() => [String], { nullable: true })
  @ArrayMaxSize(SIZE_CAPS.sectionAliases, { message: `must have at most ${SIZE_CAPS.sectionAliases} aliases` })
  @Length(1, SIZE_CAPS.sectionName, { each: true, message: `each must be 1 to ${SIZE_CAPS.sectionName} characters` })
  aliases?: string[] | null;
}

@InputType('SaveTemplateInput', { description: 'Creates a template, or updates the one with the given id.' })
export class SaveTemplateInput {
  @Field(() => ID, { nullable: true })
  id?: string | null;

  @Field(() => String)
  @Length(1, SIZE_CAPS.templateName, { message: `must be 1 to ${SIZE_CAPS.templateName} characters` })
  name!: string;

  @Field(() => [TemplateSectionInput])
  @ArrayMinSize(1, { message: 'must have at least one section' })
  @ArrayMaxSize(SIZE_CAPS.templateSections, { message: `must have at most ${SIZE_CAPS.templateSections} sections` })
  @ValidateNested({ each: true })
  sections!: TemplateSectionInput[];
}

@InputType('GlossaryTermInput')
export class GlossaryTermInput {
  @Field(() => String)
  @Length(1, SIZE_CAPS.glossaryTerm, { message: `must be 1 to ${SIZE_CAPS.glossaryTerm} characters` })
  term!: string;

  @Field(() => String)
  @MaxLength(SIZE_CAPS.glossaryDefinition, { message: `must be at most ${SIZE_CAPS.glossaryDefinition} characters` })
  definition!: string;
}

@InputType('UpdatePreferencesInput', { description: 'Fields left out stay as they are.' })
export class UpdatePreferencesInput {
  @Field(() => String, { nullable: true })
  @MaxLength(SIZE_CAPS.purposeStatement, { message: `must be at most ${SIZE_CAPS.purposeStatement} characters` })
  purposeStatement?: string | null;

  @Field(() => [String], { nullable: true })
  @ArrayMaxSize(SIZE_CAPS.listItems, { message: `must have at most ${SIZE_CAPS.listItems} items` })
  @Length(1, SIZE_CAPS.listItem, { each: true, message: `each must be 1 to ${SIZE_CAPS.listItem} characters` })
  longTermGoals?: string[] | null;

  @Field(() => [String], { nullable: true })
  @ArrayMaxSize(SIZE_CAPS.listItems, { message: `must have at most ${SIZE_CAPS.listItems} items` })
  @Length(1, SIZE_CAPS.listItem, { each: true, message: `each must be 1 to ${SIZE_CAPS.listItem} characters` })
  knownChallenges?: string[] | null;

  @Field(() => FeedbackStyle, { nullable: true })
  preferredFeedbackStyle?: FeedbackStyle | null;

  @Field(() => [GlossaryTermInput], { nullable: true })
  @ArrayMaxSize(SIZE_CAPS.glossaryTerms, { message: `must have at most ${SIZE_CAPS.glossaryTerms} terms` })
  @ValidateNested({ each: true })
  personalGlossary?: GlossaryTermInput[] | null;

  @Field(() => String, { nullable: true, description: "IANA time zone, e.g. 'America/New_York'; BAD_USER_INPUT for a name the server does not know." })
  @MaxLength(64, { message: 'must be at most 64 characters' })
  timeZone?: string | null;
}
