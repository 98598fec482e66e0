import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type GraphQLFormattedError } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { until } from './wait.js';

export interface GqlResult<R> {
  status: number;
  data: R | null | undefined;
  errors: GraphQLFormattedError[] | undefined;
  headers: Headers;
}

export interface RequestOptions {
  token?: string;
  headers?: Record<string, string>;
}

/** The suite's one GraphQL client: typed HTTP and graphql-ws, for a gateway in this process or another. */
export interface GatewayClient {
  url: string;
  wsUrl: string;
  gql<R, V>(doc: TypedDocumentNode<R, V> | string, variables?: V, options?: RequestOptions): Promise<GqlResult<R>>;
  /** Like gql, but fails the test on any error and returns data. */
  ok<R, V>(doc: TypedDocumentNode<R, V> | string, variables?: V, options?: RequestOptions): Promise<R>;
  ws(token?: string, extra?: Partial<Parameters<typeof createClient>[0]>): Client;
  /** Runs `open` and resolves once the server holds one more pub/sub subscription. */
  subscribed<T>(open: () => T): Promise<T>;
}

/**
 * The client side of a gateway at these addresses: typed HTTP, graphql-ws clients (closed
 * by `disposeClients`), and `subscribed` polling `subscriberCount` until it grows.
 */
export function gatewayClients(
  url: string,
  wsUrl: string,
  subscriberCount: () => number | Promise<number>,
): GatewayClient & { disposeClients(): Promise<unknown> } {
  const clients: Client[] = [];
  const gql = async <R, V>(doc: TypedDocumentNode<R, V> | string, variables?: V, opts: RequestOptions = {}): Promise<GqlResult<R>> => {
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
        ...opts.headers,
      },
      body: JSON.stringify({ query: typeof doc === 'string' ? doc : print(doc), variables }),
    });
    const body = (await res.json()) as { data?: R | null; errors?: GraphQLFormattedError[] };
    return { status: res.status, data: body.data, errors: body.errors, headers: res.headers };
  };
  return {
    url,
    wsUrl,
    gql,
    async ok<R, V>(doc: TypedDocumentNode<R, V> | string, variables?: V, opts?: RequestOptions): Promise<R> {
      const result = await gql(doc, variables, opts);
      if (result.errors?.length || !result.data) {
        throw new Error(`GraphQL errors: ${JSON.stringify(result.errors ?? result)}`);
      }
      return result.data;
    },
    ws(token?: string, extra: Partial<Parameters<typeof createClient>[0]> = {}): Client {
      const client = createClient({
        url: wsUrl,
        webSocketImpl: WebSocket,
        connectionParams: token ? { authorization: `Bearer ${token}` } : {},
        retryAttempts: 0,
        lazy: true,
        ...extra,
      });
      clients.push(client);
      return client;
    },
    async subscribed<T>(open: () => T): Promise<T> {
      const before = await subscriberCount();
      const result = open();
      await until(async () => (await subscriberCount()) > before, { what: 'the subscription to reach the server' });
      return result;
    },
    disposeClients: () => Promise.all(clients.map((c) => c.dispose())),
  };
}
