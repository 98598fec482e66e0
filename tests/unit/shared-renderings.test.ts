import { readFileSync } from 'node:fs';
import { makeExecutableSchema } from '@graphql-tools/schema';
import {
  buildSchema,
  getNamedType,
  GraphQLError,
  isInterfaceType,
  isObjectType,
  isUnionType,
  parse,
  type ExecutionResult,
  type GraphQLNamedType,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { MemoryPubSub } from '../../src/pubsub/memory.pubsub.js';
import { Topic } from '../../src/pubsub/topics.js';
import type { OperationContext } from '../../src/server/context.js';
import { createSharedFrames } from '../../src/server/subscriptions/frames.js';
import { sharedRenderingSubscribe } from '../../src/server/ws-events.js';

const typeDefs = /* GraphQL */ `
  type Query {
    ok: Boolean
  }
  type Event {
    text: String!
    viewer: String!
  }
  type Subscription {
    events(runId: ID!, tag: String): Event!
  }
`;

/** A schema whose one subscription counts its executions and shows who it rendered for. */
function countingSchema(pubsub: MemoryPubSub) {
  const executed: string[] = [];
  const schema = makeExecutableSchema({
    typeDefs,
    resolvers: {
      Subscription: {
        events: {
          subscribe: (_: unknown, args: { runId: string }) => pubsub.subscribe(Topic.AGENT_RUN, args.runId),
          resolve: (payload: { text: string }, _args: unknown, ctx: OperationContext) => {
            executed.push(`${ctx.auth!.userId}:${payload.text}`);
            return { text: payload.text, viewer: ctx.auth!.userId };
          },
        },
      },
    },
  });
  return { schema, executed };
}

/** The operation context as the subscribe hook sees it: a caller, and a fresh context per event. */
function callerContext(userId: string, sessionId: string, role = 'CUSTOMER'): OperationContext {
  const context = { auth: { userId, sessionId, role }, fresh: () => context };
  return context as unknown as OperationContext;
}

const document = parse('subscription ($runId: ID!, $tag: String) { events(runId: $runId, tag: $tag) { text viewer } }');

describe('one execution per event for the subscribers of one rendering (ws-events.ts)', () => {
  it('shares among one caller in any of its sessions, never across callers, roles or variables', async () => {
    const pubsub = new MemoryPubSub();
    const { schema, executed } = countingSchema(pubsub);
    const subscribe = sharedRenderingSubscribe();
    const open = async (context: OperationContext, variables: Record<string, unknown> = { runId: 'r1' }) =>
      (await subscribe({ schema, document, variableValues: variables, contextValue: context })) as AsyncIterableIterator<ExecutionResult>;
    const subscribers = {
      tab: await open(callerContext('ana', 's1')),
      otherTab: await open(callerContext('ana', 's1')),
      phone: await open(callerContext('ana', 's2')),
      operatorAna: await open(callerContext('ana', 's3', 'OPERATOR')),
      ben: await open(callerContext('ben', 's4')),
      tagged: await open(callerContext('ana', 's1'), { runId: 'r1', tag: 'x' }),
    };
    const nexts = Object.values(subscribers).map((s) => s.next());
    await pubsub.publish(Topic.AGENT_RUN, 'r1', { text: 'hello' } as never);
    const results = (await Promise.all(nexts)).map((r) => r.value as ExecutionResult);
    const [tab, otherTab, phone, operatorAna, ben, tagged] = results;

    // ana's two tabs and her phone: one execution, one result object.
    expect(otherTab).toBe(tab);
    expect(phone).toBe(tab);
    // Another role, another caller, other variables: each its own.
    for (const other of [operatorAna, ben, tagged]) expect(other).not.toBe(tab);
    expect(ben!.data).toEqual({ events: { text: 'hello', viewer: 'ben' } });
    expect(executed.sort()).toEqual(['ana:hello', 'ana:hello', 'ana:hello', 'ben:hello']);

    // Each subscriber still ends on its own: closing one leaves the others receiving.
    await subscribers.phone.return!();
    const after = [subscribers.tab.next(), subscribers.ben.next()];
    await pubsub.publish(Topic.AGENT_RUN, 'r1', { text: 'again' } as never);
    expect((await Promise.all(after)).map((r) => (r.value as ExecutionResult).data)).toEqual([
      { events: { text: 'again', viewer: 'ana' } },
      { events: { text: 'again', viewer: 'ben' } },
    ]);
    await pubsub.close();
  });

  it('holds for the real schema: nothing reachable from Subscription reads the sign-in session (AuthSession.current)', () => {
    // Sharing across a caller's sessions rests on this; a subscription payload reaching AuthSession would need the session in the key.
    const schema = buildSchema(readFileSync('schema.graphql', 'utf8'));
    const reachable = new Set<string>();
    const queue: GraphQLNamedType[] = [schema.getSubscriptionType()!];
    while (queue.length) {
      const type = queue.pop()!;
      if (reachable.has(type.name)) continue;
      reachable.add(type.name);
      if (isUnionType(type)) queue.push(...type.getTypes());
      if (isInterfaceType(type)) queue.push(...schema.getPossibleTypes(type));
      if (isObjectType(type) || isInterfaceType(type)) for (const field of Object.values(type.getFields())) queue.push(getNamedType(field.type));
    }
    expect(reachable.has('AgentEvent')).toBe(true);
    expect(reachable.has('AuthSession')).toBe(false);
  });
});

describe('one serialization per rendering, whatever the transport (subscriptions/frames.ts)', () => {
  const formatted: unknown[] = [];
  const frames = createSharedFrames((errors) => {
    formatted.push(errors);
    return errors.map((e) => ({ message: `masked: ${e.message}`, extensions: { code: 'INTERNAL' } }));
  });

  it('gives every SSE and multipart subscriber the same bytes, and graphql-ws subscribers the same payload under their own id', () => {
    const result: ExecutionResult = { data: { events: { text: 'hi', viewer: 'ana' } } };
    expect(frames.sse(result)).toBe(frames.sse(result));
    expect(frames.sse(result).toString()).toBe(`event: next\ndata: ${JSON.stringify(result)}\n\n`);
    expect(frames.multipart(result)).toBe(frames.multipart(result));
    expect(frames.multipart(result).toString()).toBe(
      `\r\ncontent-type: application/json; charset=utf-8\r\n\r\n${JSON.stringify({ payload: result })}\r\n--graphql`,
    );
    const [one, two] = [JSON.parse(frames.ws('1', result)), JSON.parse(frames.ws('a-b"c', result))];
    expect(one).toEqual({ id: '1', type: 'next', payload: result });
    expect(two).toEqual({ id: 'a-b"c', type: 'next', payload: result });
  });

  it('formats a rendering’s errors once for every subscriber, and never formats its wire form again', () => {
    const result: ExecutionResult = { data: null, errors: [new GraphQLError('database down')] };
    const wire = frames.wire(result);
    expect(frames.wire(result)).toBe(wire);
    expect(frames.wire(wire as ExecutionResult)).toBe(wire);
    expect(
      JSON.parse(
        frames
          .multipart(wire as ExecutionResult)
          .toString()
          .split('\r\n\r\n')[1]!
          .split('\r\n--graphql')[0]!,
      ),
    ).toEqual({
      payload: { data: null, errors: [{ message: 'masked: database down', extensions: { code: 'INTERNAL' } }] },
    });
    expect(JSON.parse(frames.ws('1', result)).payload).toEqual(wire);
    expect(formatted).toHaveLength(1);
  });

  it('makes nothing shared for a result it has not seen (a different rendering, even if equal)', () => {
    const a: ExecutionResult = { data: { x: 1 } };
    const b: ExecutionResult = { data: { x: 1 } };
    expect(frames.sse(a)).not.toBe(frames.sse(b));
    expect(frames.sse(a).equals(frames.sse(b))).toBe(true);
  });
});
