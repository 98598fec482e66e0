import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Locator, type Page, type Request } from 'playwright-core';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { SendMessageDocument } from '../generated/graphql.js';
import { createSession } from '../factories/chat.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { describeNeeding } from '../helpers/components.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/**
 * The Altair IDE at GET /graphql, in headless Chromium with the network off: every asset must
 * come from the gateway, and Login, then Me, then a subscription (over the WebSocket) must work
 * from the IDE's own UI with no token typed: the IDE's environment carries it.
 */

const CHROMIUM = '/usr/bin/chromium';
const missing = existsSync(CHROMIUM) ? undefined : `needs Chromium: ${CHROMIUM} does not exist (apt-get install chromium)`;

/** Resource types the IDE cannot work without: any of these from outside is a failure. */
const REQUIRED_TYPES = new Set(['document', 'script', 'stylesheet', 'font']);

/** A graphql-ws message the IDE received, as far as this test reads it. */
interface WsMessage {
  type: string;
  payload?: { data?: { agentEvents: { __typename: string; seq: number; ok?: boolean; status?: string } } };
}

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
  /** The IDE's WebSocket traffic, both ways, for the failure report. */
  const frames: string[] = [];

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
      const problems = server.logs.filter((line) => Number(line.level) >= 40).slice(-10);
      console.error(
        [
          `[ide.test] "${task.name}" failed; screenshot: ${shot}`,
          `open dialogs: ${JSON.stringify(modals)}`,
          `result pane: ${result.slice(0, 2_000)}`,
          `last gateway requests: ${JSON.stringify(requests)}`,
          `last gateway warnings and errors: ${JSON.stringify(problems)}`,
          `last browser requests: ${JSON.stringify(gatewayRequests.slice(-10))}`,
          `WebSocket frames (${frames.length}), the last 20: ${JSON.stringify(frames.slice(-20).map((frame) => frame.slice(0, 200)))}`,
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

  /** The token the IDE's Login answered with; the later tests check it travels without being typed. */
  let ideToken = '';

  it('signs in with Login: a post-request script stores the access token, and Me sends it with no token typed', { timeout: 90_000 }, async () => {
    // The welcome comment tells the user so.
    expect(await queryEditor().innerText()).toContain('{{accessToken}}');
    const input = `{ username: ${JSON.stringify(user.user.username)}, password: ${JSON.stringify(user.password)} }`;
    await runInEditor(`mutation Login { login(input: ${input}) { accessToken user { username } } }`, () =>
      page.waitForRequest((r: Request) => r.method() === 'POST' && (r.postData() ?? '').includes('mutation Login')),
    );
    // The token as the IDE shows it: Chromium may already have dropped the response body (CDP "No data found").
    await resultPane().filter({ hasText: '"accessToken"' }).waitFor({ timeout: 30_000 });
    ideToken = /"accessToken": "([^"]+)"/.exec(await resultText())?.[1] ?? '';
    expect(ideToken.length).toBeGreaterThan(20);
    // Altair announces what the post-request script stored.
    await page
      .getByText(/Updated active environment variables: accessToken/)
      .first()
      .waitFor({ timeout: 30_000 });

    const me = await runInEditor('query Me { me { username } }', () =>
      page.waitForRequest((r: Request) => r.method() === 'POST' && (r.postData() ?? '').includes('me { username }')),
    );
    expect(me.headers()['authorization']).toBe(`Bearer ${ideToken}`);
    await resultPane()
      .filter({ hasText: `"username": "${user.user.username}"` })
      .waitFor({ timeout: 30_000 });
    expect(await resultText()).not.toContain('"errors"');
  });

  it("follows a run's agentEvents over the WebSocket, the stored token in the connection parameters", { timeout: 90_000 }, async () => {
    expect(ideToken, 'the Login test ran first').not.toBe('');
    const session = await createSession(server, user.token, 'GENERAL');
    // A short run with a tool call (13 events): the IDE re-renders its result pane for every event,
    // and a greeting's 92 cost Chromium 3 to 4 times as long (once, on a loaded CI machine, past the wait).
    const runId = (await server.ok(SendMessageDocument, { input: { sessionId: session.id, text: 'show my transactions' } }, { token: user.token })).sendMessage
      .id;
    page.on('websocket', (ws) => {
      ws.on('framesent', (frame) => frames.push(`> ${String(frame.payload)}`));
      ws.on('framereceived', (frame) => frames.push(`< ${String(frame.payload)}`));
      ws.on('close', () => frames.push('closed'));
      ws.on('socketerror', (error) => frames.push(`error ${error}`));
    });

    await runInEditor(
      `subscription Follow { agentEvents(runId: "${runId}") { __typename seq ... on ToolCallFinished { ok } ... on RunFinished { status } } }`,
      () => page.waitForEvent('websocket', (ws) => ws.url() === server.wsUrl),
    );
    const connectionInit = () => frames.find((frame) => frame.startsWith('> ') && frame.includes('"connection_init"'));
    await expect.poll(connectionInit, { timeout: 30_000 }).toBeDefined();
    const init = JSON.parse(connectionInit()!.slice(2)) as { payload: unknown };
    expect(init.payload).toEqual({ authorization: `Bearer ${ideToken}` });

    // Replayed from the start, then live, until RunFinished (the pane shows the latest events).
    await resultPane().filter({ hasText: '"RunFinished"' }).waitFor({ timeout: 30_000 });
    const text = await resultText();
    expect(text).toContain('"status": "SUCCEEDED"');
    expect(text).not.toContain('"errors"');
    // The pane shows the latest event only; the socket carried them all, in order, from the start.
    const received = frames.filter((frame) => frame.startsWith('< ')).map((frame) => JSON.parse(frame.slice(2)) as WsMessage);
    const events = received.flatMap((m) => (m.type === 'next' ? [m.payload!.data!.agentEvents] : []));
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events).toContainEqual({ __typename: 'ToolCallFinished', seq: expect.any(Number), ok: true });
    expect(events.at(-1)).toMatchObject({ __typename: 'RunFinished', status: 'SUCCEEDED' });
    expect(received.at(-1)?.type).toBe('complete');
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
