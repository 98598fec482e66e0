import { IsOptional, Length, Matches } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';

@InputType({
  description: 'text: 1 to 10,000 characters. The same clientMessageId twice in a session returns the first run instead of starting another.',
})
export class SendMessageInput {
  @Field(() => ID)
  sessionId!: string;

  @Field(() => String)
  @Length(1, 10_000, { message: 'must be 1 to 10,000 characters' })
  @Matches(/\S/, { message: 'must not be blank' })
  text!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 200, { message: 'must be 1 to 200 characters' })
  @Matches(/\S/, { message: 'must not be blank' })
  clientMessageId?: string | null;
}
