import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { CreateTransferDocument, MeDocument, SendMessageDocument } from '../generated/graphql.js';
import type { GatewayClient } from './client.js';
import { startFollowing, type Followed, type Transport } from './follow-run.js';

/** One client of the balancer: its token, two accounts of its own to move money between, a chat session per transport. */
export interface LoadUser {
  token: string;
  accounts: [string, string];
  sessions: Record<Transport, string>;
}

export interface Failure {
  what: string;
  detail: string;
  /** The one retry's outcome: the same request again (a transfer with the same idempotency key). */
  retried: 'succeeded' | 'failed';
}

export interface LoadFigures {
  requests: number;
  failures: Failure[];
  /** Acknowledged transfers: id -> amount in minor units. */
  transfers: Map<string, number>;
  runs: Array<{ runId: string; text: string; followed: Followed }>;
}

/** The text the fake model streams for a message: its words are numbered, so a lost or repeated one shows. */
export const answerTo = (message: string): string => Array.from({ length: 30 }, (_, i) => `${message.replace(/\W/g, '')}-${i}`).join(' ');

/**
 * Queries, transfers and agent runs followed over each transport, through `client` (the
 * balancer), until stop(). A failed request is retried once, as the same request.
 */
export interface LoadOptions {
  /** Awaited before a failed request's retry (default: none): the client backs off until then. */
  beforeRetry?: () => Promise<void>;
}

export function startLoad(client: GatewayClient, user: LoadUser, options: LoadOptions = {}): { figures: LoadFigures; stop(): Promise<LoadFigures> } {
  const figures: LoadFigures = { requests: 0, failures: [], transfers: new Map(), runs: [] };
  let running = true;

  /** One request and, if it failed, its one retry; the error text of a failure, or undefined. */
  const send = async <R>(what: string, request: () => Promise<{ status: number; data: R | null | undefined; errors?: unknown[] }>): Promise<R | undefined> => {
    const attempt = async (): Promise<{ data?: R; problem?: string }> => {
      figures.requests++;
      try {
        const result = await request();
        if (result.status !== 200 || result.errors?.length || !result.data)
          return { problem: `HTTP ${result.status} ${JSON.stringify(result.errors ?? null)}` };
        return { data: result.data };
      } catch (error) {
        return { problem: `${(error as Error).message} ${String((error as { cause?: unknown }).cause ?? '')}` };
      }
    };
    const first = await attempt();
    if (first.data) return first.data;
    await options.beforeRetry?.();
    const second = await attempt();
    figures.failures.push({ what, detail: first.problem!, retried: second.data ? 'succeeded' : 'failed' });
    return second.data;
  };

  const queries = async () => {
    while (running) await send('query me', () => client.gql(MeDocument, {}, { token: user.token }));
  };
  const transfers = async (direction: 0 | 1) => {
    while (running) {
      const amount = 1 + Math.floor(Math.random() * 100);
      const input = {
        fromAccountId: user.accounts[direction],
        toAccountId: user.accounts[1 - direction]!,
        amountMinor: String(amount),
        currency: 'USD',
        idempotencyKey: randomUUID(),
      };
      const data = await send('createTransfer', () => client.gql(CreateTransferDocument, { input }, { token: user.token }));
      if (data) figures.transfers.set(data.createTransfer.id, amount);
    }
  };
  const conversations = async (transport: Transport) => {
    for (let n = 0; running; n++) {
      const text = `${transport} message ${n}`;
      const input = { sessionId: user.sessions[transport], text, clientMessageId: randomUUID() };
      const sent = await send(`sendMessage (${transport})`, () => client.gql(SendMessageDocument, { input }, { token: user.token }));
      if (!sent) {
        await sleep(50);
        continue;
      }
      const followed = await startFollowing(transport, client.url, user.token, sent.sendMessage.id).done;
      figures.runs.push({ runId: sent.sendMessage.id, text: answerTo(text), followed });
    }
  };

  const clients = [queries(), queries(), transfers(0), transfers(1), conversations('ws'), conversations('sse'), conversations('multipart')];
  return {
    figures,
    async stop() {
      running = false;
      await Promise.all(clients);
      return figures;
    },
  };
}
