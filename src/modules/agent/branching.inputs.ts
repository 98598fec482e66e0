import { Length, Matches } from 'class-validator';
import { ArgsType, Field, ID } from 'type-graphql';

@ArgsType()
export class EditMessageArgs {
  @Field(() => ID, { description: "A user message of one of the caller's sessions; NOT_FOUND otherwise, NOT_BRANCHABLE for an assistant message." })
  messageId!: string;

  @Field(() => String, { description: 'The new text, 1 to 10,000 characters, not blank.' })
  @Length(1, 10_000, { message: 'must be 1 to 10,000 characters' })
  @Matches(/\S/, { message: 'must not be blank' })
  text!: string;
}
