import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CompleteAccountLinkDocument, InstitutionsDocument, LinkedAccountsDocument, StartAccountLinkDocument } from '../generated/graphql.js';
import { registerUser } from '../factories/users.js';
import { describeNeeding } from '../helpers/components.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const CHROMIUM = '/usr/bin/chromium';
const missing = existsSync(CHROMIUM) ? undefined : `needs Chromium: ${CHROMIUM} does not exist (apt-get install chromium)`;

/** The embedded sandbox (AGGREGATOR_URL unset): a person clicks Allow on its consent page in a real browser (issue 25). */
describeNeeding(missing, 'the sandbox consent page in headless Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    server = await startTestServer({ env: { LINK_SYNC_INTERVAL: '0' } });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('sends the browser back with public_token and link_session_id after Allow, and completeAccountLink links the bank', async () => {
    const user = await registerUser(server);
    const [demo] = (await server.ok(InstitutionsDocument, { search: 'demo' }, { token: user.token })).institutions;
    const back = new URL('/healthz', server.url).toString();
    const session = (await server.ok(StartAccountLinkDocument, { input: { institutionId: demo!.id, redirectUri: back } }, { token: user.token }))
      .startAccountLink;
    const page = await browser.newPage();
    await page.goto(session.linkUrl);
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL((url) => url.toString().startsWith(back));
    const landed = new URL(page.url());
    expect(landed.searchParams.get('link_session_id')).toBe(session.id);
    const publicToken = landed.searchParams.get('public_token')!;
    const linked = (await server.ok(CompleteAccountLinkDocument, { input: { linkSessionId: session.id, publicToken } }, { token: user.token }))
      .completeAccountLink;
    expect(linked.map((a) => [a.institution.name, a.status])).toEqual([['Sandbox Demo Bank', 'ACTIVE']]);
    expect((await server.ok(LinkedAccountsDocument, {}, { token: user.token })).linkedAccounts).toHaveLength(1);
  });
});
