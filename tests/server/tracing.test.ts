import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountsDocument, CreateTransferDocument, SendMessageDocument } from '../generated/graphql.js';
import { createSession } from '../factories/chat.js';
import { deposit, key, loginOperator, openAccount, OPERATOR_ENV } from '../factories/ledger.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { follow } from '../helpers/agent.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { until } from '../helpers/wait.js';

const exporter = new InMemorySpanExporter();
let server: TestServer;
let op: string;
let user: TestUser;

beforeAll(async () => {
  server = await startTestServer({ env: { ...OPERATOR_ENV }, traceExporter: exporter });
  op = await loginOperator(server);
  user = await registerUser(server);
});
afterAll(() => server?.stop());

/** A caller's W3C trace context: its trace id and the span the gateway's request span must hang under. */
function callerContext() {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  return { traceId, spanId, traceparent: `00-${traceId}-${spanId}-01` };
}

const spansOf = (traceId: string): ReadableSpan[] => exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
const idOf = (span: ReadableSpan) => span.spanContext().spanId;
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
const isSql = (span: ReadableSpan) => span.attributes['db.system.name'] === 'postgresql';

/** Whether `ancestor` is on the parent chain of `span` within these spans. */
function under(spans: ReadableSpan[], span: ReadableSpan, ancestor: ReadableSpan): boolean {
  const byId = new Map(spans.map((s) => [idOf(s), s]));
  for (let at = byId.get(parentOf(span) ?? ''); at; at = byId.get(parentOf(at) ?? '')) if (at === ancestor) return true;
  return false;
}

describe('traces of a transfer', () => {
  it("hang the request, the operation and every SQL statement under the caller's traceparent, with no value in any statement", async () => {
    const from = await openAccount(server, user.token, 'USD', 'Traced from');
    const to = await openAccount(server, user.token, 'USD', 'Traced to');
    await deposit(server, op, from.id, 90_000);
    const caller = callerContext();
    const idempotencyKey = key();
    const amount = '73519';

    const res = await server.gql(
      CreateTransferDocument,
      { input: { fromAccountId: from.id, toAccountId: to.id, amountMinor: amount, currency: 'USD', idempotencyKey } },
      { token: user.token, headers: { traceparent: caller.traceparent } },
    );
    expect(res.errors).toBeUndefined();
    await until(() => spansOf(caller.traceId).some((s) => s.kind === SpanKind.SERVER), { what: 'the request span to end' });

    const spans = spansOf(caller.traceId);
    const request = spans.find((s) => s.kind === SpanKind.SERVER)!;
    expect(request.name).toBe('POST /graphql');
    expect(parentOf(request)).toBe(caller.spanId);
    expect(request.attributes['http.response.status_code']).toBe(200);

    const operation = spans.find((s) => s.name === 'mutation CreateTransfer')!;
    expect(operation, spans.map((s) => s.name).join(', ')).toBeDefined();
    expect(parentOf(operation)).toBe(idOf(request));
    expect(operation.attributes).toMatchObject({ 'graphql.operation.type': 'mutation', 'graphql.operation.name': 'CreateTransfer' });

    // The money transaction is a batch (concurrent transfers commit together): this one's alone, under its operation.
    const batch = spans.find((s) => s.name === 'transfer batch')!;
    expect(parentOf(batch)).toBe(idOf(operation));
    expect(batch.attributes['coach.transfers.batch_size']).toBe(1);

    const statements = spans.filter(isSql);
    // The money transaction's statements, on its own pool, under the batch: the unlocked path's read, then its one checked write.
    const money = statements.filter((s) => parentOf(s) === idOf(batch)).map((s) => String(s.attributes['db.query.text']));
    expect(money).toHaveLength(2);
    expect(money[0]).toMatch(/^select .* from "account"/s);
    expect(money[1]).toMatch(/"gateway_expect"/);
    expect(
      money.some((t) => /\$1/.test(t) && /ledger_entry/.test(t)),
      money.join('\n'),
    ).toBe(true);
    for (const statement of statements) {
      expect(statement.kind).toBe(SpanKind.CLIENT);
      expect(under(spans, statement, operation), String(statement.attributes['db.query.text'])).toBe(true);
    }
    const everything = JSON.stringify(spans.map((s) => ({ name: s.name, attributes: s.attributes })));
    for (const value of [amount, idempotencyKey, from.id, to.id, user.token, user.user.id]) expect(everything).not.toContain(value);
  });

  it('writes the trace id into every log line of the request', async () => {
    const caller = callerContext();
    const res = await server.gql(AccountsDocument, {}, { token: user.token, headers: { traceparent: caller.traceparent } });
    expect(res.errors).toBeUndefined();
    const requestId = res.headers.get('x-request-id');
    await until(() => server.logs.some((l) => l.reqId === requestId), { what: 'the operation log line' });
    const lines = server.logs.filter((l) => l.reqId === requestId);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line.trace_id).toBe(caller.traceId);
  });

  it("keeps a caller's decision not to sample: nothing of its trace is recorded", async () => {
    const caller = callerContext();
    const unsampled = caller.traceparent.replace(/-01$/, '-00');
    const res = await server.gql(AccountsDocument, {}, { token: user.token, headers: { traceparent: unsampled } });
    expect(res.errors).toBeUndefined();
    // A sampled request after it, on the same connection, is recorded: its span ending means the first one's would have too.
    const next = callerContext();
    await server.gql(AccountsDocument, {}, { token: user.token, headers: { traceparent: next.traceparent } });
    await until(() => spansOf(next.traceId).some((s) => s.kind === SpanKind.SERVER), { what: 'the sampled request span' });
    expect(spansOf(caller.traceId)).toEqual([]);
  });

  it('starts a trace of its own for a request without traceparent', async () => {
    const before = new Set(exporter.getFinishedSpans().map((s) => s.spanContext().traceId));
    await server.ok(AccountsDocument, {}, { token: user.token });
    const fresh = () => exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.SERVER && !before.has(s.spanContext().traceId));
    await until(() => fresh().length > 0, { what: 'a new trace' });
    expect(parentOf(fresh()[0]!)).toBeUndefined();
    const sql = spansOf(fresh()[0]!.spanContext().traceId).filter(isSql);
    expect(sql.length).toBeGreaterThan(0);
  });
});

describe('traces of a batch of transfers', () => {
  it("hang the batch's transaction under its first request and link it to the others, whichever request's end started it", async () => {
    // One money connection (DB_POOL_MAX=2): a row lock held here stalls one batch while the next queues (as tests/ledger/batches.test.ts).
    const spans = new InMemorySpanExporter();
    const narrow = await startTestServer({ env: { ...OPERATOR_ENV, DB_POOL_MAX: '2' }, traceExporter: spans });
    const db = new pg.Client({ connectionString: narrow.app.databaseUrl });
    try {
      const owner = await registerUser(narrow);
      const [a, b] = [await openAccount(narrow, owner.token), await openAccount(narrow, owner.token)];
      await deposit(narrow, await loginOperator(narrow), a.id, 100);
      const send = (traceparent: string) =>
        narrow.gql(
          CreateTransferDocument,
          { input: { fromAccountId: a.id, toAccountId: b.id, amountMinor: '1', currency: 'USD', idempotencyKey: key() } },
          { token: owner.token, headers: { traceparent } },
        );
      await db.connect();
      await db.query('begin');
      await db.query('select 1 from "account" where "id" = $1 for update', [a.id]);
      const holder = callerContext();
      const held = send(holder.traceparent);
      await until(async () => (await db.query(LANE_WAITING)).rowCount === 1, { what: 'the money lane waiting on the held row' });
      const callers = [callerContext(), callerContext(), callerContext()];
      const sent = callers.map((c) => send(c.traceparent));
      await until(() => narrow.app.deps.transferBatcher.queued === callers.length, { what: 'three transfers queued' });
      await db.query('commit');
      expect((await held).errors).toBeUndefined();
      for (const res of await Promise.all(sent)) expect(res.errors).toBeUndefined();

      const ofTrace = (id: string) => spans.getFinishedSpans().filter((s) => s.spanContext().traceId === id);
      await until(() => ofTrace(callers[0]!.traceId).some((s) => s.name === 'transfer batch'), { what: 'the batch span' });
      const batch = ofTrace(callers[0]!.traceId).find((s) => s.name === 'transfer batch')!;
      expect(batch.attributes['coach.transfers.batch_size']).toBe(3);
      expect(
        under(
          ofTrace(callers[0]!.traceId),
          batch,
          ofTrace(callers[0]!.traceId).find((s) => s.name === 'mutation CreateTransfer')!,
        ),
      ).toBe(true);
      expect(batch.links.map((l) => l.context.traceId)).toEqual([callers[1]!.traceId, callers[2]!.traceId]);
      // The holder's trace has its own batch of one and none of the others' statements.
      expect(
        ofTrace(holder.traceId)
          .filter((s) => s.name === 'transfer batch')
          .map((s) => s.attributes['coach.transfers.batch_size']),
      ).toEqual([1]);
    } finally {
      await db.end().catch(() => undefined);
      await narrow.stop();
    }
  });
});

const LANE_WAITING = `select 1 from pg_stat_activity where datname = current_database() and application_name = 'coach-gateway money' and wait_event_type = 'Lock'`;

describe('traces of an agent run', () => {
  it('carry the run started by a request into that trace: the run, its provider calls and its tools, after the answer went out', async () => {
    const account = await openAccount(server, user.token, 'USD', 'Checking');
    await deposit(server, op, account.id, 123_456);
    const session = await createSession(server, user.token, 'COACHING');
    const caller = callerContext();
    const sent = await server.ok(
      SendMessageDocument,
      { input: { sessionId: session.id, text: 'how much do I have?' } },
      { token: user.token, headers: { traceparent: caller.traceparent } },
    );
    const finished = await follow(server, user.token, sent.sendMessage.id);
    expect(finished.run.toolCalls.map((c) => c.tool)).toEqual(['list_accounts']);
    await until(() => spansOf(caller.traceId).some((s) => s.name === 'agent run'), { what: 'the run span to end' });

    const spans = spansOf(caller.traceId);
    const operation = spans.find((s) => s.name === 'mutation SendMessage')!;
    const run = spans.find((s) => s.name === 'agent run')!;
    expect(under(spans, run, operation)).toBe(true);
    expect(run.attributes).toMatchObject({ 'coach.agent.run_id': sent.sendMessage.id, 'coach.agent.status': 'SUCCEEDED' });

    const providerCalls = spans.filter((s) => s.attributes['gen_ai.operation.name'] === 'chat');
    // Two turns: the one that asks for the tool, the one that answers with its result.
    expect(providerCalls.length).toBe(2);
    for (const call of providerCalls) {
      expect(parentOf(call)).toBe(idOf(run));
      expect(call.kind).toBe(SpanKind.CLIENT);
      expect(call.attributes).toMatchObject({ 'gen_ai.provider.name': 'local', 'gen_ai.request.model': 'rule-based-v1', 'coach.llm.outcome': 'SERVED' });
    }

    const tool = spans.find((s) => s.name === 'execute_tool list_accounts')!;
    expect(tool, spans.map((s) => s.name).join(', ')).toBeDefined();
    expect(parentOf(tool)).toBe(idOf(run));
    expect(tool.attributes).toMatchObject({ 'gen_ai.tool.name': 'list_accounts', 'coach.tool.ok': true });
    // The tool read the accounts: its statements are its children.
    expect(spans.filter((s) => isSql(s) && parentOf(s) === idOf(tool)).length).toBeGreaterThan(0);
    // The run ended well after the request's span.
    const request = spans.find((s) => s.kind === SpanKind.SERVER)!;
    expect(hrMs(run.endTime)).toBeGreaterThanOrEqual(hrMs(request.endTime));
  });
});

const hrMs = ([s, ns]: [number, number]) => s * 1000 + ns / 1e6;

describe('export over OTLP/HTTP', () => {
  it('sends the spans to OTEL_EXPORTER_OTLP_ENDPOINT/v1/traces under OTEL_SERVICE_NAME, flushed when the gateway stops', async () => {
    const received: Array<{ path: string; body: string; auth: string | undefined }> = [];
    const collector = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ path: req.url ?? '', body: Buffer.concat(chunks).toString('utf8'), auth: req.headers['x-collector-key'] as string | undefined });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const port = (collector.address() as AddressInfo).port;
    try {
      const traced = await startTestServer({
        env: {
          OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
          OTEL_SERVICE_NAME: 'gateway-under-test',
          OTEL_EXPORTER_OTLP_HEADERS: 'x-collector-key=s3cret%20key',
        },
      });
      const caller = callerContext();
      await traced.gql('{ __typename }', {}, { headers: { traceparent: caller.traceparent } });
      await traced.stop();
      const exported = received.filter((r) => r.path === '/v1/traces');
      expect(exported.length).toBeGreaterThan(0);
      expect(exported[0]!.auth).toBe('s3cret key');
      const body = exported.map((r) => r.body).join('\n');
      expect(body).toContain('gateway-under-test');
      expect(body).toContain(caller.traceId);
      expect(body).toContain('POST /graphql');
    } finally {
      await new Promise((resolve) => collector.close(resolve));
    }
  });

  it('is off unless OTEL_* asks for it: no tracing at all, and a traceparent changes nothing', async () => {
    const plain = await startTestServer();
    try {
      expect(plain.app.deps.tracing).toBeUndefined();
      const res = await plain.gql('{ __typename }', {}, { headers: { traceparent: callerContext().traceparent } });
      expect(res.status).toBe(200);
      expect(plain.logs.filter((l) => 'trace_id' in l)).toEqual([]);
    } finally {
      await plain.stop();
    }
  });
});
