import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { startFakeOpenAi, type ChatRequestBody } from '../tests/fakes/openai-server.js';
import { gql, inBatches, registerUser, type BenchUser } from './lib/client.js';
import type { BenchDatabase } from './lib/db.js';
import { startGateway } from './lib/gateway.js';
import type { BenchOutcome } from './lib/results.js';
import { percentile, round } from './lib/stats.js';

const RUNS = Number(process.env.BENCH_STREAM_RUNS ?? 200);
const WATCHERS = 5;
const TOKENS = 200;
/** The provider's fixed rate per run: one token every TOKEN_MS (20 tokens/s per run by default). */
const TOKEN_MS = Number(process.env.BENCH_STREAM_TOKEN_MS ?? 50);
/** A second, lighter phase (unless BENCH_STREAM_TOKEN_MS is set): the latency of the path when the machine is not saturated. */
const LIGHT = { tokenMs: 200, tokens: 60 };
const SESSIONS_PER_USER = 5;
/** Every run stalls until all its subscribers are live (or this long has passed). */
const SETUP_LIMIT_MS = 120_000;

const EVENTS = `subscription ($runId: ID!) { agentEvents(runId: $runId) { __typename seq ... on TokenDelta { delta } ... on RunFinished { status } } }`;

const epochNow = () => performance.timeOrigin + performance.now();
const tokenText = (run: number, i: number) => `r${run}t${i} `;

interface Watcher {
  run: number;
  firstEventAt: number;
  /** Resolves at the first event (the run's RunStarted) or the subscription's end. */
  live: Promise<void>;
  markLive: () => void;
  tokens: Array<{ i: number; delta: string; at: number }>;
  status?: string;
  error?: unknown;
}

export async function run({ db }: { db: BenchDatabase }): Promise<BenchOutcome> {
  const main = await phase(db, TOKEN_MS, TOKENS);
  if (process.env.BENCH_STREAM_TOKEN_MS) return main;
  const light = await phase(db, LIGHT.tokenMs, LIGHT.tokens);
  const rate = `${(RUNS * WATCHERS * 1000) / LIGHT.tokenMs} deliveries/s`;
  return {
    charts: [
      {
        title: 'token latency p99',
        unit: 'ms',
        higherIsBetter: false,
        series: {
          [`gateway (${(RUNS * WATCHERS * 1000) / TOKEN_MS}/s)`]: main.figures.latencyMs.p99,
          [`gateway light (${rate})`]: light.figures.latencyMs.p99,
        },
      },
    ],
    figures: { ...main.figures, light: light.figures },
    notes: [...(main.notes ?? []), ...(light.notes ?? []).map((n) => `light phase: ${n}`)],
    rows: [
      ...main.rows,
      { bench: 'stream', metric: `light (${rate}) token latency p50 ms`, value: String(light.figures.latencyMs.p50) },
      { bench: 'stream', metric: `light (${rate}) token latency p99 ms`, value: String(light.figures.latencyMs.p99) },
      {
        bench: 'stream',
        metric: `light (${rate}) lost / reordered tokens`,
        value: `${light.figures.lost} / ${light.figures.reordered}`,
        goal: '0 / 0',
        met: light.clean,
      },
    ],
  };
}

/** One measurement on a fresh gateway: RUNS runs of `tokens` tokens, one every `tokenMs`, five subscribers each. */
async function phase(db: BenchDatabase, tokenMs: number, tokens: number) {
  let go!: () => void;
  const goSignal = new Promise<void>((resolve) => (go = resolve));
  const fake = await startFakeOpenAi({
    defaultTurn: (body: ChatRequestBody) => {
      const said = [...body.messages].reverse().find((m) => m.role === 'user')?.content;
      const run = Number(/bench run (\d+)/.exec(String(said))?.[1] ?? -1);
      const text = Array.from({ length: tokens }, (_, i) => tokenText(run, i)).join('');
      // Every run waits for the go; then phases spread over one interval, so runs do not tick in lockstep.
      return [{ until: goSignal }, { stallMs: (run * 7919) % tokenMs }, { text, tokenDelayMs: tokenMs }];
    },
  });
  const gateway = await startGateway({
    databaseUrl: db.url,
    cpuProfName: 'stream',
    env: { LLM_PROVIDER: 'openai', LLM_BASE_URL: fake.baseUrl, LLM_MAX_RETRIES: '0', LLM_MODEL: 'fake-model' },
  });
  const clients: Client[] = [];
  const setupStarted = epochNow();
  const setupMs: Record<string, number> = {};
  try {
    const users = await inBatches(
      Array.from({ length: Math.ceil(RUNS / SESSIONS_PER_USER) }, (_, i) => i),
      8,
      () => registerUser(gateway.url, 'stream'),
    );
    const sessions = await inBatches(
      Array.from({ length: RUNS }, (_, i) => i),
      16,
      async (i) => {
        const user = users[Math.floor(i / SESSIONS_PER_USER)]!;
        const data = await gql<{ createChatSession: { id: string } }>(
          gateway.url,
          `mutation ($input: CreateChatSessionInput!) { createChatSession(input: $input) { id } }`,
          { input: { conversationType: 'GENERAL', title: `bench ${i}` } },
          user.token,
        );
        return { user, id: data.createChatSession.id };
      },
    );

    setupMs.usersAndSessions = round(epochNow() - setupStarted);
    const runsStarted = epochNow();
    const watchers: Watcher[] = [];
    const finished: Array<Promise<void>> = [];
    const watch = (user: BenchUser, runId: string, run: number) => {
      const client = createClient({
        url: gateway.wsUrl,
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${user.token}` },
        retryAttempts: 0,
        lazy: true,
      });
      clients.push(client);
      let markLive!: () => void;
      const live = new Promise<void>((resolve) => (markLive = resolve));
      const w: Watcher = { run, firstEventAt: 0, tokens: [], live, markLive };
      watchers.push(w);
      finished.push(
        new Promise<void>((resolve) => {
          client.subscribe<{ agentEvents: { __typename: string; delta?: string; status?: string } }>(
            { query: EVENTS, variables: { runId } },
            {
              next: ({ data, errors }) => {
                const at = epochNow();
                if (errors) w.error = errors;
                const e = data?.agentEvents;
                if (!e) return;
                if (!w.firstEventAt) {
                  w.firstEventAt = at;
                  w.markLive();
                }
                if (e.__typename === 'TokenDelta') w.tokens.push({ i: Number(/t(\d+) $/.exec(e.delta!)?.[1] ?? -1), delta: e.delta!, at });
                else if (e.__typename === 'RunFinished') w.status = e.status;
              },
              error: (error) => ((w.error = error), w.markLive(), resolve()),
              complete: () => (w.markLive(), resolve()),
            },
          );
        }),
      );
    };
    await inBatches(sessions, 16, async ({ user, id }, i) => {
      const data = await gql<{ sendMessage: { id: string } }>(
        gateway.url,
        `mutation ($input: SendMessageInput!) { sendMessage(input: $input) { id } }`,
        { input: { sessionId: id, text: `bench run ${i}` } },
        user.token,
      );
      for (let k = 0; k < WATCHERS; k++) watch(user, data.sendMessage.id, i);
    });
    const setupLimit = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), SETUP_LIMIT_MS).unref());
    const setupOutcome = await Promise.race([Promise.all(watchers.map((w) => w.live)), setupLimit]);
    setupMs.runsAndSubscriptions = round(epochNow() - runsStarted);
    go();
    const deadline = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), tokenMs * tokens + 60_000).unref());
    const outcome = await Promise.race([Promise.all(finished), deadline]);

    // Provider side: when each run's i-th token chunk was written.
    const sent = new Map<number, number[]>();
    fake.requests.forEach((body, request) => {
      const said = [...body.messages].reverse().find((m) => m.role === 'user')?.content;
      const run = Number(/bench run (\d+)/.exec(String(said))?.[1] ?? -1);
      sent.set(
        run,
        fake.sentAt.filter((c) => c.request === request && c.kind === 'text').map((c) => c.at),
      );
    });
    const latencies: number[] = [];
    /** By token position, in tenths of the run: where in a run the slow tokens are. */
    const byTenth: number[][] = Array.from({ length: 10 }, () => []);
    let lost = 0;
    let reordered = 0;
    let late = 0;
    let firstSent = Number.POSITIVE_INFINITY;
    let lastReceived = 0;
    for (const w of watchers) {
      const times = sent.get(w.run) ?? [];
      if (times[0] !== undefined) firstSent = Math.min(firstSent, times[0]);
      if (!w.firstEventAt || (times[0] !== undefined && w.firstEventAt > times[0])) late++;
      lost += Math.max(0, tokens - w.tokens.length);
      w.tokens.forEach((t, k) => {
        if (t.i !== k || t.delta !== tokenText(w.run, k)) reordered++;
        const at = times[t.i];
        if (at !== undefined) {
          latencies.push(t.at - at);
          byTenth[Math.min(9, Math.floor((t.i * 10) / tokens))]!.push(t.at - at);
        }
        lastReceived = Math.max(lastReceived, t.at);
      });
    }
    const delivered = latencies.length;
    const seconds = (lastReceived - firstSent) / 1000;
    const failed = watchers.filter((w) => w.error || w.status !== 'SUCCEEDED').length;
    const figures = {
      runs: RUNS,
      watchersPerRun: WATCHERS,
      subscriptions: watchers.length,
      tokensPerRun: tokens,
      tokenIntervalMs: tokenMs,
      providerTokensPerSecond: round((RUNS * 1000) / tokenMs),
      timedOut: outcome === 'timeout',
      setupMs,
      setupTimedOut: setupOutcome === 'timeout',
      lateSubscribers: late,
      latencyMs: { p50: round(percentile(latencies, 50)), p99: round(percentile(latencies, 99)), max: round(percentile(latencies, 100)) },
      p99MsByTenthOfRun: byTenth.map((l) => round(percentile(l, 99))),
      delivered,
      expected: watchers.length * tokens,
      lost,
      reordered,
      failedWatchers: failed,
      deliveredPerSecond: round(delivered / seconds, 0),
      streamSeconds: round(seconds),
    };
    const clean = lost === 0 && reordered === 0 && failed === 0 && outcome !== 'timeout';
    const notes = late > 0 ? [`${late} subscribers attached after their run's first token: their replayed tokens inflate the latency`] : [];
    return {
      figures,
      notes,
      clean,
      rows: [
        { bench: 'stream', metric: `token latency p50 ms (${watchers.length} subs)`, value: String(figures.latencyMs.p50) },
        { bench: 'stream', metric: 'token latency p99 ms', value: String(figures.latencyMs.p99), goal: '<= 25', met: figures.latencyMs.p99 <= 25 },
        { bench: 'stream', metric: 'token latency max ms', value: String(figures.latencyMs.max) },
        {
          bench: 'stream',
          metric: 'tokens delivered/s',
          value: String(figures.deliveredPerSecond),
          baseline: `${figures.providerTokensPerSecond * WATCHERS} sent x subs`,
        },
        { bench: 'stream', metric: 'lost / reordered tokens', value: `${lost} / ${reordered}`, goal: '0 / 0', met: clean },
      ],
    };
  } finally {
    await Promise.all(clients.map((c) => c.dispose()));
    await gateway.stop();
    await fake.close();
  }
}
