import { IsEmail, Length, Matches, MaxLength } from 'class-validator';
import { Field, InputType } from 'type-graphql';

export const USERNAME_PATTERN = /^[A-Za-z0-9_.-]+$/;

@InputType({ description: 'A new CUSTOMER user.' })
export class RegisterInput {
  @Field(() => String, { description: '3 to 100 characters: letters, digits, "_", "." and "-"; unique (USERNAME_TAKEN otherwise).' })
  @Length(3, 100, { message: 'must be 3 to 100 characters' })
  @Matches(USERNAME_PATTERN, { message: 'may contain only letters, digits, "_", "." and "-"' })
  username!: string;

  @Field(() => String, {
    description: 'Optional; a valid address of at most 254 characters, unique (EMAIL_TAKEN otherwise). It can be used to log in.',
    nullable: true,
  })
  @MaxLength(254, { message: 'must be at most 254 characters' })
  @IsEmail({}, { message: 'must be a valid email address' })
  email?: string | null;

  @Field(() => String, { description: '8 to 128 characters.' })
  @Length(8, 128, { message: 'must be 8 to 128 characters' })
  password!: string;
}

@InputType({ description: "username may also be the account's email." })
export class LoginInput {
  @Field(() => String, { description: 'Username or email, 1 to 254 characters.' })
  @Length(1, 254, { message: 'must be 1 to 254 characters' })
  username!: string;

  @Field(() => String, { description: 'The account password (1 to 128 characters). Wrong credentials are UNAUTHENTICATED; repeated failures RATE_LIMITED.' })
  @Length(1, 128, { message: 'must be 1 to 128 characters' })
  password!: string;
}

@InputType({ description: 'The current password, and the new one. Every other session of the caller is revoked.' })
export class ChangePasswordInput {
  @Field(() => String, { description: 'The password in use now; UNAUTHENTICATED when wrong.' })
  @Length(1, 128, { message: 'must be 1 to 128 characters' })
  currentPassword!: string;

  @Field(() => String, { description: '8 to 128 characters.' })
  @Length(8, 128, { message: 'must be 8 to 128 characters' })
  newPassword!: string;
}
