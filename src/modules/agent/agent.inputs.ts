import { IsOptional, Length, Matches } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';

@InputType({
  description: 'text: 1 to 10,000 characters. The same clientMessageId twice in a session returns the first run instead of starting another.',
})
export class SendMessageInput {
  @Field(() => ID, { description: "The chat session; NOT_FOUND when it is not the caller's." })
  sessionId!: string;

  @Field(() => String, { description: 'What the user says, 1 to 10,000 characters, not blank.' })
  @Length(1, 10_000, { message: 'must be 1 to 10,000 characters' })
  @Matches(/\S/, { message: 'must not be blank' })
  text!: string;

  @Field(() => String, {
    description: 'Optional id the client made for this message (1 to 200 characters), so a retry after a network error does not start a second run.',
    nullable: true,
  })
  @IsOptional()
  @Length(1, 200, { message: 'must be 1 to 200 characters' })
  @Matches(/\S/, { message: 'must not be blank' })
  clientMessageId?: string | null;
}
