import { afterAll, expect } from 'vitest';
import { AddGroupExpenseDocument, GroupEventsDocument, RemoveGroupMemberDocument } from '../generated/graphql.js';
import { groupOf } from '../factories/groups.js';
import { registerUser } from '../factories/users.js';
import { itNeeding } from '../helpers/components.js';
import { redisMissing, TEST_REDIS_URL } from '../helpers/redis.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { collect } from '../helpers/subscriptions.js';

const missing = [await redisMissing(), process.env.DATABASE_URL ? undefined : 'needs PostgreSQL (DATABASE_URL): two gateways share one database']
  .filter(Boolean)
  .join('; ');

const servers: TestServer[] = [];
afterAll(async () => {
  // The second joined the first's database: it stops first, so the first can drop it.
  for (const s of servers.reverse()) await s.stop();
});

itNeeding(missing || undefined, 'delivers group events across instances and ends a removed member’s stream on the other instance', async () => {
  const first = await startTestServer({ env: { REDIS_URL: TEST_REDIS_URL, INSTANCE_ID: 'groups-a' }, maintenance: false });
  servers.push(first);
  const second = await startTestServer({ env: { REDIS_URL: TEST_REDIS_URL, INSTANCE_ID: 'groups-b' }, databaseUrl: first.app.databaseUrl, maintenance: false });
  servers.push(second);
  const [ana, ben] = await Promise.all([registerUser(first), registerUser(first)]);
  const groupId = await groupOf(first, ana, [ben]);
  // Ben listens on the second instance; Ana writes on the first.
  const events = await second.subscribed(() => collect(second.ws(ben.token), GroupEventsDocument, { groupId }));
  await first.ok(
    AddGroupExpenseDocument,
    { input: { groupId, description: 'Rent', amountMinor: '100', occurredOn: '2026-12-01', splitMode: 'EQUAL', shares: [{ userId: ana.user.id }] } },
    { token: ana.token },
  );
  await first.ok(RemoveGroupMemberDocument, { groupId, userId: ben.user.id }, { token: ana.token });
  await events.ended;
  expect(events.events.map((e) => e.groupEvents.kind)).toEqual(['EXPENSE_ADDED', 'MEMBER_LEFT']);
});
