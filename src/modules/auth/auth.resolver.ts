import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { GraphQLContext } from '../../graphql/context.js';
import { requireAuth } from '../../graphql/context.js';
import type { AuthSessionEventPayload } from '../../pubsub/topics.js';
import { AuthSession } from './auth-session.entity.js';
import { ChangePasswordInput, LoginInput, RegisterInput } from './auth.inputs.js';
import { AuthPayload, AuthSessionEvent, AuthSessionEventKind } from './auth.types.js';
import { User } from './user.entity.js';

@Resolver()
export class AuthResolver {
  @Mutation(() => AuthPayload)
  register(@Arg('input', () => RegisterInput) input: RegisterInput, @Ctx() ctx: GraphQLContext): Promise<AuthPayload> {
    return ctx.services.auth.register(input, ctx.client);
  }

  @Mutation(() => AuthPayload)
  login(@Arg('input', () => LoginInput) input: LoginInput, @Ctx() ctx: GraphQLContext): Promise<AuthPayload> {
    return ctx.services.auth.login(input, ctx.client);
  }

  @Mutation(() => AuthPayload, {
    description: 'Rotates: the old refresh token stops working. Reusing an old one revokes the whole session.',
  })
  refreshSession(@Arg('refreshToken', () => String) refreshToken: string, @Ctx() ctx: GraphQLContext): Promise<AuthPayload> {
    return ctx.services.auth.refresh(refreshToken, ctx.client);
  }

  @Authorized()
  @Mutation(() => Boolean, { description: 'Revokes the calling session.' })
  logout(@Ctx() ctx: GraphQLContext): Promise<boolean> {
    return ctx.services.auth.logout(requireAuth(ctx));
  }

  @Authorized()
  @Mutation(() => Int, { description: 'Revokes every session of the caller; returns how many.' })
  logoutAll(@Ctx() ctx: GraphQLContext): Promise<number> {
    return ctx.services.auth.logoutAll(requireAuth(ctx));
  }

  @Authorized()
  @Mutation(() => Boolean)
  revokeAuthSession(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    return ctx.services.auth.revokeSession(requireAuth(ctx), id);
  }

  @Authorized()
  @Mutation(() => Boolean, { description: 'Revokes every other session of the caller.' })
  changePassword(@Arg('input', () => ChangePasswordInput) input: ChangePasswordInput, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    return ctx.services.auth.changePassword(requireAuth(ctx), input);
  }

  @Authorized()
  @Query(() => User)
  me(@Ctx() ctx: GraphQLContext): Promise<User> {
    return ctx.services.auth.me(requireAuth(ctx));
  }

  @Authorized()
  @Query(() => [AuthSession])
  authSessions(@Ctx() ctx: GraphQLContext): Promise<AuthSession[]> {
    return ctx.services.auth.sessions(requireAuth(ctx));
  }

  @Authorized()
  @Subscription(() => AuthSessionEvent, {
    description: "Sign-ins and revocations on the caller's sessions.",
    subscribe: ({ context }) => context.services.auth.watchSessionEvents(requireAuth(context)),
  })
  authSessionEvents(@Root() payload: AuthSessionEventPayload): AuthSessionEvent {
    return {
      kind: AuthSessionEventKind[payload.kind],
      sessionId: payload.sessionId,
      at: new Date(payload.at),
      userAgent: payload.userAgent,
      ipAddress: payload.ipAddress,
    };
  }
}

@Resolver(() => AuthSession)
export class AuthSessionResolver {
  @FieldResolver(() => Boolean, { description: 'True for the session making this request.' })
  current(@Root() session: AuthSession, @Ctx() ctx: GraphQLContext): boolean {
    return session.issuedToCaller || ctx.auth?.sessionId === session.id;
  }
}
