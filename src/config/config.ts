import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import proxyaddr from 'proxy-addr';
import { FLAG_KEYS, flagEnvName, type FlagKey } from '../flags/flags.catalog.js';

export type NodeEnv = 'development' | 'production' | 'test';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
/** auto: human-readable (pino-pretty) in a terminal outside production, JSON lines otherwise. */
export type LogFormat = 'auto' | 'json' | 'pretty';

export interface Config {
  env: NodeEnv;
  host: string;
  port: number;
  /**
   * Which peers are proxies whose X-Forwarded-For is believed (express's `trust proxy`):
   * false (none: the TCP peer is the client), a hop count, or addresses/CIDRs/presets.
   */
  trustProxy: false | number | string[];
  /** Set: pub/sub and rate-limit counters go through Redis, so several instances act as one. */
  redisUrl: string | undefined;
  /** Names this process in logs, metrics and the runs it executes. */
  instanceId: string;
  /** Unset: the embedded PGlite database under `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
  dbPoolMax: number;
  bodyLimitBytes: number;
  logLevel: LogLevel;
  logFormat: LogFormat;
  /** Serve the reference chat page at GET /chat. */
  chatUi: boolean;
  /** Serve the chat page's source maps (1.5 MB of source): only when debugging it. */
  chatUiSourceMaps: boolean;
  /** Feature flags: the flags file (re-read on change) and FEATURE_* overrides, which win (src/flags/). */
  flags: { file: string | undefined; overrides: Partial<Record<FlagKey, boolean>> };
  /** Local debugging only: unexpected errors reach the client with message and stack. */
  exposeErrors: boolean;
  seedDemo: boolean;
  shutdownGraceMs: number;
  /** How long /readyz answers 503 before the listener closes, so a load balancer's health check takes the instance out first. */
  shutdownDrainDelayMs: number;
  /** Idle keep-alive sockets live this long: longer than a load balancer's idle timeout, so the balancer closes them first. */
  httpKeepAliveTimeoutMs: number;
  /** Time to receive a request's headers; above the keep-alive timeout, as Node requires for a reused socket. */
  httpHeadersTimeoutMs: number;
  jwt: { secret: string; secretGenerated: boolean; issuer: string; audience: string; accessTtlSec: number };
  refreshTtlSec: number;
  /** How long a rotated refresh token still answers with the pair its rotation issued (racing tabs); past it, a reuse revokes. */
  refreshGraceSec: number;
  /** How long a checked session row is trusted without asking the database again (0: always ask). */
  sessionCacheMs: number;
  bcryptCost: number;
  loginMaxFailuresPerUser: number;
  loginMaxFailuresPerIp: number;
  operator: { username: string; password: string } | undefined;
  transferPendingTtlSec: number;
  /** Linked bank accounts: the aggregator and the secrets its tokens and webhooks use. */
  aggregator: {
    /** Unset: the sandbox aggregator, started in this process on a loopback port. */
    url: string | undefined;
    clientId: string;
    secret: string;
    webhookSecret: string;
    /** Where the aggregator posts its webhooks; unset: this gateway's own address. */
    webhookUrl: string | undefined;
    /** Seconds between scheduled syncs of every linked item; 0: only webhooks and syncLinkedAccount. */
    syncIntervalSec: number;
    /** AES-256-GCM key of the stored access tokens (32 bytes). */
    tokenKey: Buffer;
  };
  /** Per-operation validation limits, the same over HTTP and WebSocket. */
  graphql: {
    introspection: boolean;
    /** "Did you mean ...?" hints leak the schema: stripped in production. */
    hideSuggestions: boolean;
    maxDepth: number;
    maxAliases: number;
    maxCost: number;
    maxTokens: number;
    maxDirectives: number;
  };
  /** Events per fixed window of `windowSec`; 0 turns a limit off. */
  rateLimits: {
    windowSec: number;
    operationsPerUser: number;
    operationsPerIp: number;
    subscribesPerUser: number;
    subscribesPerIp: number;
    sendMessagePerUser: number;
  };
  ws: {
    maxSubscriptionsPerConnection: number;
    maxSubscriptionsPerUser: number;
    /** A socket holding more unsent bytes than this is a slow consumer and is closed. */
    maxBufferedBytes: number;
    /** A socket whose unsent bytes have not drained for this long is closed too. */
    sendStallMs: number;
    /** Every socket is pinged this often; one that has not answered the previous ping is cut. */
    keepAliveMs: number;
    /** Open sockets per signed-in user; the next is closed with 4429. */
    maxConnectionsPerUser: number;
  };
  /** What a client may hold open across every streaming transport (WebSocket, multipart, SSE). */
  streams: {
    /** Open connections per client address, all transports together: the next socket is closed with 4429, the next HTTP stream refused with 429. */
    maxPerIp: number;
  };
  metricsEnabled: boolean;
  /**
   * Where GET /metrics is served: `port` undefined means on the main port (development and
   * test only); otherwise a listener of its own on host:port. `token`: a bearer token it requires.
   */
  metrics: { port: number | undefined; host: string; token: string | undefined };
  /** OpenTelemetry traces (OTEL_* variables); undefined: off, nothing traced. */
  tracing: TracingConfig | undefined;
  llm: {
    /** The chain, in the order runs try it (LLM_PROVIDERS; the single-provider variables make a chain of one). */
    providers: LlmProviderConfig[];
    timeoutMs: number;
    /** Retries of one provider per turn, before the first token; backoff from `retryBaseMs`, waits summed within `retryBudgetMs`. */
    maxRetries: number;
    retryBaseMs: number;
    retryBudgetMs: number;
    /** `failures` within `windowMs` rest a provider for `cooldownMs`. */
    cooldown: { failures: number; windowMs: number; cooldownMs: number };
  };
}

export interface TracingConfig {
  /** otlp: OTLP/HTTP (JSON) to `endpoint`; console: spans printed to stdout (debugging). */
  exporter: 'otlp' | 'console';
  /** The full traces URL (…/v1/traces). */
  endpoint: string;
  /** Sent with every export (OTEL_EXPORTER_OTLP_HEADERS: a collector's API key, say). */
  headers: Record<string, string>;
  serviceName: string;
  /** Which traces are recorded (OTEL_TRACES_SAMPLER's names); `ratio` for the traceidratio ones. */
  sampler: { kind: TraceSampler; ratio: number };
}

export const TRACE_SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;
export type TraceSampler = (typeof TRACE_SAMPLERS)[number];

export type LlmKind = 'openai' | 'anthropic' | 'local';

export interface LlmProviderConfig {
  /** Names the provider in runs, attempts, metrics and logs. */
  name: string;
  kind: LlmKind;
  baseUrl: string;
  apiKey: string;
  model: string;
}

const LLM_KINDS = ['openai', 'anthropic', 'local'] as const;
const LLM_DEFAULTS: Record<LlmKind, { baseUrl: string; model: string }> = {
  openai: { baseUrl: 'https://api.openai.com/v1', model: 'gpt-4o-mini' },
  anthropic: { baseUrl: 'https://api.anthropic.com', model: 'claude-sonnet-4-5' },
  local: { baseUrl: '', model: 'rule-based-v1' },
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const DEFAULT_METRICS_PORT = 9464;
/** Two missed checks of a balancer checking every 2 s, with a second to spare (deploy/haproxy.cfg). */
const DEFAULT_PRODUCTION_DRAIN_DELAY_MS = 5_000;
const DEPRECATED_WS_MAX_CONNECTIONS_PER_IP = 'WS_MAX_CONNECTIONS_PER_IP';

/** Reads and validates the environment once; every problem names its variable. */
export function loadConfig(env: Env = process.env): { config: Config; warnings: string[] } {
  const problems: string[] = [];
  const warnings: string[] = [];
  const read = new Reader(env, problems);

  const nodeEnv = read.oneOf('NODE_ENV', ['development', 'production', 'test'] as const, 'development');
  const databaseUrl = read.url('DATABASE_URL', ['postgres:', 'postgresql:']);
  const seedDefault = databaseUrl === undefined && nodeEnv !== 'test';

  let secret = read.string('JWT_SECRET');
  let secretGenerated = false;
  if (secret !== undefined && secret.length < 32) {
    problems.push('JWT_SECRET must be at least 32 characters long');
  } else if (secret === undefined) {
    if (nodeEnv === 'production') {
      problems.push('JWT_SECRET is required when NODE_ENV=production (at least 32 random characters)');
    } else {
      secret = randomBytes(32).toString('base64url');
      secretGenerated = true;
      warnings.push('JWT_SECRET is not set: generated a random one, so tokens stop working when the process restarts');
    }
  }

  const rawTokenKey = read.string('LINK_TOKEN_KEY');
  let tokenKey =
    rawTokenKey === undefined ? undefined : /^[0-9a-f]{64}$/i.test(rawTokenKey) ? Buffer.from(rawTokenKey, 'hex') : Buffer.from(rawTokenKey, 'base64');
  if (tokenKey !== undefined && tokenKey.length !== 32) problems.push('LINK_TOKEN_KEY must be 32 bytes, as 64 hex digits or base64');
  if (tokenKey === undefined) {
    // A real aggregator's tokens must outlive a restart; the embedded sandbox's live in its memory anyway.
    if (nodeEnv === 'production' && env.AGGREGATOR_URL?.trim())
      problems.push('LINK_TOKEN_KEY is required with AGGREGATOR_URL when NODE_ENV=production (32 random bytes, hex or base64)');
    else warnings.push('LINK_TOKEN_KEY is not set: generated a random one, so linked accounts must be linked again after a restart');
    tokenKey = randomBytes(32);
  }

  const operatorUsername = read.string('OPERATOR_USERNAME');
  const operatorPassword = read.string('OPERATOR_PASSWORD');
  if ((operatorUsername === undefined) !== (operatorPassword === undefined)) {
    problems.push('OPERATOR_USERNAME and OPERATOR_PASSWORD must be set together');
  }

  // It capped sockets only; read as STREAMS_MAX_PER_IP until deployments rename it (not listed in .env.example: new setups never set it).
  const legacyPerIp = read.string(DEPRECATED_WS_MAX_CONNECTIONS_PER_IP) !== undefined;
  if (legacyPerIp) {
    warnings.push(
      read.string('STREAMS_MAX_PER_IP') === undefined
        ? 'WS_MAX_CONNECTIONS_PER_IP is deprecated: rename it STREAMS_MAX_PER_IP (it now caps WebSockets, multipart and SSE streams together)'
        : 'WS_MAX_CONNECTIONS_PER_IP is deprecated and ignored: STREAMS_MAX_PER_IP is set',
    );
  }
  const streamsMaxPerIp =
    read.string('STREAMS_MAX_PER_IP') === undefined && legacyPerIp
      ? read.int(DEPRECATED_WS_MAX_CONNECTIONS_PER_IP, 200, 1, 1_000_000)
      : read.int('STREAMS_MAX_PER_IP', 200, 1, 1_000_000);

  const exposeErrors = read.bool('EXPOSE_ERRORS', false);
  if (exposeErrors && nodeEnv === 'production') {
    problems.push('EXPOSE_ERRORS=true is for local debugging and is refused when NODE_ENV=production');
  }

  const port = read.int('PORT', 4000, 0, 65535);
  const metricsPort = read.int('METRICS_PORT', -1, 0, 65535);
  if (nodeEnv === 'production' && metricsPort === port && port !== 0) {
    problems.push('METRICS_PORT must differ from PORT when NODE_ENV=production: metrics are not served on the public port');
  }
  const metricsToken = read.string('METRICS_TOKEN');
  if (metricsToken !== undefined && metricsToken.length < 32) problems.push('METRICS_TOKEN must be at least 32 characters long');

  // Past the 60 s idle timeout that AWS ALB, nginx and haproxy setups commonly use.
  const httpKeepAliveTimeoutMs = read.int('HTTP_KEEPALIVE_TIMEOUT_MS', 65_000, 1_000, 3_600_000);
  const httpHeadersTimeoutMs = read.int('HTTP_HEADERS_TIMEOUT_MS', httpKeepAliveTimeoutMs + 1_000, 1_000, 3_600_000);
  if (httpHeadersTimeoutMs <= httpKeepAliveTimeoutMs) {
    problems.push('HTTP_HEADERS_TIMEOUT_MS must be greater than HTTP_KEEPALIVE_TIMEOUT_MS: a request arriving on a reused socket would be cut');
  }

  const llmBaseUrl = read.url('LLM_BASE_URL', ['http:', 'https:']);
  const llmApiKey = read.string('LLM_API_KEY');
  const llmProvider = read.oneOf('LLM_PROVIDER', ['local', 'openai'] as const, llmBaseUrl || llmApiKey ? 'openai' : 'local');
  if (llmProvider === 'openai' && !llmBaseUrl && !llmApiKey) {
    problems.push('LLM_PROVIDER=openai needs LLM_API_KEY (for OpenAI) or LLM_BASE_URL (for a compatible server such as Ollama)');
  }
  const llmModel = read.string('LLM_MODEL');
  const chainNames = read.string('LLM_PROVIDERS');
  const llmProviders =
    chainNames === undefined
      ? [single(llmProvider, llmBaseUrl, llmApiKey, llmModel)]
      : read.llmChain(
          'LLM_PROVIDERS',
          chainNames.split(',').map((n) => n.trim()),
        );
  if (chainNames !== undefined && (llmBaseUrl || llmApiKey || llmModel || read.string('LLM_PROVIDER'))) {
    warnings.push('LLM_PROVIDERS is set: LLM_PROVIDER, LLM_BASE_URL, LLM_API_KEY and LLM_MODEL are ignored (use LLM_<NAME>_BASE_URL and the like)');
  }

  // The standard OTEL_* variables: traces go out when an OTLP endpoint is set or OTEL_TRACES_EXPORTER names an exporter.
  const otlpBase = read.url('OTEL_EXPORTER_OTLP_ENDPOINT', ['http:', 'https:']);
  const otlpTraces = read.url('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', ['http:', 'https:']);
  const traceExporter = read.oneOf('OTEL_TRACES_EXPORTER', ['otlp', 'console', 'none'] as const, otlpBase || otlpTraces ? 'otlp' : 'none');
  const otlpHeaders = read.otlpHeaders('OTEL_EXPORTER_OTLP_HEADERS');
  const serviceName = read.string('OTEL_SERVICE_NAME') ?? 'coach-gateway';
  const sampler = read.oneOf('OTEL_TRACES_SAMPLER', TRACE_SAMPLERS, 'parentbased_always_on');
  const samplerArg = read.string('OTEL_TRACES_SAMPLER_ARG');
  const ratio = samplerArg === undefined ? 1 : Number(samplerArg);
  if (!(ratio >= 0 && ratio <= 1)) problems.push(`OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1 (got "${samplerArg}")`);
  const tracing: TracingConfig | undefined =
    read.bool('OTEL_SDK_DISABLED', false) || traceExporter === 'none'
      ? undefined
      : {
          exporter: traceExporter,
          // The specification's rule: the generic endpoint gets /v1/traces appended, the signal's own is used as it is.
          endpoint: otlpTraces ?? (otlpBase ? `${otlpBase.replace(/\/+$/, '')}/v1/traces` : 'http://localhost:4318/v1/traces'),
          headers: otlpHeaders,
          serviceName,
          sampler: { kind: sampler, ratio: ratio >= 0 && ratio <= 1 ? ratio : 1 },
        };

  const config: Config = {
    tracing,
    env: nodeEnv,
    host: read.string('HOST') ?? '127.0.0.1',
    redisUrl: read.url('REDIS_URL', ['redis:', 'rediss:']),
    instanceId: read.string('INSTANCE_ID') ?? `${hostname()}-${process.pid}`,
    port,
    trustProxy: read.trustProxy('TRUST_PROXY'),
    databaseUrl,
    dataDir: read.string('DATA_DIR') ?? './data',
    dbPoolMax: read.int('DB_POOL_MAX', 10, 1, 200),
    bodyLimitBytes: read.int('BODY_LIMIT_BYTES', 2 * 1024 * 1024, 1024, 100 * 1024 * 1024),
    logLevel: read.oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
    logFormat: read.oneOf('LOG_FORMAT', ['auto', 'json', 'pretty'] as const, 'auto'),
    chatUi: read.bool('CHAT_UI', nodeEnv === 'development'),
    chatUiSourceMaps: read.bool('CHAT_UI_SOURCE_MAPS', false),
    flags: { file: read.string('FLAGS_FILE'), overrides: read.flagOverrides() },
    exposeErrors,
    seedDemo: read.bool('SEED_DEMO', seedDefault),
    shutdownGraceMs: read.int('SHUTDOWN_GRACE_MS', 10_000, 0, 600_000),
    shutdownDrainDelayMs: read.int('SHUTDOWN_DRAIN_DELAY_MS', nodeEnv === 'production' ? DEFAULT_PRODUCTION_DRAIN_DELAY_MS : 0, 0, 600_000),
    httpKeepAliveTimeoutMs,
    httpHeadersTimeoutMs,
    jwt: {
      secret: secret ?? '',
      secretGenerated,
      issuer: read.string('JWT_ISSUER') ?? 'coach-gateway',
      audience: read.string('JWT_AUDIENCE') ?? 'coach-app',
      accessTtlSec: read.int('ACCESS_TOKEN_TTL_SECONDS', 900, 10, 24 * 3600),
    },
    refreshTtlSec: read.int('REFRESH_TOKEN_TTL_SECONDS', 30 * 24 * 3600, 60, 365 * 24 * 3600),
    refreshGraceSec: read.int('REFRESH_TOKEN_GRACE_SECONDS', 5, 0, 60),
    sessionCacheMs: read.int('SESSION_CACHE_MS', 5_000, 0, 60_000),
    bcryptCost: read.int('BCRYPT_COST', 12, 4, 15),
    loginMaxFailuresPerUser: read.int('LOGIN_MAX_FAILURES_PER_USER', 5, 1, 1000),
    loginMaxFailuresPerIp: read.int('LOGIN_MAX_FAILURES_PER_IP', 50, 1, 100000),
    operator: operatorUsername !== undefined && operatorPassword !== undefined ? { username: operatorUsername, password: operatorPassword } : undefined,
    transferPendingTtlSec: read.int('TRANSFER_PENDING_TTL_SECONDS', 15 * 60, 1, 7 * 24 * 3600),
    aggregator: {
      url: read.url('AGGREGATOR_URL', ['http:', 'https:']),
      clientId: read.string('AGGREGATOR_CLIENT_ID') ?? 'sandbox-client',
      secret: read.string('AGGREGATOR_SECRET') ?? 'sandbox-secret',
      webhookSecret: read.string('AGGREGATOR_WEBHOOK_SECRET') ?? 'sandbox-webhook-secret',
      webhookUrl: read.url('AGGREGATOR_WEBHOOK_URL', ['http:', 'https:']),
      syncIntervalSec: read.int('LINK_SYNC_INTERVAL', 3600, 0, 7 * 24 * 3600),
      tokenKey,
    },
    graphql: {
      introspection: read.bool('GRAPHQL_INTROSPECTION', nodeEnv !== 'production'),
      hideSuggestions: nodeEnv === 'production',
      maxDepth: read.int('GRAPHQL_MAX_DEPTH', 15, 1, 1000),
      maxAliases: read.int('GRAPHQL_MAX_ALIASES', 30, 0, 10_000),
      maxCost: read.int('GRAPHQL_MAX_COST', 100_000, 1, 100_000_000),
      maxTokens: read.int('GRAPHQL_MAX_TOKENS', 5_000, 100, 1_000_000),
      maxDirectives: read.int('GRAPHQL_MAX_DIRECTIVES', 50, 0, 10_000),
    },
    rateLimits: {
      windowSec: read.int('RATE_LIMIT_WINDOW_SECONDS', 60, 1, 24 * 3600),
      operationsPerUser: read.int('RATE_LIMIT_OPERATIONS_PER_USER', 1_200, 0, 100_000_000),
      operationsPerIp: read.int('RATE_LIMIT_OPERATIONS_PER_IP', 6_000, 0, 100_000_000),
      subscribesPerUser: read.int('RATE_LIMIT_SUBSCRIBES_PER_USER', 600, 0, 100_000_000),
      subscribesPerIp: read.int('RATE_LIMIT_SUBSCRIBES_PER_IP', 3_000, 0, 100_000_000),
      sendMessagePerUser: read.int('RATE_LIMIT_SEND_MESSAGE_PER_USER', 30, 0, 100_000_000),
    },
    ws: {
      maxSubscriptionsPerConnection: read.int('WS_MAX_SUBSCRIPTIONS_PER_CONNECTION', 100, 1, 100_000),
      maxSubscriptionsPerUser: read.int('WS_MAX_SUBSCRIPTIONS_PER_USER', 500, 1, 1_000_000),
      maxBufferedBytes: read.int('WS_MAX_BUFFERED_BYTES', 4 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
      sendStallMs: read.int('WS_SEND_STALL_MS', 30_000, 100, 600_000),
      keepAliveMs: read.int('WS_KEEPALIVE_MS', 12_000, 100, 600_000),
      // One socket carries every subscription of a browser tab: 50 is far above a person's tabs and devices.
      maxConnectionsPerUser: read.int('WS_MAX_CONNECTIONS_PER_USER', 50, 1, 1_000_000),
    },
    streams: { maxPerIp: streamsMaxPerIp },
    metricsEnabled: read.bool('METRICS_ENABLED', true),
    metrics: {
      // In production the public port never serves /metrics: a loopback listener of its own.
      port: metricsPort === 0 || (metricsPort > 0 && metricsPort !== port) ? metricsPort : nodeEnv === 'production' ? DEFAULT_METRICS_PORT : undefined,
      host: read.string('METRICS_HOST') ?? '127.0.0.1',
      token: metricsToken,
    },
    llm: {
      providers: llmProviders,
      timeoutMs: read.int('LLM_TIMEOUT_MS', 60_000, 100, 600_000),
      maxRetries: read.int('LLM_MAX_RETRIES', 2, 0, 10),
      retryBaseMs: read.int('LLM_RETRY_BASE_MS', 500, 1, 60_000),
      retryBudgetMs: read.int('LLM_RETRY_BUDGET_MS', 10_000, 0, 600_000),
      cooldown: {
        failures: read.int('LLM_COOLDOWN_FAILURES', 3, 1, 1000),
        windowMs: read.int('LLM_COOLDOWN_WINDOW_SECONDS', 60, 1, 3600) * 1000,
        cooldownMs: read.int('LLM_COOLDOWN_SECONDS', 30, 1, 3600) * 1000,
      },
    },
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return { config, warnings };
}

/** The single-provider settings as a chain of one, named as before ('openai' or 'local'). */
function single(kind: 'openai' | 'local', baseUrl: string | undefined, apiKey: string | undefined, model: string | undefined): LlmProviderConfig {
  return {
    name: kind,
    kind,
    baseUrl: baseUrl ?? LLM_DEFAULTS[kind].baseUrl,
    // Compatible local servers (Ollama, llama.cpp) ignore the key but the client needs one.
    apiKey: apiKey ?? 'not-needed',
    model: kind === 'local' ? LLM_DEFAULTS.local.model : (model ?? LLM_DEFAULTS.openai.model),
  };
}

class Reader {
  constructor(
    private readonly env: Env,
    private readonly problems: string[],
  ) {}

  string(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) {
      this.problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  }

  bool(name: string, fallback: boolean): boolean {
    const raw = this.string(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (['true', '1', 'yes'].includes(raw)) return true;
    if (['false', '0', 'no'].includes(raw)) return false;
    this.problems.push(`${name} must be true or false (got "${raw}")`);
    return fallback;
  }

  /** express's `trust proxy`, minus `true` (trusting every hop lets any client pick its address). */
  trustProxy(name: string): false | number | string[] {
    const raw = this.string(name);
    if (raw === undefined || raw.toLowerCase() === 'false' || raw === '0') return false;
    if (/^\d+$/.test(raw)) return this.int(name, 0, 1, 100);
    if (raw.toLowerCase() === 'true') {
      this.problems.push(`${name}=true would let any client choose its own address: give the number of proxies in front, or their addresses`);
      return false;
    }
    const list = raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    try {
      proxyaddr.compile(list);
      return list;
    } catch {
      this.problems.push(
        `${name} must be false, a hop count (1 to 100) or a comma-separated list of proxy addresses, CIDR ranges, loopback, linklocal or uniquelocal (got "${raw}")`,
      );
      return false;
    }
  }

  /** FEATURE_<KEY>=true|false for each known flag; an unknown FEATURE_ name is a typo worth stopping for. */
  flagOverrides(): Partial<Record<FlagKey, boolean>> {
    const byEnvName = new Map(FLAG_KEYS.map((key) => [flagEnvName(key), key]));
    const overrides: Partial<Record<FlagKey, boolean>> = {};
    for (const name of Object.keys(this.env).filter((n) => n.startsWith('FEATURE_'))) {
      const key = byEnvName.get(name);
      if (key === undefined) this.problems.push(`${name} names no feature flag (known: ${[...byEnvName.keys()].join(', ')})`);
      else if (this.string(name) !== undefined) overrides[key] = this.bool(name, true);
    }
    return overrides;
  }

  /** LLM_<NAME>_KIND, _BASE_URL, _API_KEY and _MODEL for each name of the chain; KIND defaults to the name when it is a kind. */
  llmChain(listName: string, names: string[]): LlmProviderConfig[] {
    const chain: LlmProviderConfig[] = [];
    for (const name of names) {
      if (!/^[a-z][a-z0-9_-]{0,30}$/.test(name) || chain.some((p) => p.name === name)) {
        this.problems.push(`${listName} must list distinct provider names (lower-case letters, digits, - and _), e.g. "openai,anthropic" (got "${name}")`);
        continue;
      }
      const prefix = `LLM_${name.toUpperCase().replace(/-/g, '_')}_`;
      const kind = this.oneOf(`${prefix}KIND`, LLM_KINDS, (LLM_KINDS as readonly string[]).includes(name) ? (name as LlmKind) : 'openai');
      const apiKey = this.string(`${prefix}API_KEY`);
      const baseUrl = this.url(`${prefix}BASE_URL`, ['http:', 'https:']);
      if (kind !== 'local' && !apiKey && !baseUrl) this.problems.push(`${prefix}API_KEY or ${prefix}BASE_URL is needed for the ${kind} provider "${name}"`);
      chain.push({
        name,
        kind,
        baseUrl: baseUrl ?? LLM_DEFAULTS[kind].baseUrl,
        apiKey: apiKey ?? 'not-needed',
        model: kind === 'local' ? LLM_DEFAULTS.local.model : (this.string(`${prefix}MODEL`) ?? LLM_DEFAULTS[kind].model),
      });
    }
    if (chain.length === 0 && names.every((n) => n === '')) this.problems.push(`${listName} must name at least one provider`);
    return chain;
  }

  /** `key=value,key2=value2`, values percent-encoded (the OTLP exporter specification's format). */
  otlpHeaders(name: string): Record<string, string> {
    const raw = this.string(name);
    const headers: Record<string, string> = {};
    if (raw === undefined) return headers;
    for (const pair of raw.split(',')) {
      const at = pair.indexOf('=');
      const key = pair.slice(0, Math.max(0, at)).trim();
      if (at <= 0 || !/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(key)) {
        this.problems.push(`${name} must be comma-separated key=value pairs (got a part without a valid key)`);
        return {};
      }
      try {
        headers[key] = decodeURIComponent(pair.slice(at + 1).trim());
      } catch {
        this.problems.push(`${name}: the value of ${key} is not valid percent-encoding`);
        return {};
      }
    }
    return headers;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    this.problems.push(`${name} must be one of ${allowed.join(', ')} (got "${raw}")`);
    return fallback;
  }

  url(name: string, protocols: string[]): string | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    try {
      const url = new URL(raw);
      if (protocols.includes(url.protocol)) return raw;
    } catch {
      // reported below
    }
    this.problems.push(`${name} must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`);
    return undefined;
  }
}
