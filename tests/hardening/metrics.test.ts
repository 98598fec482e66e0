import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthSessionEventsDocument, CreateTransferDocument, MeDocument } from '../generated/graphql.js';
import { createSession } from '../factories/chat.js';
import { deposit, key, loginOperator, OPERATOR_ENV, openAccount } from '../factories/ledger.js';
import { registerUser } from '../factories/users.js';
import { converse } from '../helpers/agent.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { collect } from '../helpers/subscriptions.js';
import { until } from '../helpers/wait.js';
import { AppMetrics } from '../../src/shared/metrics.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { ...OPERATOR_ENV } });
});
afterAll(() => server?.stop());

async function scrape(): Promise<{ status: number; type: string | null; text: string }> {
  const res = await fetch(server.url.replace('/graphql', '/metrics'));
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

/** The value of the one series named `name` whose labels include every `labels` pair. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = match[2] ?? '';
    if (Object.entries(labels).every(([k, v]) => have.includes(`${k}="${v}"`))) return Number(match[3]);
  }
  return undefined;
}

describe('GET /metrics', () => {
  it('shows the operations, a transfer, an agent run, open WebSockets and the database pool from a short run', async () => {
    const user = await registerUser(server);
    for (let i = 0; i < 3; i++) await server.ok(MeDocument, {}, { token: user.token });
    await server.gql(MeDocument, {}, { token: 'not-a-token' });
    const op = await loginOperator(server);
    const [from, to] = [await openAccount(server, user.token), await openAccount(server, user.token)];
    await deposit(server, op, from.id, 1_000);
    await server.ok(
      CreateTransferDocument,
      { input: { fromAccountId: from.id, toAccountId: to.id, amountMinor: '100', currency: 'USD', idempotencyKey: key() } },
      { token: user.token },
    );
    const refused = await server.gql(
      CreateTransferDocument,
      { input: { fromAccountId: from.id, toAccountId: to.id, amountMinor: '5000', currency: 'USD', idempotencyKey: key() } },
      { token: user.token },
    );
    expect(refused.errors?.[0]?.extensions?.code).toBe('INSUFFICIENT_FUNDS');
    const session = await createSession(server, user.token);
    const finished = await converse(server, user.token, session.id, 'create a journal entry to say i am fine');
    expect(finished.run.status).toBe('SUCCEEDED');
    const live = collect(server.ws(user.token), AuthSessionEventsDocument);
    await server.subscribed(() => live);

    const { status, type, text } = await scrape();
    expect(status).toBe(200);
    expect(type).toMatch(/^text\/plain; version=0\.0\.4/);

    const http = { transport: 'http', type: 'query', operation: 'Me' };
    expect(sample(text, 'coach_graphql_operations_total', { ...http, outcome: 'ok' })).toBe(3);
    expect(sample(text, 'coach_graphql_operations_total', { ...http, outcome: 'UNAUTHENTICATED' })).toBe(1);
    expect(sample(text, 'coach_graphql_operation_duration_seconds_count', http)).toBe(4);
    expect(sample(text, 'coach_graphql_operation_duration_seconds_bucket', { ...http, le: '+Inf' })).toBe(4);
    expect(sample(text, 'coach_graphql_operations_total', { transport: 'ws', type: 'subscription', operation: 'AgentEvents', outcome: 'ok' })).toBe(1);

    expect(sample(text, 'coach_transfers_total', { kind: 'transfer', outcome: 'POSTED' })).toBe(1);
    expect(sample(text, 'coach_transfers_total', { kind: 'transfer', outcome: 'INSUFFICIENT_FUNDS' })).toBe(1);
    expect(sample(text, 'coach_transfers_total', { kind: 'deposit', outcome: 'POSTED' })).toBe(1);

    expect(sample(text, 'coach_agent_runs', { status: 'SUCCEEDED' })).toBe(1);
    expect(sample(text, 'coach_agent_runs_total', { status: 'SUCCEEDED' })).toBe(1);
    expect(sample(text, 'coach_agent_runs_active')).toBe(0);

    expect(sample(text, 'coach_ws_connections')).toBe(1);
    expect(sample(text, 'coach_ws_subscriptions')).toBe(1);
    // The client's subscription and the instance's own listeners (cancellations, revocations).
    const listening = sample(text, 'coach_pubsub_subscriptions');
    expect(listening).toBe(server.app.deps.pubsub.subscriberCount);
    expect(sample(text, 'coach_db_pool_pending_acquires')).toBe(0);
    expect(sample(text, 'coach_process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(text).toMatch(/instance="/);
    live.stop();
    // The client's subscription was one of them: ending it takes exactly one away.
    await until(async () => sample((await scrape()).text, 'coach_ws_subscriptions') === 0);
    await until(async () => sample((await scrape()).text, 'coach_pubsub_subscriptions') === listening! - 1);
  });

  it('counts the database pool connections held, and their return', async () => {
    const { plainPool } = server.app.deps;
    const pool = async () => {
      const { text } = await scrape();
      const figure = (state: string) => sample(text, 'coach_db_pool_connections', { state });
      return { used: figure('used'), free: figure('free'), pending: sample(text, 'coach_db_pool_pending_acquires') };
    };
    const held = [await plainPool.connect(), await plainPool.connect()];
    let during: Awaited<ReturnType<typeof pool>> | undefined;
    try {
      // A background sweep may hold a connection for a moment: the figure must settle on the two held here.
      await until(async () => (during = await pool()).used === 2);
    } finally {
      for (const connection of held) connection.release();
    }
    expect(during!.pending).toBe(0);
    expect(during!.used! + during!.free!).toBeLessThanOrEqual(10); // DB_POOL_MAX
    let after: Awaited<ReturnType<typeof pool>> | undefined;
    await until(async () => (after = await pool()).used === 0);
    expect(after!.free).toBeGreaterThanOrEqual(2);
  });
});

describe('AppMetrics', () => {
  it('counts finished agent runs by status and their provider tokens', async () => {
    const metrics = new AppMetrics('unit');
    metrics.agentRunFinished('SUCCEEDED', { promptTokens: 120, completionTokens: 30 });
    metrics.agentRunFinished('FAILED', null);
    const text = await metrics.text();
    expect(sample(text, 'coach_agent_runs_total', { status: 'SUCCEEDED' })).toBe(1);
    expect(sample(text, 'coach_agent_runs_total', { status: 'FAILED' })).toBe(1);
    expect(sample(text, 'coach_agent_provider_tokens_total', { kind: 'prompt' })).toBe(120);
    expect(sample(text, 'coach_agent_provider_tokens_total', { kind: 'completion' })).toBe(30);
  });

  it('keeps operation names from growing without bound', async () => {
    const metrics = new AppMetrics('unit');
    for (let i = 0; i < 500; i++) metrics.operation({ transport: 'http', type: 'query', name: `Op${i}`, outcome: 'ok', seconds: 0.001 });
    metrics.operation({ transport: 'http', type: 'query', name: 'bad name!', outcome: 'not a code', seconds: 0.001 });
    const text = await metrics.text();
    expect(sample(text, 'coach_graphql_operations_total', { operation: '(other)', outcome: 'ok' })).toBe(300);
    expect(sample(text, 'coach_graphql_operations_total', { operation: '(other)', outcome: 'error' })).toBe(1);
  });
});
