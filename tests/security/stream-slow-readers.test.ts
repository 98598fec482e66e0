import { setTimeout as sleep } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SLOW_CLOSE_GRACE_MS } from '../../src/server/ws/slow-consumers.js';
import { CreateTransferDocument } from '../generated/graphql.js';
import { deposit, key, loginOperator, openAccount, OPERATOR_ENV } from '../factories/ledger.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { stalledStream, type HttpStreamTransport, type StalledStream } from '../helpers/stalled-stream.js';
import { subscribers, until } from '../helpers/wait.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const MAX_BUFFERED_BYTES = 256 * 1024;

const READERS = 60;
const TRANSFERS = 600;
/** The heap may grow this much while the readers sit there: far below what their unsent events weigh (hundreds of MB). */
const HEAP_BOUND_MB = 80;

/** One ledger entry is ~15 kB: 28 aliases of a 500-character description, as in the report. */
const QUERY = `subscription { accountActivity { id ${Array.from({ length: 28 }, (_, i) => `d${i}: description`).join(' ')} } }`;
const DESCRIPTION = 'x'.repeat(500);

let server: TestServer;
let owner: TestUser;
let from: string;
let to: string;

beforeAll(async () => {
  server = await startTestServer({
    env: { ...OPERATOR_ENV, WS_MAX_BUFFERED_BYTES: String(MAX_BUFFERED_BYTES) },
  });
  owner = await registerUser(server);
  [from, to] = [(await openAccount(server, owner.token)).id, (await openAccount(server, owner.token)).id];
  await deposit(server, await loginOperator(server), from, 10_000_000);
});
afterAll(() => server?.stop());

const heapMb = () => {
  gc();
  const { heapUsed, external } = process.memoryUsage();
  return Math.round((heapUsed + external) / 1024 / 1024);
};

async function transfers(count: number): Promise<void> {
  const one = () =>
    server.ok(
      CreateTransferDocument,
      { input: { fromAccountId: from, toAccountId: to, amountMinor: '1', currency: 'USD', description: DESCRIPTION, idempotencyKey: key() } },
      { token: owner.token },
    );
  for (let i = 0; i < count; i += 4) await Promise.all([one(), one(), one(), one()]);
}

const subscriptions = () => server.app.deps.pubsub.subscriberCount;

async function openReaders(transport: HttpStreamTransport, count: number): Promise<StalledStream[]> {
  const base = subscriptions();
  const readers = [];
  for (let i = 0; i < count; i++) readers.push(await stalledStream(server.url, transport, owner.token, QUERY));
  await subscribers(server.app, base + count);
  return readers;
}

/** What the server sends last when it cuts a reader, in each transport's framing. */
const WHY = {
  sse: /event: next\ndata: \{"data":null,"errors":\[\{"message":"Slow consumer: messages were not read in time: subscribe again","extensions":\{"code":"UNAVAILABLE"\}\}\]\}\n\nevent: complete\ndata:\n\n$/,
  multipart:
    /\{"payload":null,"errors":\[\{"message":"Slow consumer: messages were not read in time: subscribe again","extensions":\{"code":"UNAVAILABLE"\}\}\]\}\r\n--graphql--\r\n$/,
};

describe('an HTTP stream whose reader stopped reading', () => {
  for (const transport of ['sse', 'multipart'] as const) {
    it(
      `${transport}: ${READERS} readers that never read on a busy stream are cut, and the heap stays within ${HEAP_BOUND_MB} MB`,
      { timeout: 120_000 },
      async () => {
        const base = subscriptions();
        const before = heapMb();
        const readers = await openReaders(transport, READERS);
        try {
          await transfers(TRANSFERS);
          const during = heapMb();
          console.log(`${transport}: heap ${before} MB before, ${during} MB after ${TRANSFERS} transfers with ${READERS} readers that never read`);
          expect(during - before).toBeLessThan(HEAP_BOUND_MB);
          // Cut, not merely capped: their subscriptions ended while the clients still hold their sockets.
          expect(subscriptions()).toBe(base);
        } finally {
          for (const reader of readers) reader.socket.destroy();
          await until(() => subscriptions() === base, { what: 'the streams to be released' });
        }
      },
    );

    it(
      `${transport}: a reader that resumes at once gets a last event saying why it was cut; one that does not is disconnected`,
      { timeout: 60_000 },
      async () => {
        const base = subscriptions();
        const [resumes, never] = await openReaders(transport, 2);
        for (let i = 0; i < 100 && subscriptions() > base; i++) await transfers(4);
        expect(subscriptions()).toBe(base);
        const { text } = await resumes!.resume();
        expect(text).toMatch(WHY[transport]);
        // Past the grace a slow WebSocket gets for its close frame, the connection was dropped with what it held:
        // a reader resuming then finds only what the kernel had buffered, then the end.
        await sleep(SLOW_CLOSE_GRACE_MS + 500);
        const late = await never!.resume();
        expect(late.text).not.toMatch(WHY[transport]);
      },
    );
  }
});
