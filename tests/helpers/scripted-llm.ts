import { startFakeOpenAi, type FakeOpenAi, type FakeOpenAiOptions } from '../fakes/openai-server.js';
import { createSession } from '../factories/chat.js';
import { SendMessageDocument } from '../generated/graphql.js';
import { startTestServer, type Gateway, type TestServer, type TestServerOptions } from './server.js';

/** The model name a gateway pointed at the scripted server reports on its runs. */
export const SCRIPTED_MODEL = 'scripted-model';

/** The settings that point a gateway's agent at the scripted OpenAI-compatible server; no timeout keeps the config's default. */
export function scriptedLlmEnv(fake: FakeOpenAi, timeoutMs?: number): Record<string, string> {
  return {
    LLM_PROVIDER: 'openai',
    LLM_BASE_URL: fake.baseUrl,
    LLM_MODEL: SCRIPTED_MODEL,
    ...(timeoutMs === undefined ? {} : { LLM_TIMEOUT_MS: String(timeoutMs) }),
  };
}

export interface ScriptedServerOptions extends TestServerOptions {
  /** LLM_TIMEOUT_MS: how long the provider waits for the model's next chunk. */
  llmTimeoutMs?: number;
  fake?: FakeOpenAiOptions;
}

export interface ScriptedServer {
  fake: FakeOpenAi;
  /** Its stop() also closes the scripted server. */
  server: TestServer;
}

/** A scripted OpenAI-compatible server and a test server whose agent talks to it. */
export async function startScriptedServer(options: ScriptedServerOptions = {}): Promise<ScriptedServer> {
  const { llmTimeoutMs, fake: fakeOptions, ...serverOptions } = options;
  const fake = await startFakeOpenAi(fakeOptions);
  let server: TestServer;
  try {
    server = await startTestServer({ ...serverOptions, env: { ...scriptedLlmEnv(fake, llmTimeoutMs), ...serverOptions.env } });
  } catch (error) {
    await fake.close();
    throw error;
  }
  const stopServer = server.stop.bind(server);
  server.stop = async () => {
    try {
      await stopServer();
    } finally {
      await fake.close();
    }
  };
  return { fake, server };
}

/** A run whose answer is held after its first words until the test calls release(). */
export async function heldRun(server: Gateway, fake: FakeOpenAi, token: string): Promise<{ runId: string; release: () => void }> {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  fake.script([[{ text: 'first words ' }, { until: held }, { text: 'and the rest' }, { finishReason: 'stop' }]]);
  const session = await createSession(server, token, 'GENERAL');
  const runId = (await server.ok(SendMessageDocument, { input: { sessionId: session.id, text: 'talk to me' } }, { token })).sendMessage.id;
  return { runId, release };
}
