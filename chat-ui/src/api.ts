import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { SetContextLink } from '@apollo/client/link/context';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { getMainDefinition } from '@apollo/client/utilities';
import { createClient, type Client } from 'graphql-ws';
import introspection from './generated/possible-types.js';

const ACCESS = 'coach.accessToken';
const REFRESH = 'coach.refreshToken';
const USER = 'coach.username';
const EXPIRES = 'coach.accessTokenExpiresAt';

/** Tokens live in localStorage so other tabs of the page are signed in too (and follow the same sessions). */
export const tokens = {
  get access(): string | null {
    return localStorage.getItem(ACCESS);
  },
  get refresh(): string | null {
    return localStorage.getItem(REFRESH);
  },
  get username(): string | null {
    return localStorage.getItem(USER);
  },
  /** Milliseconds since the epoch; 0 when unknown. */
  get expiresAt(): number {
    return Date.parse(localStorage.getItem(EXPIRES) ?? '') || 0;
  },
  store(auth: { accessToken: string; accessTokenExpiresAt: string; refreshToken: string; user: { username: string } }): void {
    localStorage.setItem(ACCESS, auth.accessToken);
    localStorage.setItem(EXPIRES, auth.accessTokenExpiresAt);
    localStorage.setItem(REFRESH, auth.refreshToken);
    localStorage.setItem(USER, auth.user.username);
  },
  clear(): void {
    for (const key of [ACCESS, EXPIRES, REFRESH, USER]) localStorage.removeItem(key);
  },
};

export interface Api {
  client: ApolloClient;
  socket: Client;
}

/**
 * Apollo Client as a frontend team would set it up: queries and mutations over HTTP with the
 * Authorization header, subscriptions over graphql-ws with the token in the connection params.
 * The socket does not retry by itself: each subscription resumes on its own, with afterSeq.
 */
export function createApi(onSocket: (state: 'connected' | 'closed') => void): Api {
  const socket = createClient({
    url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`,
    connectionParams: () => ({ authorization: `Bearer ${tokens.access ?? ''}` }),
    lazy: true,
    retryAttempts: 0,
    on: { connected: () => onSocket('connected'), closed: () => onSocket('closed') },
  });
  const auth = new SetContextLink(({ headers }) => ({
    headers: { ...headers, ...(tokens.access ? { authorization: `Bearer ${tokens.access}` } : {}) },
  }));
  const http = auth.concat(new HttpLink({ uri: '/graphql' }));
  const isSubscription = ({ query }: ApolloLink.Operation) => {
    const definition = getMainDefinition(query);
    return definition.kind === 'OperationDefinition' && definition.operation === 'subscription';
  };
  const client = new ApolloClient({
    cache: new InMemoryCache({ possibleTypes: introspection.possibleTypes }),
    link: ApolloLink.split(isSubscription, new GraphQLWsLink(socket), http),
    defaultOptions: { query: { fetchPolicy: 'network-only' } },
  });
  return { client, socket };
}
