import { Length } from 'class-validator';
import { Field, InputType } from 'type-graphql';

@InputType()
export class OpenAccountInput {
  @Field(() => String)
  @Length(1, 100, { message: 'must be 1 to 100 characters' })
  name!: string;

  @Field(() => String)
  @Length(3, 3, { message: 'must be an ISO 4217 currency code, e.g. "USD"' })
  currency!: string;
}
