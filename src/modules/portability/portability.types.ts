import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType('ImportSummary', { description: 'How many of each the imported document held.' })
export class ImportSummary {
  @Field(() => Int, { description: 'Templates in the document (one the caller already had with the same name and sections is matched, not doubled).' })
  templates!: number;

  @Field(() => Int, { description: 'Journal entries added.' })
  journalEntries!: number;

  @Field(() => Int, { description: 'Chat sessions added.' })
  chatSessions!: number;

  @Field(() => Int, { description: 'Chat messages added, over all sessions.' })
  messages!: number;

  @Field(() => Int, {
    description: 'Cards restored: those whose account the caller has (the same number, else the same name and currency); one already there is not doubled.',
  })
  cards!: number;

  @Field(() => Int, {
    description: "Goals added (a savings goal's account is relinked when the caller has it: the same number, else the same name and currency).",
  })
  goals!: number;

  @Field(() => Int, { description: 'Plan items added; a day the caller already planned keeps its items, and the imported ones follow them.' })
  planItems!: number;
}
