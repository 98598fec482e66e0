import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CUSTOMER } from '../../src/seed/demo.js';
import { AccountsDocument, LoginDocument, RegisterDocument } from '../generated/graphql.js';
import { createSession } from '../factories/chat.js';
import { converse } from '../helpers/agent.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { startGatewayProcess, type GatewayProcess } from '../helpers/process.js';

/**
 * `npm start` runs dist/bundle/main.js (scripts/bundle.ts), not the sources the rest of the
 * suite runs: a bundling mistake (a package's named exports lost, a file read beside its
 * source, a class renamed) shows only here. `npm test` builds the bundle before vitest.
 */
const BUNDLE = 'dist/bundle/main.js';

describe('the bundled gateway that npm start runs', () => {
  let db: TestDatabase;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run \`npm run build\` (npm test does) before this test`);
    db = await createTestDatabase();
    gateway = await startGatewayProcess(
      { ...(db.url ? { DATABASE_URL: db.url } : { DATA_DIR: 'memory' }), SEED_DEMO: 'true', NODE_ENV: 'production', CHAT_UI: 'true' },
      { entry: BUNDLE },
    );
  }, 90_000);
  afterAll(async () => {
    await gateway?.stop();
    await db?.drop();
  });

  it('migrates, seeds and signs in the demo customer', async () => {
    const login = await gateway.ok(LoginDocument, { input: { username: DEMO_CUSTOMER.username, password: DEMO_CUSTOMER.password } });
    const accounts = await gateway.ok(AccountsDocument, {}, { token: login.login.accessToken });
    expect(accounts.accounts.map((a) => a.name).sort()).toEqual(['Checking', 'Savings']);
  });

  it('validates arguments (class-validator is loaded lazily by type-graphql)', async () => {
    const result = await gateway.gql(RegisterDocument, { input: { username: '', password: 'long-enough-password-1' } });
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('runs an agent turn to its end over the WebSocket', async () => {
    const login = await gateway.ok(LoginDocument, { input: { username: DEMO_CUSTOMER.username, password: DEMO_CUSTOMER.password } });
    const token = login.login.accessToken;
    const session = await createSession(gateway, token, 'COACHING');
    const run = await converse(gateway, token, session.id, 'am I over budget?');
    expect(run.run.status).toBe('SUCCEEDED');
    expect(run.text).toMatch(/jar/);
  });

  it('serves the IDE and the chat page with their assets', async () => {
    const base = gateway.url.replace(/\/graphql$/, '');
    const ide = await fetch(gateway.url, { headers: { accept: 'text/html' } });
    expect(ide.status).toBe(200);
    const html = await ide.text();
    // Altair's page names its scripts relative to a <base href>: the bundle must find altair-static's files.
    const baseHref = /<base href="([^"]+)"/.exec(html)?.[1];
    expect(baseHref, html.slice(0, 500)).toBeDefined();
    expect((await fetch(new URL(`${baseHref}main.js`, gateway.url))).status).toBe(200);
    expect((await fetch(`${base}/chat`)).status).toBe(200);
  });
});
