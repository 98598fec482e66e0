// One of the stream bench's subscriber processes: holds its share of the agentEvents
// subscriptions, so receiving tokens does not share the bench's (or the provider's) event loop.
// Over IPC: 'watch' -> 'live' once each has had its first event; 'done' with what each received.
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { streamTokenText } from './lib/stream-load.js';

const EVENTS = `subscription ($runId: ID!) { agentEvents(runId: $runId) { __typename seq ... on TokenDelta { delta } ... on RunFinished { status } } }`;
const epochNow = () => performance.timeOrigin + performance.now();

export interface WatchOrder {
  type: 'watch';
  wsUrl: string;
  watchers: Array<{ token: string; runId: string; run: number }>;
}
export type SubscriberMessage = WatchOrder | { type: 'report' };
export interface WatcherReport {
  run: number;
  firstEventAt: number;
  /** Receipt time of the k-th TokenDelta (its index in the run is k when nothing is reordered). */
  at: number[];
  /** Token index each TokenDelta carried (-1: not one of ours). */
  index: number[];
  reordered: number;
  status?: string;
  error?: string;
}

const reports: WatcherReport[] = [];
const clients: Client[] = [];
let reported = false;

function report(): void {
  if (reported) return;
  reported = true;
  process.send!({ type: 'done', watchers: reports });
}

function watch(order: WatchOrder): void {
  let live = 0;
  let finished = 0;
  for (const w of order.watchers) {
    const r: WatcherReport = { run: w.run, firstEventAt: 0, at: [], index: [], reordered: 0 };
    reports.push(r);
    const client = createClient({
      url: order.wsUrl,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${w.token}` },
      retryAttempts: 0,
      lazy: true,
    });
    clients.push(client);
    const first = () => {
      if (r.firstEventAt) return;
      r.firstEventAt = epochNow();
      if (++live === order.watchers.length) process.send!({ type: 'live' });
    };
    const end = () => {
      if (!r.firstEventAt) first();
      if (++finished === order.watchers.length) report();
    };
    client.subscribe<{ agentEvents: { __typename: string; delta?: string; status?: string } }>(
      { query: EVENTS, variables: { runId: w.runId } },
      {
        next: ({ data, errors }) => {
          const at = epochNow();
          if (errors) r.error = JSON.stringify(errors).slice(0, 300);
          const e = data?.agentEvents;
          if (!e) return;
          first();
          if (e.__typename === 'TokenDelta') {
            const k = r.at.length;
            const i = Number(/t(\d+) $/.exec(e.delta!)?.[1] ?? -1);
            if (i !== k || e.delta !== streamTokenText(w.run, k)) r.reordered++;
            r.at.push(at);
            r.index.push(i);
          } else if (e.__typename === 'RunFinished') r.status = e.status;
        },
        error: (error) => ((r.error = String(error instanceof Error ? error.message : JSON.stringify(error)).slice(0, 300)), end()),
        complete: end,
      },
    );
  }
}

process.on('message', (message: SubscriberMessage) => {
  if (message.type === 'watch') watch(message);
  if (message.type === 'report') report();
});
process.on('SIGTERM', () => void Promise.all(clients.map((c) => c.dispose())).finally(() => process.exit(0)));
