import { createClient, type Client } from 'graphql-ws';
import { execSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { startFakeOpenAi } from '../tests/fakes/openai-server.js';
import { gql, inBatches, registerUser, type BenchUser } from './lib/client.js';
import type { BenchDatabase } from './lib/db.js';
import { startGateway, type Gateway } from './lib/gateway.js';
import type { BenchOutcome } from './lib/results.js';
import { round } from './lib/stats.js';

/** Distinct users, each with one socket holding one agentEvents subscription on a run of their own. */
const USERS = Number(process.env.BENCH_SOCKETS_USERS ?? 5000);
/** Issue 30: the honest figure, what the heap keeps per subscription once V8 collected all it can. */
const HEAP_GOAL_KB = 8;
/** Issue 19: RSS at the peak right after the burst, nothing forced (it also counts the heap slack the setup leaves). */
const GOAL_KB = 16;
/** Registrations and runs in flight at once (bcrypt at cost 4 for bench gateways). */
const SETUP_PARALLEL = 32;
const OPENING = 200;
/** The extra steady-state reading: this long after the last first event, with nothing forced. */
const STEADY_SECONDS = Number(process.env.BENCH_SOCKETS_STEADY_SECONDS ?? 30);

const EVENTS = 'subscription ($runId: ID!) { agentEvents(runId: $runId) { __typename seq } }';

interface Held {
  user: BenchUser;
  runId: string;
}

/** A user with a chat session and a run that the fake provider holds open until the go. */
async function userWithRun(url: string): Promise<Held> {
  const user = await registerUser(url, 'sockets');
  const session = await gql<{ createChatSession: { id: string } }>(
    url,
    'mutation ($input: CreateChatSessionInput!) { createChatSession(input: $input) { id } }',
    { input: { conversationType: 'GENERAL', title: 'sockets bench' } },
    user.token,
  );
  const sent = await gql<{ sendMessage: { id: string } }>(
    url,
    'mutation ($input: SendMessageInput!) { sendMessage(input: $input) { id } }',
    { input: { sessionId: session.createChatSession.id, text: 'hold this run' } },
    user.token,
  );
  return { user, runId: sent.sendMessage.id };
}

export async function run({ db }: { db: BenchDatabase }): Promise<BenchOutcome> {
  const ulimit = execSync('ulimit -n', { shell: '/bin/sh', encoding: 'utf8' }).trim();
  let go!: () => void;
  const goSignal = new Promise<void>((resolve) => (go = resolve));
  // Every run waits for the go inside its provider call, so it stays live while the subscriptions are counted.
  const fake = await startFakeOpenAi({ defaultTurn: () => [{ until: goSignal }, { text: 'done' }] });
  const gateway = await startGateway({
    databaseUrl: db.url,
    gcHook: true,
    cpuProfName: 'sockets',
    env: { LLM_PROVIDER: 'openai', LLM_BASE_URL: fake.baseUrl, LLM_MAX_RETRIES: '0', LLM_MODEL: 'fake-model', LLM_TIMEOUT_MS: '600000' },
  });
  const clients: Client[] = [];
  try {
    const setupStarted = performance.now();
    const held = await inBatches(
      Array.from({ length: USERS + 1 }, (_, i) => i),
      SETUP_PARALLEL,
      () => userWithRun(gateway.url),
    );
    await untilProviderCalls(fake.requests, held.length, gateway);
    const setupSeconds = round((performance.now() - setupStarted) / 1000);

    // Warm the paths a subscription takes (auth, subscribe, replay) before the baseline reading.
    const warm = await open(gateway.wsUrl, held.pop()!, []);
    await warm.first;
    await warm.client.dispose();
    const { rss: rssBefore, memory: before } = await settledRss(gateway);

    const subs: Array<{ first: Promise<void>; finished: Promise<boolean> }> = [];
    const started = performance.now();
    await inBatches(held, OPENING, async (h) => subs.push(await open(gateway.wsUrl, h, clients)));
    await Promise.all(subs.map((s) => s.first));
    const openMs = performance.now() - started;
    const rssPlain = gateway.rss();
    // Context beside the goal's reading, which is the peak right after a burst: what the sockets hold once V8 collects on its own.
    await sleep(STEADY_SECONDS * 1000);
    const rssSteady = gateway.rss();
    const { rss: rssAfterGc, memory: after } = await settledRss(gateway);

    // Every subscription is live: the runs go on and each subscriber sees its run finish.
    go();
    const timeout = sleep(120_000, 'timeout' as const, { ref: false });
    const finished = await Promise.race([Promise.all(subs.map((s) => s.finished)), timeout]);
    const live = finished !== 'timeout' && finished.every(Boolean);
    const kb = (bytes: number) => round(bytes / USERS / 1024, 2);
    const figures = {
      users: USERS,
      subscriptionsPerUser: 1,
      ulimitN: ulimit,
      setupSeconds,
      openSeconds: round(openMs / 1000),
      allFinished: live,
      rssBeforeMiB: round(rssBefore / 2 ** 20, 1),
      rssPlainMiB: round(rssPlain / 2 ** 20, 1),
      rssAfterGcMiB: round(rssAfterGc / 2 ** 20, 1),
      rssSteadyMiB: round(rssSteady / 2 ** 20, 1),
      steadySeconds: STEADY_SECONDS,
      rssPerSubscriptionKB: kb(rssPlain - rssBefore),
      rssPerSubscriptionSteadyKB: kb(rssSteady - rssBefore),
      rssPerSubscriptionAfterGcKB: kb(rssAfterGc - rssBefore),
      heapUsedPerSubscriptionKB: kb(after.heapUsed - before.heapUsed),
      externalPerSubscriptionKB: kb(after.external - before.external),
    };
    return {
      figures,
      notes: [`ulimit -n ${ulimit}`, 'baseline RSS read after forced GCs once it stopped falling, with every run already waiting on the provider'],
      charts: [
        {
          title: `RSS per agentEvents subscription (${USERS} users)`,
          unit: 'KB',
          higherIsBetter: false,
          series: { 'gateway, no forced GC': figures.rssPerSubscriptionKB, 'gateway, after forced GC': figures.rssPerSubscriptionAfterGcKB, goal: GOAL_KB },
        },
        {
          title: `heap kept per agentEvents subscription, after forced GC (${USERS} users)`,
          unit: 'KB',
          higherIsBetter: false,
          series: { gateway: figures.heapUsedPerSubscriptionKB, goal: HEAP_GOAL_KB },
        },
      ],
      rows: [
        {
          bench: 'sockets',
          metric: `heap kept per agentEvents subscription KB, after forced GC (${USERS} users)`,
          value: String(figures.heapUsedPerSubscriptionKB),
          goal: `<= ${HEAP_GOAL_KB}`,
          met: figures.heapUsedPerSubscriptionKB >= 0 && figures.heapUsedPerSubscriptionKB <= HEAP_GOAL_KB && live,
        },
        {
          bench: 'sockets',
          metric: `RSS per agentEvents subscription KB, no forced GC (${USERS} users)`,
          value: String(figures.rssPerSubscriptionKB),
          goal: `<= ${GOAL_KB}`,
          // Below zero is noise (too few users to outweigh what the setup's garbage gave back), not a pass.
          met: figures.rssPerSubscriptionKB >= 0 && figures.rssPerSubscriptionKB <= GOAL_KB && live,
        },
        { bench: 'sockets', metric: 'RSS per subscription KB after forced GC', value: String(figures.rssPerSubscriptionAfterGcKB) },
        { bench: 'sockets', metric: `RSS per subscription KB, no forced GC, ${STEADY_SECONDS} s later`, value: String(figures.rssPerSubscriptionSteadyKB) },
        { bench: 'sockets', metric: `time to open ${USERS} subscriptions s`, value: String(figures.openSeconds), baseline: `setup ${setupSeconds} s` },
        { bench: 'sockets', metric: 'every subscription saw its run finish', value: live ? 'yes' : 'no', goal: 'yes', met: live },
      ],
    };
  } finally {
    go();
    await inBatches(clients, 500, async (c) => c.dispose());
    await gateway.stop();
    await fake.close();
  }
}

/**
 * A full GC, then VmRSS, repeated until two readings 1 s apart differ by < 512 KB (30 s at most):
 * V8 and malloc hand the setup's freed pages back to the OS over seconds, not at once, and a
 * baseline read too early makes the subscriptions look free.
 */
async function settledRss(gateway: Gateway): Promise<{ rss: number; memory: NodeJS.MemoryUsage }> {
  let memory = await gateway.gc();
  let last = gateway.rss();
  for (let i = 0; i < 30; i++) {
    await sleep(1000);
    memory = await gateway.gc();
    const now = gateway.rss();
    if (Math.abs(now - last) < 512 * 1024) return { rss: Math.min(now, last), memory };
    last = now;
  }
  return { rss: last, memory };
}

/** sendMessage returns before the run calls the provider: wait until every run is parked there. */
async function untilProviderCalls(requests: unknown[], count: number, gateway: Gateway): Promise<void> {
  const limit = performance.now() + 120_000;
  while (requests.length < count) {
    if (performance.now() > limit) throw new Error(`only ${requests.length} of ${count} runs reached the provider:\n${gateway.output().slice(-2000)}`);
    await sleep(50);
  }
}

/** One user's socket and subscription; `first` settles at the first event (the replayed RunStarted), `finished` at the end. */
async function open(wsUrl: string, held: Held, clients: Client[]): Promise<{ client: Client; first: Promise<void>; finished: Promise<boolean> }> {
  const client = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${held.user.token}` },
    retryAttempts: 0,
    lazy: true,
  });
  clients.push(client);
  let firstEvent!: () => void;
  const first = new Promise<void>((resolve) => (firstEvent = resolve));
  const finished = new Promise<boolean>((resolve) => {
    let sawFinish = false;
    client.subscribe<{ agentEvents: { __typename: string } }>(
      { query: EVENTS, variables: { runId: held.runId } },
      {
        next: ({ data }) => {
          firstEvent();
          if (data?.agentEvents.__typename === 'RunFinished') sawFinish = true;
        },
        error: () => (firstEvent(), resolve(false)),
        complete: () => (firstEvent(), resolve(sawFinish)),
      },
    );
  });
  return { client, first, finished };
}
