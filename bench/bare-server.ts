// The query benchmark's baseline: Apollo Server 5 + type-graphql on express 5, answering a
// query of the same shape as the gateway's from memory, with no auth, no database and no
// plugins. Started as its own process by bench/query.ts; prints {"port": N} when listening.
import 'reflect-metadata';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { Field, ObjectType, Query, Resolver, buildSchema } from 'type-graphql';

@ObjectType('Money')
class BareMoney {
  @Field(() => String)
  decimal!: string;
}

@ObjectType('Account')
class BareAccount {
  @Field(() => String)
  name!: string;

  @Field(() => BareMoney)
  balance!: BareMoney;
}

@ObjectType('User')
class BareUser {
  @Field(() => String)
  username!: string;
}

interface BareData {
  me: BareUser;
  accounts: BareAccount[];
}

/** The same data the gateway answers with, so both bodies are byte for byte the same size. */
const data = JSON.parse(process.env.BARE_DATA ?? '{"me":{"username":"bare"},"accounts":[]}') as BareData;

@Resolver()
class BareResolver {
  @Query(() => BareUser)
  me(): BareUser {
    return data.me;
  }

  @Query(() => [BareAccount])
  accounts(): BareAccount[] {
    return data.accounts;
  }
}

const schema = await buildSchema({ resolvers: [BareResolver], validate: false });
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
