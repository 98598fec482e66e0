import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { chatPageRouter } from '../../src/server/chat-page.js';
import { createLogger } from '../../src/shared/logger.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** The chat page's routes on a server of their own, from a bundle written for the test. */
async function servePage(dir: string, sourceMaps: boolean): Promise<{ base: string; server: Server }> {
  const app = express();
  app.use(chatPageRouter({ dir, demo: null, logger: createLogger('silent'), sourceMaps }));
  const server = createServer(app).listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const ROUTES = ['/chat', '/chat/', '/chat/index.html', '/chat/app.js', '/chat/app.css', '/chat/config.json', '/chat/app.js.map', '/chat/missing.js'];

function expectPageHeaders(res: Response, route: string) {
  const csp = res.headers.get('content-security-policy') ?? '';
  expect(csp, route).toContain("default-src 'self'");
  expect(csp, route).toContain("frame-ancestors 'none'");
  expect(res.headers.get('x-frame-options'), route).toBe('DENY');
  expect(res.headers.get('x-content-type-options'), route).toBe('nosniff');
}

describe('the chat page', () => {
  let dir: string;
  let plain: { base: string; server: Server };
  let withMaps: { base: string; server: Server };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chat-page-'));
    await writeFile(join(dir, 'index.html'), '<!doctype html><script type="module" src="/chat/app.js"></script>');
    await writeFile(join(dir, 'app.js'), 'console.log(1);\n//# sourceMappingURL=app.js.map\n');
    await writeFile(join(dir, 'app.css'), 'body {}');
    await writeFile(join(dir, 'app.js.map'), '{"version":3,"sources":[],"mappings":""}');
    plain = await servePage(dir, false);
    withMaps = await servePage(dir, true);
  });
  afterAll(async () => {
    for (const page of [plain, withMaps]) page?.server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('sends the same security headers on every route of the page: CSP with frame-ancestors none, X-Frame-Options DENY, nosniff', async () => {
    for (const route of ROUTES) expectPageHeaders(await fetch(plain.base + route), route);
  });

  it('serves the page as /chat and as /chat/index.html alike', async () => {
    for (const route of ['/chat', '/chat/index.html']) {
      const res = await fetch(plain.base + route);
      expect(res.status, route).toBe(200);
      expect(await res.text(), route).toContain('/chat/app.js');
    }
  });

  it('serves no source map unless asked for (CHAT_UI_SOURCE_MAPS)', async () => {
    expect((await fetch(`${plain.base}/chat/app.js.map`)).status).toBe(404);
    expect((await fetch(`${plain.base}/chat/app.js`)).status).toBe(200);
    const asked = await fetch(`${withMaps.base}/chat/app.js.map`);
    expect(asked.status).toBe(200);
    expect(await asked.json()).toMatchObject({ version: 3 });
    expect(loadConfig({ CHAT_UI_SOURCE_MAPS: 'true' }).config.chatUiSourceMaps).toBe(true);
    expect(loadConfig({}).config.chatUiSourceMaps).toBe(false);
  });
});

describe('the chat page on the gateway (CHAT_UI=true)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { CHAT_UI: 'true' } });
  });
  afterAll(() => server?.stop());

  it('sends the page headers on /chat/index.html too, and no source map by default', async () => {
    const base = server.app.chatUrl!;
    for (const route of ['', '/index.html', '/config.json']) expectPageHeaders(await fetch(base + route), `/chat${route}`);
    expect((await fetch(`${base}/app.js.map`)).status).toBe(404);
  });
});
