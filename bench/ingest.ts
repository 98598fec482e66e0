// Linked-account sync ingestion (issue 25): transactions per second a syncLinkedAccount takes in from
// the sandbox aggregator over HTTP (pages of 500, each one database transaction of multi-row
// writes), against the same rows written by one multi-row INSERT on one connection.
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { startSandboxBank } from '../sandbox-bank/server.js';
import { gql, registerUser } from './lib/client.js';
import type { BenchDatabase } from './lib/db.js';
import { startGateway } from './lib/gateway.js';
import type { BenchOutcome, Row } from './lib/results.js';
import { median, round } from './lib/stats.js';

const ROWS = Number(process.env.BENCH_INGEST_ROWS ?? 10_000);
const ROUNDS = Number(process.env.BENCH_INGEST_ROUNDS ?? 3);
const GOAL = 0.5;
/** The sandbox's body limit is 1 MB: transactions are added in slices. */
const ADD_SLICE = 2_000;
const KEYS = { clientId: 'bench-client', secret: 'bench-secret', webhookSecret: 'bench-webhook-secret' };

async function post(base: string, path: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = (await res.json()) as Record<string, unknown>;
  if (res.status !== 200) throw new Error(`sandbox ${path}: ${res.status} ${JSON.stringify(json).slice(0, 200)}`);
  return json;
}

/** A day of the last 60, a merchant and an amount: what a busy account's history looks like. */
function sandboxTransactions(round: number, count: number): Array<Record<string, unknown>> {
  const merchants = ['Fresh Market', 'Corner Bistro', 'City Utilities', 'Metro Transit', 'Book Nook'];
  return Array.from({ length: count }, (_, i) => ({
    transaction_id: `bench-${round}-${i}`,
    amount: `${1 + (i % 200)}.${String(i % 100).padStart(2, '0')}`,
    date: new Date(Date.now() - (i % 60) * 86_400_000).toISOString().slice(0, 10),
    name: `${merchants[i % merchants.length]!.toUpperCase()} #${i % 97}`,
    merchant_name: merchants[i % merchants.length],
    category: i % 2 ? 'FOOD_AND_DRINK_GROCERIES' : null,
    mcc: i % 3 ? '5411' : null,
  }));
}

/** The baseline: the same number of rows in one INSERT ... SELECT FROM unnest(...) on one connection, into the same table. */
async function baselineSeconds(url: string, userId: string, accountId: string, round: number): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const rows = sandboxTransactions(round, ROWS);
    const ids = rows.map(() => randomUUID());
    const started = performance.now();
    await client.query(
      `insert into "linked_transaction" ("id", "created_at", "updated_at", "user_id", "account_id", "external_id", "direction", "amount", "currency",
         "description", "merchant", "category", "occurred_on", "pending", "pending_external_id")
       select v.id, now(), now(), $1, $2, v.external_id, 'OUT'::transaction_direction, v.amount, 'USD', v.description, v.merchant,
         v.category::spending_category, v.occurred_on, false, null
       from unnest($3::uuid[], $4::text[], $5::bigint[], $6::text[], $7::text[], $8::text[], $9::text[])
         as v(id, external_id, amount, description, merchant, category, occurred_on)`,
      [
        userId,
        accountId,
        ids,
        rows.map((r) => `baseline-${r.transaction_id as string}`),
        rows.map((r) => (r.amount as string).replace('.', '')),
        rows.map((r) => r.name),
        rows.map((r) => r.merchant_name),
        rows.map((r) => (r.category ? 'GROCERIES' : 'OTHER')),
        rows.map((r) => r.date),
      ],
    );
    const seconds = (performance.now() - started) / 1000;
    await client.query(`delete from "linked_transaction" where "account_id" = $1 and "external_id" like 'baseline-%'`, [accountId]);
    return seconds;
  } finally {
    await client.end();
  }
}

export async function run({ db }: { db: BenchDatabase }): Promise<BenchOutcome> {
  const bank = await startSandboxBank({ ...KEYS, port: 0 });
  const gateway = await startGateway({
    databaseUrl: db.url,
    cpuProfName: 'ingest',
    env: {
      AGGREGATOR_URL: bank.url,
      AGGREGATOR_CLIENT_ID: KEYS.clientId,
      AGGREGATOR_SECRET: KEYS.secret,
      AGGREGATOR_WEBHOOK_SECRET: KEYS.webhookSecret,
      LINK_TOKEN_KEY: randomBytes(32).toString('hex'),
      LINK_SYNC_INTERVAL: '0',
    },
  });
  try {
    const gatewayRates: number[] = [];
    const baselineRates: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // A user and an item of their own each round: the sync starts from the item's last cursor, as after a quiet month.
      const user = await registerUser(gateway.url, 'ingest');
      const institutions = await gql<{ institutions: Array<{ id: string; name: string }> }>(
        gateway.url,
        `{ institutions(search: "Sandbox Demo") { id name } }`,
        {},
        user.token,
      );
      const session = await gql<{ startAccountLink: { id: string; linkUrl: string } }>(
        gateway.url,
        `mutation ($input: StartAccountLinkInput!) { startAccountLink(input: $input) { id linkUrl } }`,
        { input: { institutionId: institutions.institutions[0]!.id, redirectUri: 'http://127.0.0.1:9/back' } },
        user.token,
      );
      const token = await post(bank.url, '/sandbox/public_token/create', { link_token: new URL(session.startAccountLink.linkUrl).pathname.split('/').pop() });
      const linked = await gql<{ completeAccountLink: Array<{ id: string }> }>(
        gateway.url,
        `mutation ($input: CompleteAccountLinkInput!) { completeAccountLink(input: $input) { id } }`,
        { input: { linkSessionId: session.startAccountLink.id, publicToken: token.public_token } },
        user.token,
      );
      const accountId = linked.completeAccountLink[0]!.id;
      const all = sandboxTransactions(round, ROWS);
      for (let i = 0; i < all.length; i += ADD_SLICE)
        await post(bank.url, '/sandbox/transactions/add', { item_id: token.item_id, webhook: false, transactions: all.slice(i, i + ADD_SLICE) });

      const started = performance.now();
      const synced = await gql<{ syncLinkedAccount: { added: number } }>(
        gateway.url,
        `mutation ($id: ID!) { syncLinkedAccount(id: $id) { added } }`,
        { id: accountId },
        user.token,
      );
      const seconds = (performance.now() - started) / 1000;
      if (synced.syncLinkedAccount.added !== ROWS) throw new Error(`the sync added ${synced.syncLinkedAccount.added} transactions, not ${ROWS}`);
      gatewayRates.push(ROWS / seconds);
      baselineRates.push(ROWS / (await baselineSeconds(db.url, user.id, accountId, round)));
    }
    const gatewayRate = median(gatewayRates);
    const baselineRate = median(baselineRates);
    const ratio = gatewayRate / baselineRate;
    const rows: Row[] = [
      {
        bench: 'ingest',
        metric: `transactions ingested/s: syncLinkedAccount of ${ROWS} from the sandbox / one multi-row INSERT (median of ${ROUNDS})`,
        value: String(round(gatewayRate, 0)),
        baseline: String(round(baselineRate, 0)),
      },
      { bench: 'ingest', metric: 'ingest ratio sync/one INSERT', value: String(round(ratio, 3)), goal: `>= ${GOAL}`, met: ratio >= GOAL },
    ];
    return {
      rows,
      charts: [
        {
          title: `Linked-account sync ingestion (${ROWS} transactions)`,
          unit: 'transactions/s',
          higherIsBetter: true,
          series: { gateway: gatewayRate, 'one INSERT': baselineRate },
        },
      ],
      figures: { rows: ROWS, rounds: ROUNDS, gatewayRates, baselineRates, gatewayRate, baselineRate, ratio },
      notes: [
        'The gateway pages the sandbox over HTTP (500 a page, each page one transaction of multi-row upserts, the cursor stored at the end); the baseline is only the INSERT, so the ratio also carries HTTP, JSON and the cursor.',
      ],
    };
  } finally {
    await gateway.stop();
    await bank.close();
  }
}
