// The query benchmark's type-graphql baseline: Apollo Server 5 + type-graphql on express 5,
// answering a query of the same shape as the gateway's from memory, with no auth, no
// database and no plugins. Started as its own process by bench/query.ts; prints {"port": N}
// when listening. bench/bare-sdl-server.ts is the same server with an SDL-first schema.
import 'reflect-metadata';
import { Field, ObjectType, Query, Resolver, buildSchema } from 'type-graphql';
import { bareData, serveBare } from './lib/bare.js';

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

const data = bareData();

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

await serveBare(await buildSchema({ resolvers: [BareResolver], validate: false }));
