import { ArrayMaxSize, ArrayMinSize, Length, MaxLength, ValidateNested } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';
import { DraftUpdateMode } from './drafts.types.js';
import { SIZE_CAPS } from '../../shared/size-caps.js';

@InputType('DraftSectionInput', { description: 'Text for one section of the draft.' })
export class DraftSectionInput {
  @Field(() => String, { description: 'A section of the active template, by name or one of its aliases (case-insensitive); 1 to 80 characters.' })
  @Length(1, SIZE_CAPS.sectionName, { message: `must be 1 to ${SIZE_CAPS.sectionName} characters` })
  name!: string;

  @Field(() => String, { description: 'At most 10,000 characters.' })
  @MaxLength(SIZE_CAPS.draftInputContent, { message: `must be at most ${SIZE_CAPS.draftInputContent} characters` })
  content!: string;
}

@InputType('UpdateDraftInput', {
  description:
    'MERGE appends to sections that already have content; REPLACE sets the sections given. Section names must be in the active template (BAD_USER_INPUT otherwise).',
})
export class UpdateDraftInput {
  @Field(() => ID, { description: "The JOURNALING session; NOT_FOUND when it is not the caller's." })
  sessionId!: string;

  @Field(() => [DraftSectionInput], { description: '1 to 30 sections to write.' })
  @ArrayMinSize(1, { message: 'must name at least one section' })
  @ArrayMaxSize(SIZE_CAPS.draftInputSections, { message: `must have at most ${SIZE_CAPS.draftInputSections} sections` })
  @ValidateNested({ each: true })
  sections!: DraftSectionInput[];

  @Field(() => DraftUpdateMode, { description: 'MERGE (append, the default) or REPLACE.', defaultValue: DraftUpdateMode.MERGE })
  mode!: DraftUpdateMode;
}

@InputType('TemplateSectionInput', { description: 'One section of a journaling template.' })
export class TemplateSectionInput {
  @Field(() => String, { description: '1 to 80 characters, unique in the template.' })
  @Length(1, SIZE_CAPS.sectionName, { message: `must be 1 to ${SIZE_CAPS.sectionName} characters` })
  name!: string;

  @Field(() => String, { description: 'What belongs in it, at most 1,000 characters; the assistant reads it.' })
  @MaxLength(SIZE_CAPS.sectionDescription, { message: `must be at most ${SIZE_CAPS.sectionDescription} characters` })
  description!: string;

  @Field(() => [String], { description: 'Up to 10 other names, each 1 to 80 characters.', nullable: true })
  @ArrayMaxSize(SIZE_CAPS.sectionAliases, { message: `must have at most ${SIZE_CAPS.sectionAliases} aliases` })
  @Length(1, SIZE_CAPS.sectionName, { each: true, message: `each must be 1 to ${SIZE_CAPS.sectionName} characters` })
  aliases?: string[] | null;
}

@InputType('SaveTemplateInput', { description: 'Creates a template, or updates the one with the given id.' })
export class SaveTemplateInput {
  @Field(() => ID, { description: "The caller's template to update; null to create a new one. NOT_FOUND when it is not the caller's.", nullable: true })
  id?: string | null;

  @Field(() => String, { description: '1 to 100 characters.' })
  @Length(1, SIZE_CAPS.templateName, { message: `must be 1 to ${SIZE_CAPS.templateName} characters` })
  name!: string;

  @Field(() => [TemplateSectionInput], { description: '1 to 30 sections, in the order drafts show them.' })
  @ArrayMinSize(1, { message: 'must have at least one section' })
  @ArrayMaxSize(SIZE_CAPS.templateSections, { message: `must have at most ${SIZE_CAPS.templateSections} sections` })
  @ValidateNested({ each: true })
  sections!: TemplateSectionInput[];
}
