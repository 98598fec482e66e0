import type { Cooldowns } from '../../../shared/cooldowns.js';
import type { Logger } from '../../../shared/logger.js';
import type { Metrics } from '../../../shared/metrics.js';
import { failed, type Tracing } from '../../../shared/tracing.js';
import { SpanKind, type Span } from '@opentelemetry/api';
import {
  ProviderError,
  abortableDelay,
  type LlmProvider,
  type ProviderEvent,
  type ProviderFailure,
  type ProviderRequest,
  type TokenUsage,
} from './provider.js';

export type AttemptOutcome = 'SERVED' | 'FAILED' | 'SKIPPED_COOLING_DOWN';

export interface ProviderAttempt {
  provider: string;
  model: string;
  outcome: AttemptOutcome;
  errorCode: ProviderFailure | null;
  latencyMs: number;
}

/** What a turn through the chain yields: the serving provider's events, plus a record of every try and every move down the chain. */
export type ChainEvent =
  ProviderEvent | { type: 'attempt'; attempt: ProviderAttempt } | { type: 'fallback'; from: string; to: string; reason: ProviderFailure };

export interface RetryPolicy {
  /** Tries of one provider after its first, per turn. */
  maxRetries: number;
  /** First backoff; doubles per retry, plus up to as much again of jitter. */
  baseMs: number;
  /** Waiting past this (backoff or the server's retry-after, summed over a provider's retries) falls over instead. */
  budgetMs: number;
}

const RETRY_SAME: ReadonlySet<ProviderFailure> = new Set(['RATE_LIMITED', 'TIMEOUT', 'UNAVAILABLE']);
/** A configuration problem, not bad luck: somebody has to act. */
const LOUD: ReadonlySet<ProviderFailure> = new Set(['AUTH', 'BAD_REQUEST']);
/** These say more about the request than about the provider's health: they do not count towards a cooldown. */
const REQUEST_FAULTS: ReadonlySet<ProviderFailure> = new Set(['BAD_REQUEST', 'CONTEXT_TOO_LONG']);

/**
 * The configured providers in order, with the one retry loop of the agent: a failure
 * before the first event is retried or falls over to the next provider as its class says
 * (docs/providers.md); a failure after output ends the turn (the caller keeps the partial answer).
 */
export class ProviderChain {
  constructor(
    readonly providers: readonly LlmProvider[],
    private readonly deps: { retry: RetryPolicy; cooldowns: Cooldowns; metrics: Metrics; logger: Logger; tracing?: Tracing },
  ) {
    if (providers.length === 0) throw new Error('A provider chain needs at least one provider');
  }

  /** The head of the chain: what a run names until a provider serves it. */
  get name(): string {
    return this.providers[0]!.name;
  }

  get model(): string {
    return this.providers[0]!.model;
  }

  async *stream(request: ProviderRequest): AsyncGenerator<ChainEvent> {
    const cooling = await Promise.all(this.providers.map((p) => this.isCooling(p.name)));
    // A cooldown only steers runs elsewhere while somewhere else is left.
    const skip = cooling.every(Boolean) ? cooling.map(() => false) : cooling;
    let last: ProviderError | undefined;
    for (const [index, provider] of this.providers.entries()) {
      if (skip[index]) {
        yield this.record(provider, 'SKIPPED_COOLING_DOWN', null, 0);
        continue;
      }
      if (last) {
        const from = lastTried(this.providers, skip, index);
        this.deps.metrics.providerFallback(from, provider.name);
        yield { type: 'fallback', from, to: provider.name, reason: last.failure ?? 'UNAVAILABLE' };
      }
      const outcome = yield* this.tryProvider(provider, request);
      if (outcome === undefined) return;
      last = outcome;
    }
    throw last!;
  }

  /** Tries one provider with its retries; undefined once it served, else the error that moves the run on. */
  private async *tryProvider(provider: LlmProvider, request: ProviderRequest): AsyncGenerator<ChainEvent, ProviderError | undefined> {
    let waited = 0;
    for (let retry = 0; ; retry++) {
      const started = performance.now();
      // Each try is a span of its own under the run's (the caller's context when the generator resumes).
      const span = this.deps.tracing ? providerSpan(this.deps.tracing, provider, retry) : undefined;
      try {
        for await (const event of provider.stream(request)) {
          if (span && event.type === 'usage') spanUsage(span, event.usage);
          yield event;
        }
        span?.setAttribute('coach.llm.outcome', 'SERVED');
        span?.end();
        yield this.record(provider, 'SERVED', null, performance.now() - started);
        return undefined;
      } catch (caught) {
        if (span) failed(span, caught);
        if (!(caught instanceof ProviderError) || caught.code === 'CANCELLED') throw caught;
        const failure = caught.failure ?? 'UNAVAILABLE';
        span?.setAttributes({ 'coach.llm.outcome': 'FAILED', 'error.type': failure });
        // The backoff below is not the provider's time.
        span?.end();
        yield this.record(provider, 'FAILED', failure, performance.now() - started);
        if (!REQUEST_FAULTS.has(failure)) await this.countFailure(provider.name);
        // Tokens reached the user: replaying the turn elsewhere would repeat or contradict them.
        if (caught.afterOutput) throw caught;
        const delay = this.backoffMs(retry, caught.retryAfterMs);
        if (RETRY_SAME.has(failure) && retry < this.deps.retry.maxRetries && waited + delay <= this.deps.retry.budgetMs) {
          await abortableDelay(delay, request.signal, false);
          waited += delay;
          continue;
        }
        const log = { provider: provider.name, model: provider.model, failure, err: caught };
        if (LOUD.has(failure)) this.deps.logger.error(log, `LLM provider ${provider.name} refused the request (${failure}): check its configuration`);
        else this.deps.logger.warn(log, `LLM provider ${provider.name} failed (${failure})`);
        return caught;
      } finally {
        // Also when the run stops reading mid-stream (cancelled).
        if (span?.isRecording()) span.end();
      }
    }
  }

  private record(provider: LlmProvider, outcome: AttemptOutcome, errorCode: ProviderFailure | null, latencyMs: number): ChainEvent {
    this.deps.metrics.providerAttempt(provider.name, outcome, errorCode);
    return { type: 'attempt', attempt: { provider: provider.name, model: provider.model, outcome, errorCode, latencyMs: Math.round(latencyMs) } };
  }

  private async isCooling(name: string): Promise<boolean> {
    try {
      return await this.deps.cooldowns.cooling(name);
    } catch (error) {
      this.deps.logger.warn({ err: error, provider: name }, 'could not read LLM cooldowns: trying the provider');
      return false;
    }
  }

  private async countFailure(name: string): Promise<void> {
    try {
      if (!(await this.deps.cooldowns.failed(name))) return;
      this.deps.metrics.providerCooldown(name);
      this.deps.logger.warn({ provider: name }, `LLM provider ${name} is cooling down: runs go to the next provider`);
    } catch (error) {
      this.deps.logger.warn({ err: error, provider: name }, 'could not count an LLM failure towards a cooldown');
    }
  }

  private backoffMs(retry: number, hintMs: number | undefined): number {
    const exponential = this.deps.retry.baseMs * 2 ** retry;
    return Math.max(exponential + Math.random() * exponential, hintMs ?? 0);
  }
}

/** A CLIENT span for one try of one provider (GenAI semantic conventions' names). */
function providerSpan(tracing: Tracing, provider: LlmProvider, retry: number): Span {
  return tracing.start(`chat ${provider.model}`, {
    kind: SpanKind.CLIENT,
    attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': provider.name, 'gen_ai.request.model': provider.model, 'coach.llm.retry': retry },
  });
}

function spanUsage(span: Span, usage: TokenUsage): void {
  span.setAttributes({ 'gen_ai.usage.input_tokens': usage.promptTokens, 'gen_ai.usage.output_tokens': usage.completionTokens });
}

/** The provider tried before `index` (cooling ones between were skipped, not tried). */
function lastTried(providers: readonly LlmProvider[], skip: boolean[], index: number): string {
  for (let i = index - 1; i >= 0; i--) if (!skip[i]) return providers[i]!.name;
  return providers[0]!.name;
}
