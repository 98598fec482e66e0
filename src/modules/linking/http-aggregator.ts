import { minorUnitExponent } from '../../shared/currency.js';
import { AggregatorError, type Aggregator, type AggregatorAccount, type AggregatorTransaction, type SyncPage } from './aggregator.js';

export interface HttpAggregatorOptions {
  url: string;
  clientId: string;
  secret: string;
  /** Attempts per call before AGGREGATOR_UNAVAILABLE (429, 5xx, timeouts). */
  attempts?: number;
  /** The first backoff; it doubles each retry (Retry-After wins when longer, up to maxBackoffMs). */
  backoffMs?: number;
  maxBackoffMs?: number;
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

type Json = Record<string, unknown>;

/** The aggregator over HTTP (the sandbox's Plaid-shaped API), with retries and backoff. Never logs a token or the secret. */
export class HttpAggregator implements Aggregator {
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: HttpAggregatorOptions) {
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async institutions(search: string | null) {
    const body = await this.call('/institutions/get', { query: search ?? '' });
    return (body.institutions as Json[]).map((i) => ({ id: String(i.institution_id), name: String(i.name) }));
  }

  async startLink(input: { userId: string; institutionId: string; redirectUri: string; linkSessionId: string; webhookUrl: string; accessToken?: string }) {
    const body = await this.call('/link/token/create', {
      client_user_id: input.userId,
      institution_id: input.institutionId,
      redirect_uri: input.redirectUri,
      link_session_id: input.linkSessionId,
      webhook: input.webhookUrl,
      ...(input.accessToken ? { access_token: input.accessToken } : {}),
    });
    return { linkUrl: String(body.link_url), expiresAt: new Date(String(body.expiration)) };
  }

  async exchange(publicToken: string) {
    const body = await this.call('/item/public_token/exchange', { public_token: publicToken });
    return { accessToken: String(body.access_token), itemId: String(body.item_id) };
  }

  async accounts(accessToken: string): Promise<AggregatorAccount[]> {
    const body = await this.call('/accounts/get', { access_token: accessToken });
    return (body.accounts as Json[]).map((a) => {
      const currency = String(a.iso_currency_code);
      const current = (a.balances as Json | undefined)?.current;
      return {
        externalId: String(a.account_id),
        name: String(a.name),
        mask: typeof a.mask === 'string' ? a.mask : null,
        type: String(a.type),
        subtype: typeof a.subtype === 'string' ? a.subtype : null,
        currency,
        balanceMinor: current === null || current === undefined ? null : toMinor(String(current), currency),
      };
    });
  }

  async sync(accessToken: string, cursor: string, count: number): Promise<SyncPage> {
    const body = await this.call('/transactions/sync', { access_token: accessToken, cursor, count });
    const txn = (t: Json): AggregatorTransaction => {
      const currency = String(t.iso_currency_code);
      return {
        externalId: String(t.transaction_id),
        accountExternalId: String(t.account_id),
        amountMinor: toMinor(String(t.amount), currency),
        currency,
        date: String(t.date),
        name: String(t.name),
        merchant: typeof t.merchant_name === 'string' ? t.merchant_name : null,
        category: typeof t.category === 'string' ? t.category : null,
        mcc: typeof t.mcc === 'string' ? t.mcc : null,
        pending: t.pending === true,
        pendingExternalId: typeof t.pending_transaction_id === 'string' ? t.pending_transaction_id : null,
      };
    };
    return {
      added: (body.added as Json[]).map(txn),
      modified: (body.modified as Json[]).map(txn),
      removed: (body.removed as Json[]).map((r) => String(r.transaction_id)),
      nextCursor: String(body.next_cursor),
      hasMore: body.has_more === true,
    };
  }

  async remove(accessToken: string): Promise<void> {
    await this.call('/item/remove', { access_token: accessToken });
  }

  /** One call: retried on 429 (after Retry-After), 5xx and timeouts with doubling backoff; the aggregator's own refusals are not retried. */
  private async call(path: string, payload: Json): Promise<Json> {
    const attempts = this.options.attempts ?? 4;
    let backoff = this.options.backoffMs ?? 200;
    for (let attempt = 1; ; attempt++) {
      let wait = backoff;
      try {
        const res = await fetch(`${this.options.url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ client_id: this.options.clientId, secret: this.options.secret, ...payload }),
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
        });
        const body = (await res.json().catch(() => ({}))) as Json;
        if (res.ok) return body;
        if (res.status !== 429 && res.status < 500) throw refusal(body);
        wait = Math.max(backoff, Number(res.headers.get('retry-after') ?? 0) * 1000);
      } catch (error) {
        if (error instanceof AggregatorError) throw error;
      }
      if (attempt >= attempts) throw new AggregatorError('UNAVAILABLE', `the aggregator did not answer ${path} after ${attempts} attempts`);
      await this.sleep(Math.min(wait, this.options.maxBackoffMs ?? 5_000));
      backoff *= 2;
    }
  }
}

function refusal(body: Json): AggregatorError {
  const code = String(body.error_code ?? '');
  if (code === 'ITEM_LOGIN_REQUIRED') return new AggregatorError('LOGIN_REQUIRED', 'the bank wants the user to sign in again');
  if (code === 'TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION') return new AggregatorError('MUTATION_DURING_PAGINATION', 'the transactions changed mid-sync');
  if (code === 'INVALID_PUBLIC_TOKEN' || code === 'INVALID_ACCESS_TOKEN') return new AggregatorError('INVALID_TOKEN', 'the aggregator refused the token');
  return new AggregatorError('REFUSED', `the aggregator refused the call (${code || 'no code'})`);
}

/** "12.34" in a currency's minor units, exactly; a sign is kept. */
export function toMinor(decimal: string, currency: string): bigint {
  const m = /^(-)?(\d+)(?:\.(\d+))?$/.exec(decimal.trim());
  if (!m) throw new AggregatorError('REFUSED', 'the aggregator sent an amount that is not a decimal');
  const exponent = minorUnitExponent(currency);
  const fraction = (m[3] ?? '').padEnd(exponent, '0');
  if (fraction.length > exponent) throw new AggregatorError('REFUSED', 'the aggregator sent more decimals than the currency has');
  const minor = BigInt(m[2]!) * 10n ** BigInt(exponent) + BigInt(fraction || '0');
  return m[1] ? -minor : minor;
}
