import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Locator, type Page, type Request } from 'playwright-core';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { LoginDocument } from '../generated/graphql.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { describeNeeding } from '../helpers/components.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/**
 * The Altair IDE at GET /graphql, in headless Chromium with the network off: every asset must
 * come from the gateway, and a query (with an Authorization header) and a subscription (over
 * the WebSocket) must work from the IDE's own UI.
 */

const CHROMIUM = '/usr/bin/chromium';
const missing = existsSync(CHROMIUM) ? undefined : `needs Chromium: ${CHROMIUM} does not exist (apt-get install chromium)`;

/** Resource types the IDE cannot work without: any of these from outside is a failure. */
const REQUIRED_TYPES = new Set(['document', 'script', 'stylesheet', 'font']);

interface OutsideRequest {
  url: string;
  type: string;
}

describeNeeding(missing, 'the GraphQL IDE at GET /graphql (headless Chromium, network off)', () => {
  let server: TestServer;
  let user: TestUser;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const gatewayRequests: string[] = [];
  const outside: OutsideRequest[] = [];
  const pageErrors: string[] = [];

  const isGateway = (raw: string, port: string) => {
    const url = new URL(raw);
    return (url.hostname === '127.0.0.1' || url.hostname === 'localhost') && url.port === port;
  };

  beforeAll(async () => {
    server = await startTestServer();
    user = await registerUser(server);
    const port = new URL(server.url).port;

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    // Service workers would bypass routing: block them so every request passes the "network off" gate.
    context = await browser.newContext({ serviceWorkers: 'block', viewport: { width: 1400, height: 900 } });
    // The network is off for everything but the gateway.
    await context.route('**/*', (route) => {
      const request = route.request();
      if (isGateway(request.url(), port)) {
        gatewayRequests.push(`${request.resourceType()} ${new URL(request.url()).pathname}`);
        return route.continue();
      }
      outside.push({ url: request.url(), type: request.resourceType() });
      return route.abort('internetdisconnected');
    });
    await context.routeWebSocket(
      (url) => !isGateway(url.toString(), port),
      (ws) => {
        outside.push({ url: ws.url(), type: 'websocket' });
        return ws.close({ code: 1011, reason: 'network off' });
      },
    );
    page = await context.newPage();
    // A stuck step fails with Playwright's own message (which locator, which wait) well before the test's timeout.
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });

  // A failure on a loaded machine is hard to replay: say what the page and the gateway were doing.
  beforeEach(async ({ task, onTestFailed }) => {
    // One failed test must not leave its dialog over the next one's editor.
    if (page.url().startsWith(server.url) && (await page.locator('.ant-modal:visible').count()) > 0) await page.keyboard.press('Escape');
    onTestFailed(async () => {
      const shot = join(tmpdir(), `ide-test-${Date.now()}.png`);
      await page.screenshot({ path: shot }).catch(() => undefined);
      const modals = await page
        .locator('.ant-modal:visible')
        .allInnerTexts()
        .catch(() => []);
      const result = await resultText().catch((error: unknown) => `unreadable: ${String(error)}`);
      const requests = server.logs.filter((line) => line.msg === 'graphql operation').slice(-15);
      console.error(
        [
          `[ide.test] "${task.name}" failed; screenshot: ${shot}`,
          `open dialogs: ${JSON.stringify(modals)}`,
          `result pane: ${result.slice(0, 2_000)}`,
          `last gateway requests: ${JSON.stringify(requests)}`,
          `last browser requests: ${JSON.stringify(gatewayRequests.slice(-10))}`,
        ].join('\n'),
      );
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const queryEditor = () => page.locator('app-query-editor .cm-content');
  const resultPane = () => page.locator('app-query-result .query-result__list-item .cm-content');
  const resultText = async () => (await resultPane().allInnerTexts()).join('\n');

  /** Replaces the whole text of a CodeMirror editor, as a user would (click, select all, type). */
  async function replaceText(editor: Locator, text: string) {
    await editor.click();
    await page.keyboard.press('ControlOrMeta+A');
    // insertText: no per-key auto-closing of brackets or autocompletion.
    await page.keyboard.insertText(text);
    // Only the text lines: the query editor also shows "► (Send …)" widgets above operations.
    await expect.poll(async () => (await editor.locator('.cm-line').allInnerTexts()).join('\n')).toBe(text);
  }

  /** Types into the query editor and sends it with the keyboard shortcut. */
  async function runInEditor<T>(text: string, sent: () => Promise<T>): Promise<T> {
    await replaceText(queryEditor(), text);
    const [result] = await Promise.all([sent(), page.keyboard.press('ControlOrMeta+Enter')]);
    return result;
  }

  it('loads every asset from the gateway itself', { timeout: 60_000 }, async () => {
    // The gate works: a request to the internet is aborted and recorded.
    const probe = 'https://cdn.jsdelivr.net/npm/altair-static/package.json';
    const reached = await page.evaluate(
      (url) =>
        fetch(url).then(
          () => true,
          () => false,
        ),
      probe,
    );
    expect(reached).toBe(false);
    expect(outside.map((r) => r.url)).toEqual([probe]);
    outside.length = 0;

    const response = await page.goto(server.url);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-type']).toMatch(/^text\/html/);
    await queryEditor().waitFor({ state: 'visible', timeout: 30_000 });
    // Let the lazy chunks, fonts and the schema introspection settle.
    await page.waitForLoadState('networkidle');

    expect(gatewayRequests.some((r) => r.startsWith('script /graphql/ide/main.js'))).toBe(true);
    expect(gatewayRequests.some((r) => r.startsWith('stylesheet /graphql/ide/'))).toBe(true);
    const required = outside.filter((r) => REQUIRED_TYPES.has(r.type));
    expect(required, `required assets requested from outside the gateway: ${JSON.stringify(required)}`).toEqual([]);
    expect(pageErrors, 'uncaught errors in the IDE page').toEqual([]);
  });

  it('sends a query with the Authorization header set in the header editor and shows the result', { timeout: 60_000 }, async () => {
    // Headers dialog: the first row is the Authorization header the gateway pre-fills.
    await page.click('[track-id="show_set_headers"]');
    const row = page.locator('.headers-editor__list-item').first();
    await expect.poll(() => row.locator('.cm-content[aria-placeholder="Header key"]').innerText()).toBe('Authorization');
    await replaceText(row.locator('.cm-content[aria-placeholder="Header value"]'), `Bearer ${user.token}`);
    await page.locator('.ant-modal-footer button', { hasText: 'Done' }).click();
    await page.locator('app-headers-editor').waitFor({ state: 'hidden' });

    const request = await runInEditor('{ me { username } }', () =>
      page.waitForRequest((r: Request) => r.method() === 'POST' && (r.postData() ?? '').includes('me { username }')),
    );
    expect(request.headers()['authorization']).toBe(`Bearer ${user.token}`);

    await resultPane()
      .filter({ hasText: `"username": "${user.user.username}"` })
      .waitFor({ timeout: 30_000 });
    expect(await resultText()).not.toContain('"errors"');
  });

  it('sends a mutation and shows the result', { timeout: 60_000 }, async () => {
    const input = `{ username: ${JSON.stringify(user.user.username)}, password: ${JSON.stringify(user.password)} }`;
    const mutation = `mutation { login(input: ${input}) { user { username } } }`;
    const request = await runInEditor(mutation, () =>
      page.waitForRequest((r: Request) => r.method() === 'POST' && (r.postData() ?? '').includes('mutation { login')),
    );
    expect(JSON.parse(request.postData() ?? '{}')).toMatchObject({ query: mutation });

    await resultPane().filter({ hasText: '"login"' }).waitFor({ timeout: 30_000 });
    const text = await resultText();
    expect(text).toContain(`"username": "${user.user.username}"`);
    expect(text).not.toContain('"errors"');
  });

  it('runs a subscription over the WebSocket and shows its events', { timeout: 60_000 }, async () => {
    // A browser WebSocket cannot carry headers: graphql-ws sends the token in the connection params.
    await page.click('[track-id="show_request_handler_dialog"]');
    const dialog = page.locator('.ant-modal', { hasText: 'Request Handlers' });
    const subscriptionUrl = await dialog.locator('.cm-content[aria-placeholder^="ws://"]').innerText();
    expect(subscriptionUrl).toBe(server.wsUrl);
    const params = dialog.locator('.request-handler-params-section', { hasText: 'Connection Parameters' }).locator('.cm-content');
    await replaceText(params, JSON.stringify({ authorization: `Bearer ${user.token}` }));
    await dialog.locator('.ant-modal-footer button', { hasText: 'Save' }).click();
    await dialog.waitFor({ state: 'hidden' });

    const socket = await runInEditor('subscription { authSessionEvents { kind sessionId } }', () =>
      page.waitForEvent('websocket', (ws) => ws.url() === server.wsUrl),
    );
    await socket.waitForEvent('framesent', (frame) => String(frame.payload).includes('"subscribe"'));
    expect(socket.isClosed()).toBe(false);

    // The server may still be wiring the subscription when the frame leaves: sign in again until
    // an event for one of those sign-ins shows up (normally the first).
    const sessionIds: string[] = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      const login = await server.ok(LoginDocument, { input: { username: user.user.username, password: user.password } });
      sessionIds.push(login.login.session.id);
      const deadline = Date.now() + 2_000;
      let shown = false;
      while (!shown && Date.now() < deadline) {
        const text = await resultText();
        shown = sessionIds.some((id) => text.includes(id));
        if (!shown) await page.waitForTimeout(100);
      }
      if (shown) break;
    }
    const text = await resultText();
    expect(text).toContain('"kind": "CREATED"');
    expect(
      sessionIds.some((id) => text.includes(`"sessionId": "${id}"`)),
      `result pane: ${text}`,
    ).toBe(true);
  });

  it('reached nothing outside the gateway that it needed', () => {
    // Optional pings (telemetry, update checks) may have been aborted: list them so we know.
    const optional = outside.filter((r) => !REQUIRED_TYPES.has(r.type));
    const required = outside.filter((r) => REQUIRED_TYPES.has(r.type));
    expect(required, `outside requests aborted: ${JSON.stringify(outside)}`).toEqual([]);
    if (optional.length > 0) console.warn(`[ide.test] optional outside requests aborted: ${JSON.stringify(optional)}`);
    expect(pageErrors, 'uncaught errors in the IDE page').toEqual([]);
  });
});
