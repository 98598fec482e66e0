import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
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
 * main.js saves V8's code cache beside the bundle on its first start and runs later starts from
 * it, and code restored from a cache behaves differently (import() once failed there, so the IDE
 * did not load): the tests run against a second start, from a copy of the bundle of their own.
 */
const BUNDLE_DIR = 'dist/bundle';
const COPY_DIR = `dist/bundle-test-${process.pid}`;
const codeCaches = () => readdirSync(COPY_DIR).filter((f) => f.endsWith('.v8-cache'));

describe('the bundled gateway that npm start runs', () => {
  let db: TestDatabase;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    if (!existsSync(join(BUNDLE_DIR, 'main.js'))) throw new Error(`${BUNDLE_DIR}/main.js is missing: run \`npm run build\` (npm test does) before this test`);
    mkdirSync(COPY_DIR, { recursive: true });
    for (const file of ['main.js', 'package.json', 'gateway.cjs']) copyFileSync(join(BUNDLE_DIR, file), join(COPY_DIR, file));
    db = await createTestDatabase();
    const start = () =>
      startGatewayProcess(
        { ...(db.url ? { DATABASE_URL: db.url } : { DATA_DIR: 'memory' }), SEED_DEMO: 'true', NODE_ENV: 'production', CHAT_UI: 'true' },
        { entry: join(COPY_DIR, 'main.js') },
      );
    const first = await start();
    await first.stop();
    expect(codeCaches()).toHaveLength(1);
    gateway = await start();
  }, 90_000);
  afterAll(async () => {
    await gateway?.stop();
    await db?.drop();
    rmSync(COPY_DIR, { recursive: true, force: true });
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
