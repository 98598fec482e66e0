import { MaxLength } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';

@InputType({ description: 'Starts a link at one institution, or a relink of an account whose bank wants a sign-in.' })
export class StartAccountLinkInput {
  @Field(() => ID, { description: 'An Institution id (institutions).' })
  @MaxLength(100, { message: 'must be an institution id' })
  institutionId!: string;

  @Field(() => ID, { nullable: true, description: 'Relink an account whose status is LOGIN_REQUIRED.' })
  relinkAccountId?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Where the consent page sends the browser after Allow, with public_token and link_session_id as query parameters (default: the chat page).',
  })
  @MaxLength(2000, { message: 'must be an http(s) URL of at most 2000 characters' })
  redirectUri?: string | null;
}

@InputType({ description: "The consent page's answer." })
export class CompleteAccountLinkInput {
  @Field(() => ID, { description: 'LinkSession.id' })
  linkSessionId!: string;

  @Field(() => String, { description: 'The public_token the consent page sent back.' })
  @MaxLength(500, { message: 'must be a public token' })
  publicToken!: string;
}
