import { ProviderError } from './provider.js';

/**
 * One HTTP turn's abort controller: aborted when the run's signal aborts, or after
 * `timeoutMs` of server silence. The clock runs only while waiting for the server.
 */
export class StreamGuard {
  readonly http = new AbortController();
  private timedOut = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly onAbort = () => this.http.abort();

  constructor(
    private readonly signal: AbortSignal,
    private readonly timeoutMs: number,
  ) {
    if (signal.aborted) throw new ProviderError('CANCELLED', 'The run was cancelled', false);
    signal.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Waiting for the server again: (re)starts the silence clock. */
  waiting(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.http.abort();
    }, this.timeoutMs);
  }

  /** Something arrived: the consumer's time with it is not server silence. */
  arrived(): void {
    clearTimeout(this.timer);
  }

  /** Why the stream stopped, when the guard stopped it (SDKs and fetch end quietly or vaguely on abort). */
  interrupted(afterOutput: boolean): ProviderError | undefined {
    if (this.timedOut) return new ProviderError('TIMEOUT', `The model sent nothing for ${this.timeoutMs} ms`, afterOutput);
    if (this.signal.aborted) return new ProviderError('CANCELLED', 'The run was cancelled', afterOutput);
    return undefined;
  }

  /** Also covers a consumer that stops iterating early: the HTTP stream must not linger. */
  close(): void {
    clearTimeout(this.timer);
    this.signal.removeEventListener('abort', this.onAbort);
    this.http.abort();
  }
}
