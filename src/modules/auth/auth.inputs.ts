import { IsEmail, Length, Matches, MaxLength } from 'class-validator';
import { Field, InputType } from 'type-graphql';

export const USERNAME_PATTERN = /^[A-Za-z0-9_.-]+$/;

@InputType()
export class RegisterInput {
  @Field(() => String)
  @Length(3, 100, { message: 'must be 3 to 100 characters' })
  @Matches(USERNAME_PATTERN, { message: 'may contain only letters, digits, "_", "." and "-"' })
  username!: string;

  @Field(() => String, { nullable: true })
  @MaxLength(254, { message: 'must be at most 254 characters' })
  @IsEmail({}, { message: 'must be a valid email address' })
  email?: string | null;

  @Field(() => String)
  @Length(8, 128, { message: 'must be 8 to 128 characters' })
  password!: string;
}

@InputType({ description: "username may also be the account's email." })
export class LoginInput {
  @Field(() => String)
  @Length(1, 254, { message: 'must be 1 to 254 characters' })
  username!: string;

  @Field(() => String)
  @Length(1, 128, { message: 'must be 1 to 128 characters' })
  password!: string;
}

@InputType()
export class ChangePasswordInput {
  @Field(() => String)
  @Length(1, 128, { message: 'must be 1 to 128 characters' })
  currentPassword!: string;

  @Field(() => String)
  @Length(8, 128, { message: 'must be 8 to 128 characters' })
  newPassword!: string;
}
