import { Length } from 'class-validator';
import { Field, InputType } from 'type-graphql';

@InputType({ description: 'A new account.' })
export class OpenAccountInput {
  @Field(() => String, { description: '1 to 100 characters, e.g. "Savings".' })
  @Length(1, 100, { message: 'must be 1 to 100 characters' })
  name!: string;

  @Field(() => String, { description: 'ISO 4217 code, three letters, e.g. "USD"; BAD_USER_INPUT for an unknown one.' })
  @Length(3, 3, { message: 'must be an ISO 4217 currency code, e.g. "USD"' })
  currency!: string;
}
