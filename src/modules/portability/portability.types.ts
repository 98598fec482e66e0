import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType('ImportSummary', { description: 'How many of each the imported document held.' })
export class ImportSummary {
  @Field(() => Int, { description: 'Templates created.' })
  templates!: number;

  @Field(() => Int, { description: 'Journal entries created.' })
  journalEntries!: number;

  @Field(() => Int, { description: 'Chat sessions created.' })
  chatSessions!: number;

  @Field(() => Int, { description: 'Messages created across those sessions.' })
  messages!: number;

  @Field(() => Int, {
    description: 'Cards restored: those whose account the caller has (the same number, else the same name and currency); one already there is not doubled.',
  })
  cards!: number;

  @Field(() => Int, { description: 'Budget jars added; a jar whose name the caller already has (ignoring case) is matched, not doubled.' })
  jars!: number;

  @Field(() => Int, { description: 'Fees added; one equal to a fee the caller has (name, amount, cadence, due day) is not doubled.' })
  fees!: number;

  @Field(() => Int, {
    description: "Payments moved to another jar, applied to the caller's matching card payments (same account number, merchant, amount and time).",
  })
  jarAssignments!: number;

  @Field(() => Int, {
    description: "Goals added (a savings goal's account is relinked when the caller has it: the same number, else the same name and currency).",
  })
  goals!: number;

  @Field(() => Int, { description: 'Plan items added; a day the caller already planned keeps its items, and the imported ones follow them.' })
  planItems!: number;
}
