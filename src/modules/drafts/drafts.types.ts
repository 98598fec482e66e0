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
