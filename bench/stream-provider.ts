// The stream bench's LLM provider in a process of its own (tests/fakes/openai-server.ts), so
// its work does not share the bench's event loop. Over IPC: prints {baseUrl}; 'go' releases
// every run; 'sent' answers with when each run's token chunks were written.
import { startFakeOpenAi, type ChatRequestBody } from '../tests/fakes/openai-server.js';
import { streamTokenText } from './lib/stream-load.js';

export type ProviderMessage = { type: 'go' } | { type: 'sent' };
export interface ProviderSent {
  type: 'sent';
  /** Run number -> epoch ms of each text chunk. */
  sent: Record<number, number[]>;
}

const TOKENS = Number(process.env.STREAM_TOKENS);
const TOKEN_MS = Number(process.env.STREAM_TOKEN_MS);
const runOf = (body: ChatRequestBody) => {
  const said = [...body.messages].reverse().find((m) => m.role === 'user')?.content;
  return Number(/bench run (\d+)/.exec(String(said))?.[1] ?? -1);
};

let go!: () => void;
const goSignal = new Promise<void>((resolve) => (go = resolve));
const fake = await startFakeOpenAi({
  defaultTurn: (body) => {
    const run = runOf(body);
    const text = Array.from({ length: TOKENS }, (_, i) => streamTokenText(run, i)).join('');
    // Every run waits for the go; then phases spread over one interval, so runs do not tick in lockstep.
    return [{ until: goSignal }, { stallMs: (run * 7919) % TOKEN_MS }, { text, tokenDelayMs: TOKEN_MS }];
  },
});
process.on('message', (message: ProviderMessage) => {
  if (message.type === 'go') go();
  if (message.type === 'sent') {
    const sent: Record<number, number[]> = {};
    fake.requests.forEach((body, request) => {
      sent[runOf(body)] = fake.sentAt.filter((c) => c.request === request && c.kind === 'text').map((c) => c.at);
    });
    process.send!({ type: 'sent', sent } satisfies ProviderSent);
  }
});
process.on('SIGTERM', () => void fake.close().finally(() => process.exit(0)));
process.send!({ type: 'ready', baseUrl: fake.baseUrl });
