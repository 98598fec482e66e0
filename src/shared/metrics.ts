import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** http: POST/GET /graphql answered once; multipart and sse: subscriptions streamed over HTTP. */
export type Transport = 'http' | 'ws' | 'multipart' | 'sse' | 'agui';

export interface OperationSample {
  transport: Transport;
  /** query, mutation, subscription, or unknown when the document never parsed. */
  type: string;
  /** The client's operation name; capped in number so names cannot grow memory without bound. */
  name: string | null | undefined;
  /** ok, or the first error's extensions.code. */
  outcome: string;
  seconds: number;
}

export interface RunUsage {
  promptTokens: number;
  completionTokens: number;
}

/** What the rest of the process reports; one Registry per app, so test servers in one process never collide. */
export interface Metrics {
  operation(sample: OperationSample): void;
  agentRunFinished(status: string, usage: RunUsage | null | undefined): void;
  transfer(kind: string, outcome: string): void;
  rateLimited(scope: string): void;
  wsDisconnected(reason: string): void;
  /** One try of one provider of the chain: SERVED, FAILED (with its error class) or SKIPPED_COOLING_DOWN. */
  providerAttempt(provider: string, outcome: string, errorCode: string | null): void;
  providerFallback(from: string, to: string): void;
  providerCooldown(provider: string): void;
}

/** Numbers read at scrape time from the parts that hold them. */
export interface MetricSources {
  wsConnections(): number;
  wsSubscriptions(): number;
  /** Subscriptions streamed over HTTP (multipart and SSE). */
  httpStreams(): number;
  pubsubSubscriptions(): number;
  dbPool(): { used: number; free: number; pending: number } | null;
  agentRunsActive(): number;
  /** Runs in the database by status (the whole fleet's); may be cached by the caller. */
  agentRunsByStatus(): Promise<Array<{ status: string; count: number }>>;
}

const MAX_OPERATION_NAMES = 200;
const CODE = /^[A-Z][A-Z0-9_]{0,49}$/;

export class AppMetrics implements Metrics {
  readonly registry = new Registry();
  private readonly names = new Set<string>();
  private sources: MetricSources | undefined;
  private readonly operations: Counter<'transport' | 'type' | 'operation' | 'outcome'>;
  private readonly latency: Histogram<'transport' | 'type' | 'operation'>;
  private readonly runs: Counter<'status'>;
  private readonly tokens: Counter<'kind'>;
  private readonly transfers: Counter<'kind' | 'outcome'>;
  private readonly batches: Counter<'path'>;
  private readonly limited: Counter<'scope'>;
  private readonly disconnects: Counter<'reason'>;
  private readonly attempts: Counter<'provider' | 'outcome' | 'error'>;
  private readonly fallbacks: Counter<'from' | 'to'>;
  private readonly cooldowns: Counter<'provider'>;
  private readonly aguiFrames: Counter;

  constructor(instanceId: string) {
    const registers = [this.registry];
    this.registry.setDefaultLabels({ instance: instanceId });
    collectDefaultMetrics({ register: this.registry, prefix: 'coach_' });
    this.operations = new Counter({
      name: 'coach_graphql_operations_total',
      help: 'GraphQL operations by transport, type, name and outcome (ok or the error code)',
      labelNames: ['transport', 'type', 'operation', 'outcome'],
      registers,
    });
    this.latency = new Histogram({
      name: 'coach_graphql_operation_duration_seconds',
      help: 'Time to answer a GraphQL operation (for a subscription: to set it up)',
      labelNames: ['transport', 'type', 'operation'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.runs = new Counter({ name: 'coach_agent_runs_total', help: 'Agent runs this instance finished, by status', labelNames: ['status'], registers });
    this.tokens = new Counter({
      name: 'coach_agent_provider_tokens_total',
      help: 'LLM provider tokens used by runs this instance finished',
      labelNames: ['kind'],
      registers,
    });
    this.transfers = new Counter({
      name: 'coach_transfers_total',
      help: 'Transfer requests by kind (transfer, proposal, deposit, confirm, cancel) and outcome (the resulting status or the error code)',
      labelNames: ['kind', 'outcome'],
      registers,
    });
    this.batches = new Counter({
      name: 'coach_transfer_batches_total',
      help: 'Transfer batches committed, by path: unlocked (read, then one checked write) or locked (what the unlocked path read had changed)',
      labelNames: ['path'],
      registers,
    });
    this.limited = new Counter({ name: 'coach_rate_limited_total', help: 'Requests refused with RATE_LIMITED, by scope', labelNames: ['scope'], registers });
    this.disconnects = new Counter({
      name: 'coach_ws_disconnects_total',
      help: 'WebSockets the server closed for a limit, by reason',
      labelNames: ['reason'],
      registers,
    });
    this.attempts = new Counter({
      name: 'coach_llm_attempts_total',
      help: 'Tries of a provider of the LLM chain, by outcome (SERVED, FAILED, SKIPPED_COOLING_DOWN) and error class',
      labelNames: ['provider', 'outcome', 'error'],
      registers,
    });
    this.fallbacks = new Counter({
      name: 'coach_llm_fallbacks_total',
      help: 'Runs moved from one provider to the next',
      labelNames: ['from', 'to'],
      registers,
    });
    this.cooldowns = new Counter({ name: 'coach_llm_cooldowns_total', help: 'Cooldowns a provider entered', labelNames: ['provider'], registers });
    this.aguiFrames = new Counter({
      name: 'coach_agui_frames_encoded_total',
      help: 'Stored agent events projected and encoded for AG-UI streams: a live event once for all readers of its run, a replayed one per reader',
      registers,
    });

    // prom-client calls collect() with the gauge as `this`.
    const sourcesOf = () => this.sources;
    new Gauge({
      name: 'coach_ws_connections',
      help: 'Open WebSocket connections',
      registers,
      collect() {
        this.set(sourcesOf()?.wsConnections() ?? 0);
      },
    });
    new Gauge({
      name: 'coach_ws_subscriptions',
      help: 'Open operations (subscriptions and in-flight queries) over WebSocket',
      registers,
      collect() {
        this.set(sourcesOf()?.wsSubscriptions() ?? 0);
      },
    });
    new Gauge({
      name: 'coach_http_subscription_streams',
      help: 'Subscriptions streamed over HTTP (Apollo multipart and SSE)',
      registers,
      collect() {
        this.set(sourcesOf()?.httpStreams() ?? 0);
      },
    });
    new Gauge({
      name: 'coach_pubsub_subscriptions',
      help: 'Pub/sub subscriptions this instance holds and can receive on (Redis: channels it has confirmed)',
      registers,
      collect() {
        this.set(sourcesOf()?.pubsubSubscriptions() ?? 0);
      },
    });
    new Gauge({
      name: 'coach_db_pool_connections',
      help: "Connections of the database pools this process opens (money path, plain reads) by state; the ORM's has no public figures",
      labelNames: ['state'],
      registers,
      collect() {
        const pool = sourcesOf()?.dbPool();
        if (!pool) return;
        this.set({ state: 'used' }, pool.used);
        this.set({ state: 'free' }, pool.free);
      },
    });
    new Gauge({
      name: 'coach_db_pool_pending_acquires',
      help: 'Operations waiting for a connection of those pools',
      registers,
      collect() {
        this.set(sourcesOf()?.dbPool()?.pending ?? 0);
      },
    });
    new Gauge({
      name: 'coach_agent_runs_active',
      help: 'Agent runs executing on this instance',
      registers,
      collect() {
        this.set(sourcesOf()?.agentRunsActive() ?? 0);
      },
    });
    new Gauge({
      name: 'coach_agent_runs',
      help: 'Agent runs in the database by status (the whole fleet: aggregate with max, not sum)',
      labelNames: ['status'],
      registers,
      async collect() {
        const sources = sourcesOf();
        if (!sources) return;
        this.reset();
        for (const row of await sources.agentRunsByStatus()) this.set({ status: row.status }, row.count);
      },
    });
  }

  /** Connects the scrape-time gauges; called once the parts exist. */
  attach(sources: MetricSources): void {
    this.sources = sources;
  }

  operation(sample: OperationSample): void {
    const operation = this.operationLabel(sample.name);
    const outcome = sample.outcome === 'ok' || CODE.test(sample.outcome) ? sample.outcome : 'error';
    this.operations.inc({ transport: sample.transport, type: sample.type, operation, outcome });
    this.latency.observe({ transport: sample.transport, type: sample.type, operation }, sample.seconds);
  }

  agentRunFinished(status: string, usage: RunUsage | null | undefined): void {
    this.runs.inc({ status });
    if (usage) {
      this.tokens.inc({ kind: 'prompt' }, usage.promptTokens);
      this.tokens.inc({ kind: 'completion' }, usage.completionTokens);
    }
  }

  transfer(kind: string, outcome: string): void {
    this.transfers.inc({ kind, outcome: CODE.test(outcome) ? outcome : 'error' });
  }

  transferBatch(path: 'unlocked' | 'locked'): void {
    this.batches.inc({ path });
  }

  rateLimited(scope: string): void {
    this.limited.inc({ scope });
  }

  wsDisconnected(reason: string): void {
    this.disconnects.inc({ reason });
  }

  providerAttempt(provider: string, outcome: string, errorCode: string | null): void {
    this.attempts.inc({ provider, outcome, error: errorCode ?? '' });
  }

  providerFallback(from: string, to: string): void {
    this.fallbacks.inc({ from, to });
  }

  providerCooldown(provider: string): void {
    this.cooldowns.inc({ provider });
  }

  aguiFrameEncoded(): void {
    this.aguiFrames.inc();
  }

  async text(): Promise<string> {
    return this.registry.metrics();
  }

  private operationLabel(name: string | null | undefined): string {
    if (!name) return '(anonymous)';
    if (this.names.has(name)) return name;
    if (this.names.size >= MAX_OPERATION_NAMES || !/^[_A-Za-z][_0-9A-Za-z]{0,99}$/.test(name)) return '(other)';
    this.names.add(name);
    return name;
  }
}

/** For scripts that build services but serve nothing. */
export const noMetrics: Metrics = {
  operation: () => {},
  agentRunFinished: () => {},
  transfer: () => {},
  rateLimited: () => {},
  wsDisconnected: () => {},
  providerAttempt: () => {},
  providerFallback: () => {},
  providerCooldown: () => {},
};
