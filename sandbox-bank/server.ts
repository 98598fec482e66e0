import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { consentPage } from './consent-page.js';
import { INSTITUTIONS, type SandboxInstitution, type SandboxTransaction } from './demo-data.js';
import { ItemStore, SandboxError, type Item } from './items.js';
import { sign, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './signing.js';

/*
 * The sandbox aggregator: a small HTTP service with the shape of Plaid's API (link tokens,
 * a consent page, public-token exchange, /accounts/get, cursor-based /transactions/sync,
 * signed webhooks), plus /sandbox/* controls for tests: faults, sign-in loss, new and
 * posted transactions. The gateway reaches it only over HTTP, as it would a real aggregator.
 */

export interface SandboxBankOptions {
  port?: number;
  host?: string;
  clientId: string;
  secret: string;
  /** Signs the webhooks (HMAC-SHA-256). */
  webhookSecret: string;
  /** "Today" for the demo histories (tests pin it). */
  now?: () => Date;
}

export interface SandboxBank {
  url: string;
  close(): Promise<void>;
}

interface LinkSession {
  institution: SandboxInstitution;
  redirectUri: string;
  linkSessionId: string;
  webhook: string | null;
  relink: Item | null;
  expiresAt: number;
}

interface Fault {
  status: number;
  retryAfter?: number;
  /** Answer nothing for this long: a timeout from the client's side. */
  hangMs?: number;
}

const LINK_TTL_MS = 30 * 60_000;
const MAX_BODY = 1024 * 1024;

export async function startSandboxBank(options: SandboxBankOptions): Promise<SandboxBank> {
  const now = options.now ?? (() => new Date());
  const items = new ItemStore(now);
  const links = new Map<string, LinkSession>();
  const publicTokens = new Map<string, Item>();
  const faults: Array<Fault | null> = [];
  let base = '';

  const institution = (id: unknown): SandboxInstitution => {
    const found = INSTITUTIONS.find((i) => i.id === id);
    if (!found) throw new SandboxError(400, 'INVALID_INSTITUTION', 'no such institution');
    return found;
  };

  const deliverWebhook = async (item: Item, code: string): Promise<number> => {
    if (!item.webhook) return 0;
    const body = JSON.stringify({ webhook_type: 'TRANSACTIONS', webhook_code: code, item_id: item.itemId, webhook_id: randomUUID() });
    const timestamp = String(Math.floor(Date.now() / 1000));
    try {
      const res = await fetch(item.webhook, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: sign(options.webhookSecret, timestamp, body) },
        body,
        signal: AbortSignal.timeout(5_000),
      });
      return res.status;
    } catch {
      return 0;
    }
  };

  const newPublicToken = (item: Item): string => {
    const token = `public-sandbox-${randomBytes(12).toString('hex')}`;
    publicTokens.set(token, item);
    return token;
  };

  /** The link session's item: the relinked one (signed in again), else a new one. */
  const consent = (link: LinkSession): Item => {
    if (link.relink) {
      link.relink.loginRequired = false;
      return link.relink;
    }
    return items.create(link.institution, link.webhook);
  };

  const api: Record<string, (body: Record<string, unknown>) => unknown> = {
    '/institutions/get': (b) => {
      const q = typeof b.query === 'string' ? b.query.toLowerCase() : '';
      return { institutions: INSTITUTIONS.filter((i) => i.name.toLowerCase().includes(q)).map((i) => ({ institution_id: i.id, name: i.name })) };
    },
    '/link/token/create': (b) => {
      const relink = typeof b.access_token === 'string' ? items.forRelink(b.access_token) : null;
      const inst = relink ? relink.institution : institution(b.institution_id);
      if (typeof b.redirect_uri !== 'string' || typeof b.link_session_id !== 'string')
        throw new SandboxError(400, 'INVALID_FIELD', 'redirect_uri and link_session_id are required');
      const linkToken = `link-sandbox-${randomBytes(12).toString('hex')}`;
      const expiresAt = now().getTime() + LINK_TTL_MS;
      links.set(linkToken, {
        institution: inst,
        redirectUri: b.redirect_uri,
        linkSessionId: b.link_session_id,
        webhook: typeof b.webhook === 'string' ? b.webhook : null,
        relink,
        expiresAt,
      });
      return { link_token: linkToken, link_url: `${base}/link/${linkToken}`, expiration: new Date(expiresAt).toISOString() };
    },
    '/item/public_token/exchange': (b) => {
      const item = typeof b.public_token === 'string' ? publicTokens.get(b.public_token) : undefined;
      if (!item) throw new SandboxError(400, 'INVALID_PUBLIC_TOKEN', 'the public token is not valid');
      publicTokens.delete(b.public_token as string);
      return { access_token: item.accessToken, item_id: item.itemId };
    },
    '/accounts/get': (b) => {
      const item = items.open(String(b.access_token));
      return { accounts: item.accounts, item: { item_id: item.itemId, institution_id: item.institution.id } };
    },
    '/transactions/sync': (b) => items.sync(items.open(String(b.access_token)), typeof b.cursor === 'string' ? b.cursor : '', Number(b.count ?? 100)),
    '/item/remove': (b) => {
      items.removeItem(items.open(String(b.access_token)));
      return { removed: true };
    },
  };

  const controls: Record<string, (body: Record<string, unknown>) => unknown> = {
    '/sandbox/public_token/create': (b) => {
      const link = typeof b.link_token === 'string' ? links.get(b.link_token) : undefined;
      const item = link ? consent(link) : items.create(institution(b.institution_id), typeof b.webhook === 'string' ? b.webhook : null);
      return { public_token: newPublicToken(item), item_id: item.itemId };
    },
    '/sandbox/item/reset_login': async (b) => {
      const item = items.byItemId(String(b.item_id));
      item.loginRequired = true;
      return { webhook_status: await deliverWebhook(item, 'ITEM_LOGIN_REQUIRED') };
    },
    '/sandbox/item/fire_webhook': async (b) => ({ webhook_status: await deliverWebhook(items.byItemId(String(b.item_id)), 'SYNC_UPDATES_AVAILABLE') }),
    '/sandbox/transactions/add': async (b) => {
      const item = items.byItemId(String(b.item_id));
      const given = (Array.isArray(b.transactions) ? b.transactions : []) as Array<Partial<SandboxTransaction>>;
      const txns = given.map((t, i) => ({
        transaction_id: t.transaction_id ?? `${item.itemId}-x${item.log.length + i}`,
        account_id: t.account_id ?? item.accounts[0]!.account_id,
        amount: String(t.amount ?? '1.00'),
        iso_currency_code: item.institution.currency,
        date: t.date ?? now().toISOString().slice(0, 10),
        name: t.name ?? 'SANDBOX PURCHASE',
        merchant_name: t.merchant_name ?? null,
        category: t.category ?? null,
        mcc: t.mcc ?? null,
        pending: item.institution.sendsPending ? Boolean(t.pending) : false,
        pending_transaction_id: null,
      }));
      items.add(item, txns);
      return { added: txns.map((t) => t.transaction_id), webhook_status: b.webhook === false ? 0 : await deliverWebhook(item, 'SYNC_UPDATES_AVAILABLE') };
    },
    // What the item holds now and the cursor of a client that has seen all of it: what a finished sync must match.
    '/sandbox/item/snapshot': (b) => items.snapshot(items.byItemId(String(b.item_id))),
    '/sandbox/transactions/post_pending': (b) => ({ posted: items.postPending(items.byItemId(String(b.item_id))) }),
    '/sandbox/transactions/remove': (b) => {
      items.remove(items.byItemId(String(b.item_id)), String(b.transaction_id));
      return { removed: true };
    },
    '/sandbox/transactions/modify': (b) => {
      items.modify(items.byItemId(String(b.item_id)), b.transaction as SandboxTransaction);
      return { modified: true };
    },
    '/sandbox/faults': (b) => {
      if (b.clear === true) faults.length = 0;
      const count = Number(b.count ?? 1);
      // `skip` calls answer normally first: a fault in the middle of a paged sync.
      for (let i = 0; i < Number(b.skip ?? 0); i++) faults.push(null);
      for (let i = 0; i < count; i++)
        faults.push({ status: Number(b.status ?? 500), retryAfter: b.retry_after as number | undefined, hangMs: b.hang_ms as number | undefined });
      return { queued: faults.length };
    },
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const e = error instanceof SandboxError ? error : new SandboxError(500, 'INTERNAL_SERVER_ERROR', 'the sandbox failed');
      if (!res.headersSent) send(res, e.status, { error_code: e.code, error_message: e.message });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://sandbox').pathname;
    const page = /^\/link\/([\w-]+)(\/allow)?$/.exec(path);
    if (page) return linkPage(req, res, page[1]!, Boolean(page[2]));
    if (req.method !== 'POST') return send(res, 404, { error_code: 'NOT_FOUND', error_message: 'no such route' });
    const body = await readJson(req);
    const control = controls[path];
    if (control) return send(res, 200, await control(body));
    const route = api[path];
    if (!route) return send(res, 404, { error_code: 'NOT_FOUND', error_message: 'no such route' });
    const fault = faults.shift();
    if (fault?.hangMs) await new Promise((r) => setTimeout(r, fault.hangMs));
    if (fault) {
      if (fault.retryAfter !== undefined) res.setHeader('retry-after', String(fault.retryAfter));
      return send(res, fault.status, { error_code: fault.status === 429 ? 'RATE_LIMIT_EXCEEDED' : 'INTERNAL_SERVER_ERROR', error_message: 'sandbox fault' });
    }
    if (body.client_id !== options.clientId || body.secret !== options.secret) throw new SandboxError(401, 'INVALID_API_KEYS', 'client_id or secret is wrong');
    send(res, 200, await route(body));
  }

  function linkPage(req: IncomingMessage, res: ServerResponse, linkToken: string, allow: boolean): void {
    const link = links.get(linkToken);
    if (!link || link.expiresAt < now().getTime()) {
      res.writeHead(410, { 'content-type': 'text/plain' }).end('This link has expired. Start again from the app.');
      return;
    }
    if (!allow) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(consentPage(link.institution.name, linkToken));
      return;
    }
    if (req.method !== 'POST') return void res.writeHead(405).end();
    links.delete(linkToken);
    const target = new URL(link.redirectUri);
    target.searchParams.set('public_token', newPublicToken(consent(link)));
    target.searchParams.set('link_session_id', link.linkSessionId);
    res.writeHead(303, { location: target.toString() }).end();
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  base = `http://${options.host ?? '127.0.0.1'}:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new SandboxError(413, 'BODY_TOO_LARGE', 'the body is too large');
    chunks.push(chunk);
  }
  if (size === 0) return {};
  try {
    const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new SandboxError(400, 'INVALID_BODY', 'the body must be a JSON object');
}
