import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { GraphQLContext } from '../../shared/request-context.js';
import { requireAuth } from '../../shared/request-context.js';
import type { AuthSessionEventPayload } from '../../pubsub/topics.js';
import { AuthSession } from './auth-session.entity.js';
import { ChangePasswordInput, LoginInput, RegisterInput } from './auth.inputs.js';
import { AuthPayload, AuthSessionEvent, AuthSessionEventKind } from './auth.types.js';
import type { UserView } from './session-cache.js';
import { User } from './user.entity.js';

@Resolver()
export class AuthResolver {
  @Mutation(() => AuthPayload, { description: 'Creates a CUSTOMER user and signs in. USERNAME_TAKEN or EMAIL_TAKEN when taken.' })
  register(
    @Arg('input', () => RegisterInput, { description: 'Username, password and optional email.' }) input: RegisterInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AuthPayload> {
    return ctx.services.auth.register(input, ctx.client);
  }

  @Mutation(() => AuthPayload, {
    description:
      'Signs in and starts a new session. Wrong credentials are UNAUTHENTICATED (the same message for an unknown user); repeated failures are RATE_LIMITED with extensions.retryAfter.',
  })
  login(
    @Arg('input', () => LoginInput, { description: 'Username (or email) and password.' }) input: LoginInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AuthPayload> {
    return ctx.services.auth.login(input, ctx.client);
  }

  @Mutation(() => AuthPayload, {
    description:
      'Rotates: the old refresh token stops working; presented again within a few seconds (tabs racing) it gets the same new pair, later it revokes the whole session.',
  })
  refreshSession(
    @Arg('refreshToken', () => String, { description: 'The refreshToken of the latest AuthPayload; UNAUTHENTICATED when unknown, expired or revoked.' })
    refreshToken: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AuthPayload> {
    return ctx.services.auth.refresh(refreshToken, ctx.client);
  }

  @Authorized()
  @Mutation(() => Boolean, { description: 'Revokes the calling session. UNAUTHENTICATED when not signed in.' })
  logout(@Ctx() ctx: GraphQLContext): Promise<boolean> {
    return ctx.services.auth.logout(requireAuth(ctx));
  }

  @Authorized()
  @Mutation(() => Int, { description: 'Revokes every session of the caller; returns how many. UNAUTHENTICATED when not signed in.' })
  logoutAll(@Ctx() ctx: GraphQLContext): Promise<number> {
    return ctx.services.auth.logoutAll(requireAuth(ctx));
  }

  @Authorized()
  @Mutation(() => Boolean, {
    description:
      "Signs one of the caller's sessions out (e.g. a lost phone): its tokens stop working at once and its subscriptions end within seconds. True when revoked.",
  })
  revokeAuthSession(
    @Arg('id', () => ID, { description: "An AuthSession id from authSessions; NOT_FOUND when it is not the caller's." }) id: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<boolean> {
    return ctx.services.auth.revokeSession(requireAuth(ctx), id);
  }

  @Authorized()
  @Mutation(() => Boolean, {
    description:
      'Revokes every other session of the caller. BAD_USER_INPUT when currentPassword is wrong or the new password is out of bounds; RATE_LIMITED (with retryAfter) after too many attempts.',
  })
  changePassword(
    @Arg('input', () => ChangePasswordInput, { description: 'The current and the new password.' }) input: ChangePasswordInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<boolean> {
    return ctx.services.auth.changePassword(requireAuth(ctx), input);
  }

  @Authorized()
  @Query(() => User, { description: 'The signed-in user.' })
  me(@Ctx() ctx: GraphQLContext): Promise<UserView> {
    return ctx.services.auth.me(requireAuth(ctx));
  }

  @Authorized()
  @Query(() => [AuthSession], { description: "The caller's active sessions (signed-in devices), newest first." })
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
