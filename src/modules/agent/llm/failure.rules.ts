import type { ProviderFailure } from './provider.js';

/** Servers word a too-long prompt differently; some send it as a plain 400. */
const CONTEXT_TOO_LONG = /context[_ ]length|context window|maximum context|prompt is too long|too many tokens|max_tokens_exceeded|reduce the length/i;

/** The error class of an HTTP answer (docs/providers.md has the table). */
export function failureOfStatus(status: number, message: string): ProviderFailure {
  if (status === 429) return 'RATE_LIMITED';
  if (status === 401 || status === 403) return 'AUTH';
  if (status === 408) return 'TIMEOUT';
  if (status === 413 || CONTEXT_TOO_LONG.test(message)) return 'CONTEXT_TOO_LONG';
  if (status >= 500) return 'UNAVAILABLE';
  return 'BAD_REQUEST';
}

const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

/** undici reports a body cut mid-stream as TypeError('terminated'), with the socket error as its cause. */
export function isNetworkFailure(caught: unknown): boolean {
  if (!(caught instanceof Error)) return false;
  if (caught instanceof TypeError && (caught.message === 'terminated' || caught.message === 'fetch failed')) return true;
  const code = (caught as { code?: unknown }).code ?? (caught.cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && NETWORK_CODES.has(code);
}

/** retry-after-ms (OpenAI) or retry-after in seconds. */
export function retryAfterMs(headers: Headers | undefined): number | undefined {
  const ms = Number(headers?.get('retry-after-ms'));
  if (Number.isFinite(ms) && ms > 0) return ms;
  const seconds = Number(headers?.get('retry-after'));
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
}
