import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { flagEnvName } from '../../src/flags/flags.catalog.js';
import { bucketOf, evaluateFlag, parseFlagDocument } from '../../src/flags/flags.rules.js';
import { loadConfig } from '../../src/config/config.js';

const anonymous = { userId: null, role: null };

describe('flag evaluation', () => {
  it('answers the catalog default when nothing sets a flag', () => {
    expect(evaluateFlag('groups', {}, {}, anonymous)).toEqual({ enabled: true, variant: 'on', reason: 'DEFAULT' });
  });

  it('lets an environment override win over the file and its rules', () => {
    const doc = parseFlagDocument(JSON.stringify({ flags: { groups: { enabled: true, rules: [{ users: ['u1'], enabled: true }] } } }));
    expect(evaluateFlag('groups', doc, { groups: false }, { userId: 'u1', role: 'CUSTOMER' })).toEqual({ enabled: false, variant: 'off', reason: 'DISABLED' });
  });

  it('takes the first rule that matches: users, then roles, else the file value', () => {
    const doc = parseFlagDocument(
      JSON.stringify({
        flags: {
          ai: {
            enabled: false,
            rules: [
              { users: ['u1'], enabled: true },
              { roles: ['OPERATOR'], enabled: true },
            ],
          },
        },
      }),
    );
    expect(evaluateFlag('ai', doc, {}, { userId: 'u1', role: 'CUSTOMER' }).reason).toBe('TARGETING_MATCH');
    expect(evaluateFlag('ai', doc, {}, { userId: 'u2', role: 'OPERATOR' })).toEqual({ enabled: true, variant: 'on', reason: 'TARGETING_MATCH' });
    expect(evaluateFlag('ai', doc, {}, { userId: 'u2', role: 'CUSTOMER' })).toEqual({ enabled: false, variant: 'off', reason: 'DISABLED' });
    expect(evaluateFlag('ai', doc, {}, anonymous).enabled).toBe(false);
  });

  it('rolls out by percentage, stable per user, close to the share asked, never to anonymous callers', () => {
    const doc = parseFlagDocument(JSON.stringify({ flags: { groups: { enabled: false, rules: [{ percentage: 30, enabled: true }] } } }));
    const users = Array.from({ length: 2000 }, (_, i) => `user-${i}`);
    const on = users.filter((u) => evaluateFlag('groups', doc, {}, { userId: u, role: 'CUSTOMER' }).enabled);
    expect(on.length / users.length).toBeGreaterThan(0.26);
    expect(on.length / users.length).toBeLessThan(0.34);
    for (const u of users.slice(0, 50)) expect(evaluateFlag('groups', doc, {}, { userId: u, role: 'CUSTOMER' }).enabled).toBe(on.includes(u));
    expect(evaluateFlag('groups', doc, {}, { userId: on[0], role: 'CUSTOMER' }).reason).toBe('SPLIT');
    expect(evaluateFlag('groups', doc, {}, anonymous).enabled).toBe(false);
  });

  it('puts a user in independent buckets for different flags', () => {
    const ids = Array.from({ length: 200 }, () => randomUUID());
    const same = ids.filter((id) => bucketOf('groups', id) === bucketOf('ai', id));
    expect(same.length).toBeLessThan(20);
  });

  it('refuses a flags file with unknown flags or malformed rules, naming each problem', () => {
    expect(() => parseFlagDocument('{')).toThrow(/not JSON/);
    expect(() => parseFlagDocument(JSON.stringify({ flags: { grops: { enabled: true } } }))).toThrow(/unknown flag "grops"/);
    expect(() => parseFlagDocument(JSON.stringify({ flags: { groups: { rules: [{ percentage: 101, enabled: true, colour: 'red' }] } } }))).toThrow(
      /groups\.rules\[0\]\.percentage: must be a whole number from 0 to 100; groups\.rules\[0\]\.colour: unknown field/,
    );
  });
});

describe('flag overrides in the environment', () => {
  it('names the variable after the key, and reads true or false', () => {
    expect(flagEnvName('linked-accounts')).toBe('FEATURE_LINKED_ACCOUNTS');
    expect(flagEnvName('tools.money')).toBe('FEATURE_TOOLS_MONEY');
    const { config } = loadConfig({ NODE_ENV: 'test', FEATURE_GROUPS: 'false', FEATURE_TOOLS_MONEY: 'true' });
    expect(config.flags.overrides).toEqual({ groups: false, 'tools.money': true });
  });

  it('stops the start on a FEATURE_ variable that names no flag', () => {
    expect(() => loadConfig({ NODE_ENV: 'test', FEATURE_GROUP: 'false' })).toThrow(/FEATURE_GROUP names no feature flag/);
  });
});
