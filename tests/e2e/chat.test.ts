import { existsSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page, type WebSocketRoute } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, expect, it, onTestFinished } from 'vitest';
import { buildChatUi } from '../../scripts/build-chat.js';
import { AccountsDocument, AgentRunDocument, LoginDocument, TransferDocument } from '../generated/graphql.js';
import type { FakeOpenAi } from '../fakes/openai-server.js';
import { describeNeeding } from '../helpers/components.js';
import { startScriptedServer } from '../helpers/scripted-llm.js';
import type { TestServer } from '../helpers/server.js';
import { until } from '../helpers/wait.js';

/**
 * The reference chat page at GET /chat, in headless Chromium with the network off except the
 * gateway, against a scripted OpenAI-compatible model. Screenshots of the key states go to
 * test-artifacts/chat (git-ignored).
 */

const CHROMIUM = '/usr/bin/chromium';
const missing = existsSync(CHROMIUM) ? undefined : `needs Chromium: ${CHROMIUM} does not exist (apt-get install chromium)`;
const ARTIFACTS = join('test-artifacts', 'chat');
const DEMO = { username: 'demo', password: 'demo-password-1' };

/** Generous: a loaded machine (the suite runs files in parallel) is slow, never wrong. */
const eventually = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 20_000, interval: 50 });

const call = (id: string, name: string, args: unknown) => ({ toolCall: { id, name, arguments: JSON.stringify(args), fragments: 3 } });

describeNeeding(missing, 'the chat page at GET /chat (headless Chromium, network off)', () => {
  let fake: FakeOpenAi;
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let demoToken: string;
  const outside: string[] = [];
  const pageErrors: string[] = [];
  /** Frames the page sent over its WebSockets, and the routes, so a test can cut them. */
  const framesSent: string[] = [];
  const sockets: WebSocketRoute[] = [];
  let networkDown = false;

  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
  const runs = () => page.locator('.run');
  const lastRun = () => runs().last();

  beforeAll(async () => {
    await buildChatUi();
    await mkdir(ARTIFACTS, { recursive: true });
    ({ fake, server } = await startScriptedServer({ llmTimeoutMs: 30_000, env: { CHAT_UI: 'true', SEED_DEMO: 'true' } }));
    demoToken = (await server.ok(LoginDocument, { input: DEMO })).login.accessToken;
    const port = new URL(server.url).port;
    const isGateway = (raw: string) => {
      const url = new URL(raw);
      return (url.hostname === '127.0.0.1' || url.hostname === 'localhost') && url.port === port;
    };

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    });
    context = await browser.newContext({ serviceWorkers: 'block', viewport: { width: 1280, height: 820 } });
    await context.route('**/*', (route) => {
      if (isGateway(route.request().url())) return route.continue();
      outside.push(route.request().url());
      return route.abort('internetdisconnected');
    });
    // Every WebSocket passes through here: forwarded to the gateway, recorded, and cut on demand.
    await context.routeWebSocket(
      () => true,
      (ws) => {
        if (!isGateway(ws.url()) || networkDown) return ws.close({ code: 1011, reason: 'network down' });
        const upstream = ws.connectToServer();
        sockets.push(ws);
        ws.onMessage((message) => {
          framesSent.push(String(message));
          upstream.send(message);
        });
        upstream.onMessage((message) => ws.send(message));
        upstream.onClose((code, reason) => ws.close({ code, reason }));
        ws.onClose((code, reason) => upstream.close({ code, reason }));
      },
    );
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });

  beforeEach(({ task, onTestFailed }) => {
    onTestFailed(async () => {
      const path = join(ARTIFACTS, `failed-${Date.now()}.png`);
      await page.screenshot({ path }).catch(() => undefined);
      const text = await page
        .locator('#app')
        .innerText()
        .catch(() => '');
      console.error(`[chat.test] "${task.name}" failed; screenshot: ${path}\npage: ${text.slice(0, 2_000)}\npage errors: ${JSON.stringify(pageErrors)}`);
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** Types a message into the open session and returns the run's element once it appears. */
  async function say(text: string) {
    const before = await runs().count();
    await page.getByTestId('input').fill(text);
    await page.getByTestId('input').press('Enter');
    await eventually(() => runs().count()).toBe(before + 1);
    return lastRun();
  }

  const storedAnswer = async (runId: string) => (await server.ok(AgentRunDocument, { id: runId }, { token: demoToken })).agentRun.assistantMessage?.content;

  it('signs in with the demo credentials it prefills, and opens a coaching session', { timeout: 60_000 }, async () => {
    const response = await page.goto(`${server.url.replace(/\/graphql$/, '')}/chat`);
    expect(response?.status()).toBe(200);
    await eventually(() => page.locator('input[name=username]').inputValue()).toBe(DEMO.username);
    expect(await page.locator('input[name=password]').inputValue()).toBe(DEMO.password);
    await shot('1-sign-in');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('new-coaching').click();
    await eventually(() => page.getByTestId('session-title').innerText()).toMatch(/coaching/);
    for (const type of ['general', 'coaching', 'journaling', 'planning', 'reflection']) await expect(page.getByTestId(`new-${type}`).count()).resolves.toBe(1);
    // The type once, beside the title.
    expect((await page.getByTestId('session-title').innerText()).match(/coaching/gi)).toHaveLength(1);
    await eventually(() => page.getByTestId('input').isEnabled()).toBe(true);
    const icon = await page.locator('link[rel=icon]').getAttribute('href');
    const served = await page.request.get(new URL(icon!, page.url()).href);
    expect([served.status(), served.headers()['content-type']]).toEqual([200, expect.stringMatching(/^image\/svg\+xml/)]);
  });

  it('"how much money do I have?" streams tokens, shows the tool call, and ends equal to the stored answer', { timeout: 60_000 }, async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    fake.script([
      [call('call_1', 'list_accounts', {})],
      [{ text: 'You have money in Checking ' }, { until: held }, { text: 'and in Savings: see the balances above.' }],
    ]);
    onTestFinished(() => release());
    const run = await say('how much money do I have?');
    // Tokens show as they stream, before the run ends.
    await eventually(() => run.getByTestId('answer').textContent()).toBe('You have money in Checking ');
    expect(await run.getAttribute('data-finished')).toBeNull();
    await eventually(() => run.getByTestId('tool-call').innerText()).toMatch(/list_accounts ✓/);
    await shot('2-streaming');
    release();
    await eventually(() => run.getAttribute('data-finished')).toBe('SUCCEEDED');
    const runId = (await run.getAttribute('data-run-id'))!;
    expect(await run.getByTestId('answer').textContent()).toBe(await storedAnswer(runId));
    expect(await storedAnswer(runId)).toBe('You have money in Checking and in Savings: see the balances above.');
    // The tool call opens to its arguments and result.
    await run.getByTestId('tool-call').locator('summary').click();
    expect(await run.getByTestId('tool-call').innerText()).toMatch(/arguments[\s\S]*result[\s\S]*Checking/i);
    await run.getByTestId('tool-call').locator('summary').click();
  });

  it('"send 50 dollars from checking to savings" shows the proposal as a card, and Confirm posts it', { timeout: 60_000 }, async () => {
    const accounts = (await server.ok(AccountsDocument, {}, { token: demoToken })).accounts;
    const checking = accounts.find((a) => a.name === 'Checking')!;
    const savings = accounts.find((a) => a.name === 'Savings')!;
    fake.script([
      [call('call_2', 'propose_transfer', { fromAccountId: checking.id, toAccountId: savings.id, amountMinor: '5000', currency: 'USD' })],
      [{ text: 'I prepared 50.00 USD from Checking to Savings: confirm it to send.' }],
    ]);
    const run = await say('send 50 dollars from checking to savings');
    const card = run.getByTestId('proposal');
    await eventually(() => card.innerText()).toMatch(/50\.00 USD[\s\S]*Checking → Savings[\s\S]*PENDING_CONFIRMATION/);
    await eventually(() => run.getAttribute('data-finished')).toBe('SUCCEEDED');
    await run.getByTestId('thinking').locator('summary').click();
    await shot('3-proposal');
    await card.getByTestId('confirm').click();
    await eventually(() => card.getByTestId('transfer-status').innerText()).toBe('POSTED');
    const transferId = (await card.getAttribute('data-transfer-id'))!;
    expect((await server.ok(TransferDocument, { id: transferId }, { token: demoToken })).transfer.status).toBe('POSTED');
    await expect(card.getByTestId('confirm').count()).resolves.toBe(0);
    await shot('4-confirmed');
  });

  it('loses no token when the socket drops mid-run: it reconnects and resumes with afterSeq', { timeout: 90_000 }, async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    fake.script([[{ text: 'Before the drop, ' }, { until: held }, { text: 'and after it, streamed while the page was offline.' }]]);
    onTestFinished(() => release());
    const run = await say('tell me something long');
    await eventually(() => run.getByTestId('answer').textContent()).toBe('Before the drop, ');

    // The network goes: every socket is cut, and new ones are refused until it comes back.
    networkDown = true;
    for (const socket of sockets.splice(0)) await socket.close({ code: 1011, reason: 'network down' });
    await eventually(() => page.getByTestId('connection').innerText()).toMatch(/offline/);
    const runId = (await run.getAttribute('data-run-id'))!;
    release();
    await until(async () => (await server.ok(AgentRunDocument, { id: runId }, { token: demoToken })).agentRun.status === 'SUCCEEDED', {
      timeoutMs: 20_000,
      what: 'the run to finish while the page is offline',
    });
    await shot('5-offline');
    const subscribesBefore = framesSent.length;
    networkDown = false;

    await expect.poll(() => run.getAttribute('data-finished'), { timeout: 30_000 }).toBe('SUCCEEDED');
    expect(await run.getByTestId('answer').textContent()).toBe(await storedAnswer(runId));
    // It resumed where it stopped rather than from the start.
    const resumed = framesSent
      .slice(subscribesBefore)
      .map((f) => JSON.parse(f) as { type: string; payload?: { variables?: { runId?: string; afterSeq?: number } } })
      .find((m) => m.type === 'subscribe' && m.payload?.variables?.runId === runId);
    expect(resumed?.payload?.variables?.afterSeq).toBeGreaterThan(0);
    await eventually(() => page.getByTestId('connection').innerText()).toBe('live');
    await shot('6-resumed');
  });

  it('stops a run with Stop (cancelAgentRun), keeping the partial answer', { timeout: 60_000 }, async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    fake.script([[{ text: 'This answer will be cut ' }, { until: held }, { text: 'and never finished.' }]]);
    try {
      const run = await say('talk for a long time');
      await eventually(() => run.getByTestId('answer').textContent()).toBe('This answer will be cut ');
      await run.getByTestId('stop').click();
      await expect.poll(() => run.getAttribute('data-finished'), { timeout: 30_000 }).toBe('CANCELLED');
      expect(await run.locator('.run-status').textContent()).toMatch(/^CANCELLED/);
      expect(await run.getByTestId('stop').count()).toBe(0);
    } finally {
      release();
    }
  });

  it('shows a journaling draft updating beside the chat', { timeout: 60_000 }, async () => {
    fake.script([
      [call('call_j', 'structure_journal', { sections: [{ name: 'Thoughts & Feelings', content: 'A calm day, and proud of saving.' }] })],
      [{ text: 'I added that to your draft.' }],
    ]);
    await page.getByTestId('new-journaling').click();
    await eventually(() => page.getByTestId('session-title').innerText()).toMatch(/journaling/);
    await eventually(() => page.getByTestId('draft').isVisible()).toBe(true);
    const run = await say('today was calm and I am proud of saving');
    await eventually(() => page.getByTestId('draft').innerText()).toMatch(/Thoughts & Feelings\s+A calm day, and proud of saving\./);
    await eventually(() => run.getAttribute('data-finished')).toBe('SUCCEEDED');
    await shot('7-journaling');
  });

  it('regenerates an answer, shows ‹ 2 / 2 › to go back to the first, keeps the branch over a reload, and edits a question', { timeout: 90_000 }, async () => {
    let sessionId = '';
    const reopen = () => page.locator(`.sessions li[data-session-id="${sessionId}"]`).click();
    const answerBubble = () => page.locator('[data-testid=messages] > .message.assistant').last();
    fake.script([[{ text: 'First answer.' }], [{ text: 'Second answer.' }]]);
    await page.getByTestId('new-general').click();
    await eventually(() => page.getByTestId('session-title').innerText()).toMatch(/general/);
    sessionId = (await page.locator('.sessions li.active').getAttribute('data-session-id'))!;
    const first = await say('first question');
    await eventually(() => first.getAttribute('data-finished')).toBe('SUCCEEDED');
    await reopen();
    await eventually(() => answerBubble().innerText()).toMatch(/^First answer\./);
    await answerBubble().getByTestId('regenerate').click();
    await eventually(() => lastRun().getByTestId('answer').textContent()).toBe('Second answer.');
    await eventually(() => lastRun().getAttribute('data-finished')).toBe('SUCCEEDED');
    await reopen();
    await eventually(() => answerBubble().getByTestId('siblings').textContent()).toBe('2 / 2');
    await answerBubble().getByTestId('sibling-prev').click();
    await eventually(() => answerBubble().innerText()).toMatch(/^First answer\./);
    expect(await answerBubble().getByTestId('siblings').textContent()).toBe('1 / 2');
    await page.reload();
    await reopen();
    await eventually(() => answerBubble().getByTestId('siblings').textContent()).toBe('1 / 2');
    await shot('8-branches');
    page.once('dialog', (dialog) => void dialog.accept('first question, reworded'));
    await page.locator('[data-testid=messages] > .message.user').last().getByTestId('edit').click();
    await eventually(() => lastRun().getByTestId('answer').textContent()).toBe('You said: first question, reworded');
    await eventually(() => lastRun().getAttribute('data-finished')).toBe('SUCCEEDED');
    await reopen();
    await eventually(() => page.locator('[data-testid=messages] > .message.user').last().getByTestId('siblings').textContent()).toBe('2 / 2');
  });

  it('lets another tab of the same session follow a run it did not start (chatSessionEvents)', { timeout: 60_000 }, async () => {
    const sessionId = (await page.locator('.sessions li.active').getAttribute('data-session-id'))!;
    const other = await context.newPage();
    try {
      // The same browser profile: the other tab is signed in already.
      await other.goto(`${server.url.replace(/\/graphql$/, '')}/chat`);
      const listening = server.app.deps.pubsub.subscriberCount;
      await other.locator(`.sessions li[data-session-id="${sessionId}"]`).click();
      await until(() => server.app.deps.pubsub.subscriberCount > listening, { what: "the other tab's chatSessionEvents subscription" });

      fake.script([[{ text: 'Seen in both tabs.' }]]);
      await say('hello from the first tab');
      const followed = other.locator('.run').last();
      await expect.poll(() => followed.getAttribute('data-finished'), { timeout: 30_000 }).toBe('SUCCEEDED');
      expect(await followed.getByTestId('answer').textContent()).toBe('Seen in both tabs.');
      expect(await followed.locator('.message.user').textContent()).toBe('hello from the first tab');
    } finally {
      await other.close();
    }
  });

  it('needed nothing from outside the gateway', async () => {
    expect(outside).toEqual([]);
    expect(pageErrors).toEqual([]);
    // docs/clients.md shows the proposal state.
    if (process.env.UPDATE_DOCS_SCREENSHOT === '1') await copyFile(join(ARTIFACTS, '3-proposal.png'), join('docs', 'chat.png'));
  });
});
