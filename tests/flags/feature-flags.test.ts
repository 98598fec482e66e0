import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolsFor } from '../../src/modules/agent/tools/registry.js';
import { ConversationType } from '../../src/modules/chat/chat-session.entity.js';
import { FeatureFlagsDocument, LinkedAccountsDocument, StartAccountLinkDocument } from '../generated/graphql.js';
import { loginOperator, OPERATOR_ENV } from '../factories/ledger.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { expectError } from '../helpers/errors.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { until } from '../helpers/wait.js';

const dir = mkdtempSync(join(tmpdir(), 'coach-flags-'));
const file = join(dir, 'flags.json');
const writeFlags = (flags: object) => writeFileSync(file, JSON.stringify({ flags }));

let server: TestServer;
let alice: TestUser;

async function flagsFor(token?: string) {
  const data = await server.ok(FeatureFlagsDocument, {}, token ? { token } : {});
  return Object.fromEntries(data.featureFlags.map((f) => [f.key, { enabled: f.enabled, reason: f.reason }]));
}

beforeAll(async () => {
  writeFlags({ groups: { enabled: false, rules: [{ roles: ['OPERATOR'], enabled: true }] } });
  server = await startTestServer({ env: { ...OPERATOR_ENV, FLAGS_FILE: file, FEATURE_TOOLS_CARDS: 'false' } });
  alice = await registerUser(server);
});

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('featureFlags', () => {
  it('evaluates every flag for an anonymous caller', async () => {
    const flags = await flagsFor();
    expect(Object.keys(flags).sort()).toEqual([
      'ai',
      'groups',
      'linked-accounts',
      'tools.budget',
      'tools.cards',
      'tools.journal',
      'tools.money',
      'tools.plans',
    ]);
    expect(flags.groups).toEqual({ enabled: false, reason: 'DISABLED' });
    expect(flags['tools.cards']).toEqual({ enabled: false, reason: 'DISABLED' });
    expect(flags.ai).toEqual({ enabled: true, reason: 'DEFAULT' });
  });

  it('targets by role for a signed-in caller', async () => {
    expect((await flagsFor(alice.token)).groups).toEqual({ enabled: false, reason: 'DISABLED' });
    expect((await flagsFor(await loginOperator(server))).groups).toEqual({ enabled: true, reason: 'TARGETING_MATCH' });
  });

  it('picks up a change to the flags file without a restart, and keeps the last good file when an edit breaks it', async () => {
    writeFlags({ groups: { enabled: false, rules: [{ users: [alice.user.id], enabled: true }] } });
    await until(async () => (await flagsFor(alice.token)).groups.enabled, { what: 'the new flags file', timeoutMs: 10_000 });
    expect((await flagsFor(alice.token)).groups.reason).toBe('TARGETING_MATCH');
    expect((await flagsFor()).groups.enabled).toBe(false);

    writeFileSync(file, '{ "flags": { "groups": ');
    await until(() => server.logs.some((line) => line.msg === 'flags file not applied: the last good one stays in force'), {
      what: 'the bad file reported',
      timeoutMs: 10_000,
    });
    expect((await flagsFor(alice.token)).groups).toEqual({ enabled: true, reason: 'TARGETING_MATCH' });
  });

  it('lets the environment override win over the file', async () => {
    writeFlags({ 'tools.cards': { enabled: true } });
    await until(() => server.logs.filter((line) => line.msg === 'flags file re-read').length >= 2, { what: 'the file re-read', timeoutMs: 10_000 });
    expect((await flagsFor(alice.token))['tools.cards']).toEqual({ enabled: false, reason: 'DISABLED' });
  });
});

describe('a capability switched off', () => {
  it('refuses new links with FEATURE_DISABLED naming the flag, and lists no linking tools for the agent', async () => {
    const off = await startTestServer({ env: { FEATURE_LINKED_ACCOUNTS: 'false' } });
    try {
      const bob = await registerUser(off);
      const refused = await off.gql(StartAccountLinkDocument, { input: { institutionId: randomUUID() } }, { token: bob.token });
      const error = expectError(refused, 'FEATURE_DISABLED');
      expect(error.extensions?.flag).toBe('linked-accounts');
      expect(error.message).toContain('linked-accounts');
      expect((await off.ok(LinkedAccountsDocument, {}, { token: bob.token })).linkedAccounts).toEqual([]);
      const names = toolsFor(ConversationType.COACHING, new Set(['linked-accounts'])).map((t) => t.definition.name);
      expect(names).toContain('list_transactions');
      expect(names).not.toContain('sync_linked_accounts');
      expect(names).not.toContain('list_linked_accounts');
    } finally {
      await off.stop();
    }
  });
});
