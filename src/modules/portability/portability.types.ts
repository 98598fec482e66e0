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
}
