import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { SEED_DEMO: 'true' } });
});
afterAll(() => server?.stop());

/** The ```graphql blocks of the README's walkthrough, in order. */
function walkthroughBlocks(): string[] {
  const readme = readFileSync('README.md', 'utf8');
  const start = readme.indexOf('## API walkthrough');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  return [...section.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

describe("the README's walkthrough", () => {
  it('runs as written, in order, on a fresh seeded gateway', async () => {
    const values = new Map<string, string>();
    let token = '';
    const blocks = walkthroughBlocks();
    expect(blocks.length).toBeGreaterThanOrEqual(7);
    for (const block of blocks) {
      const query = block.replace(/<([^>]+)>/g, (_, name: string) => {
        const value = values.get(name);
        if (value === undefined) throw new Error(`the README uses <${name}> before an earlier example provides it`);
        return value;
      });
      if (/^\s*subscription/.test(query)) {
        const client = createClient({ url: server.wsUrl, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, retryAttempts: 0 });
        const events: Array<Record<string, unknown>> = [];
        await new Promise<void>((resolve, reject) =>
          client.subscribe<Record<string, Record<string, unknown>>>(
            { query },
            {
              next: (r) => (r.errors ? reject(new Error(JSON.stringify(r.errors))) : events.push(r.data!.agentEvents!)),
              error: reject,
              complete: resolve,
            },
          ),
        );
        await client.dispose();
        expect(events.at(-1)).toMatchObject({ __typename: 'RunFinished', status: 'SUCCEEDED' });
        continue;
      }
      const result = await server.gql<Record<string, any>, never>(query, undefined, token ? { token } : {});
      expect(result.errors, `${query}\n${JSON.stringify(result.errors)}`).toBeUndefined();
      const data = result.data!;
      if (data.login) token = data.login.accessToken;
      if (data.accounts) {
        for (const account of data.accounts) values.set(`${account.name.toLowerCase()} account id`, account.id);
        expect(data.accounts.map((a: { name: string }) => a.name).sort()).toEqual(['Checking', 'Savings']);
      }
      if (data.createTransfer) expect(data.createTransfer.status).toBe('POSTED');
      if (data.createChatSession) values.set('session id', data.createChatSession.id);
      if (data.sendMessage) {
        values.set('run id', data.sendMessage.id);
        expect(data.sendMessage.provider).toBe('local');
      }
    }
  });
});
