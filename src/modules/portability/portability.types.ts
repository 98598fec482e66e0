import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType('ImportSummary', { description: 'How many of each the imported document held.' })
export class ImportSummary {
  @Field(() => Int)
  templates!: number;

  @Field(() => Int)
  journalEntries!: number;

  @Field(() => Int)
  chatSessions!: number;

  @Field(() => Int)
  messages!: number;

  @Field(() => Int, {
    description: 'Cards restored: those whose account the caller has (the same number, else the same name and currency); one already there is not doubled.',
  })
  cards!: number;
}
