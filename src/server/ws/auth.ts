import type { WebSocket } from 'ws';
import type { AuthInfo, ClientInfo } from '../../modules/auth/auth.types.js';
import { AccessTokenExpiredError, accessTokenExpiresAt, bearerToken } from '../../modules/auth/tokens.js';
import type { Clock } from '../../shared/clock.js';
import { DomainError } from '../../shared/errors.js';
import type { Metrics } from '../../shared/metrics.js';
import { CLOSE_UNAUTHORIZED } from './close-codes.js';
import { createExpirySchedule } from './expiries.js';

/** What the sockets ask of the auth module; built in app.ts with statements past the ORM (authenticateBearer, activeSessionIdsOn), no EntityManager. */
export interface SessionAuthority {
  authenticate(accessToken: string): Promise<AuthInfo>;
  activeSessionIds(sessionIds: string[]): Promise<Set<string>>;
}

export interface SignedIn {
  auth: AuthInfo;
  token: string;
}

/** Who is on a socket from its connection_ack on. */
export interface SocketAuth {
  auth: AuthInfo;
  client: ClientInfo;
}

export interface SocketAuthOptions {
  authority: Pick<SessionAuthority, 'authenticate'>;
  clock: Clock;
  metrics: Pick<Metrics, 'wsDisconnected'>;
}

type Socket = Pick<WebSocket, 'close'>;

/**
 * connection_init → AuthInfo. No subscription is public, so a socket without a valid token is
 * refused; one that is signed in lives no longer than its token (the client reconnects with a fresh one).
 */
export function createSocketAuth({ authority, clock, metrics }: SocketAuthOptions) {
  const states = new WeakMap<Socket, SocketAuth & { expiresAt: number }>();
  // The same close whether the token expired before connection_init or during the connection: the client refreshes.
  const expire = (socket: Socket) => {
    metrics.wsDisconnected('token_expired');
    socket.close(CLOSE_UNAUTHORIZED, 'token expired');
  };
  const expiries = createExpirySchedule<Socket>({ clock, expire });
  /** As signIn, but 'expired' for a token that was good and has expired: close that socket with `expire`, not 4403. */
  const signInOrExpired = async (connectionParams: Readonly<Record<string, unknown>> | undefined): Promise<SignedIn | 'expired' | null> => {
    const token = bearerToken(connectionParams?.authorization ?? connectionParams?.Authorization);
    if (!token) return null;
    try {
      return { auth: await authority.authenticate(token), token };
    } catch (error) {
      if (error instanceof AccessTokenExpiredError) return 'expired';
      if (error instanceof DomainError) return null;
      throw error;
    }
  };
  return {
    /** null: refuse. A failure that is not a DomainError propagates (graphql-ws closes with 4500). */
    async signIn(connectionParams: Readonly<Record<string, unknown>> | undefined): Promise<SignedIn | null> {
      const signedIn = await signInOrExpired(connectionParams);
      return signedIn === 'expired' ? null : signedIn;
    },

    signInOrExpired,

    /** Closes (4401 "token expired") a socket whose token has expired: graphql-ws clients retry 4403 as it is, five times. */
    expire,

    /** The token was checked once: the socket closes (4401) when it expires. */
    attach(socket: Socket, { auth, token }: SignedIn, client: ClientInfo): void {
      const expiresAt = accessTokenExpiresAt(token)?.getTime() ?? 0;
      expiries.add(socket, expiresAt);
      states.set(socket, { auth, client, expiresAt });
    },

    of(socket: Socket): SocketAuth | undefined {
      return states.get(socket);
    },

    detach(socket: Socket): SocketAuth | undefined {
      const state = states.get(socket);
      if (!state) return undefined;
      states.delete(socket);
      expiries.remove(socket, state.expiresAt);
      return state;
    },
  };
}

export type SocketAuthRegistry = ReturnType<typeof createSocketAuth>;
