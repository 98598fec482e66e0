// The query benchmark's baselines share everything but how their schema is built: Apollo
// Server 5 on express 5, no auth, no database, no plugins, answering from memory.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import type { GraphQLSchema } from 'graphql';

export interface BareData {
  me: { username: string };
  accounts: Array<{ name: string; balance: { decimal: string } }>;
}

/** The same data the gateway answers with (bench/query.ts passes it), so every body is byte for byte the same. */
export function bareData(): BareData {
  return JSON.parse(process.env.BARE_DATA ?? '{"me":{"username":"bare"},"accounts":[]}') as BareData;
}

/** Serves `schema` on PORT (0: any) at /graphql, prints {"port": N} when listening, stops on SIGTERM. */
export async function serveBare(schema: GraphQLSchema): Promise<void> {
  const apollo = new ApolloServer({ schema });
  await apollo.start();
  const app = express();
  app.use('/graphql', express.json(), expressMiddleware(apollo));
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', resolve));
  console.log(JSON.stringify({ port: (server.address() as AddressInfo).port }));
  process.on('SIGTERM', () => {
    void apollo.stop().finally(() => server.close(() => process.exit(0)));
  });
}
