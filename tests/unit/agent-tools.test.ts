import 'reflect-metadata';
import { describe, expect, it, vi } from 'vitest';
import type { Account } from '../../src/modules/accounts/account.entity.js';
import { buildAgentContext, systemPrompt } from '../../src/modules/agent/agent.prompt.js';
import { runTool } from '../../src/modules/agent/tools/registry.js';
import type { ToolServices } from '../../src/modules/agent/tools/tool.js';
import type { AuthInfo } from '../../src/modules/auth/auth.types.js';
import { Role } from '../../src/modules/auth/user.entity.js';
import { ConversationType, type ChatSession } from '../../src/modules/chat/chat-session.entity.js';
import { DomainError } from '../../src/shared/errors.js';
import { FeedbackStyle } from '../../src/modules/preferences/preferences.types.js';

// The agent's steps get their services from an injected factory, so a tool call and the prompt run here on fakes, with no database.
const auth: AuthInfo = { userId: 'u1', sessionId: 's1', role: Role.CUSTOMER };
const session = { id: 'c1', conversationType: ConversationType.GENERAL } as ChatSession;
const checking = { id: 'a1', name: 'Checking', number: '1000-0001', currency: 'USD', status: 'OPEN', balance: 12345n } as unknown as Account;
const clock = { now: () => new Date('2026-01-02T03:04:05Z') };
const logger = { error: vi.fn() } as never;

function fakes(overrides: Partial<ToolServices> = {}) {
  const services = {
    accounts: { list: vi.fn(async () => [checking]), get: vi.fn() },
    templates: { active: vi.fn(async () => ({ sections: [{ name: 'Wins', description: 'What went well', aliases: [] }] })) },
    preferences: { get: vi.fn(async () => ({ preferredFeedbackStyle: FeedbackStyle.DIRECT, purposeStatement: null })) },
    drafts: { draftFor: vi.fn(async () => null) },
    audit: { event: vi.fn((action: string, outcome: string, facts: object) => ({ action, outcome, ...facts })), recordAlone: vi.fn(async () => {}) },
    ...overrides,
  } as unknown as ToolServices;
  const events: Array<{ type: string; data: Record<string, unknown> }> = [];
  const writer = { emit: (type: string, data: Record<string, unknown>) => (events.push({ type, data }), undefined as never) };
  const servicesFor = vi.fn(() => services);
  const call = (name: string, args: string) =>
    runTool({ id: 'call-1', name, arguments: args }, { services: servicesFor, clock, logger, auth, session, writer, signal: new AbortController().signal });
  return { services, servicesFor, events, call };
}

describe('runTool', () => {
  it('runs a tool on the services it is given and reports the step around the call', async () => {
    const { call, services, servicesFor, events } = fakes();
    const outcome = await call('list_accounts', '{}');
    expect(servicesFor).toHaveBeenCalledTimes(1);
    // A tool that reads money leaves a row in the user's audit trail.
    expect(services.audit.recordAlone).toHaveBeenCalledWith({
      action: 'TOOL_CALLED',
      outcome: 'SUCCEEDED',
      userId: 'u1',
      target: 'tool:list_accounts session:c1',
    });
    expect(outcome.record).toMatchObject({ tool: 'list_accounts', ok: true, result: { accounts: [{ id: 'a1', balance: '123.45', balanceMinor: '12345' }] } });
    expect(outcome.step).toMatchObject({ label: 'Reading your accounts', startedAt: '2026-01-02T03:04:05.000Z', finishedAt: '2026-01-02T03:04:05.000Z' });
    expect(events.map((e) => e.type)).toEqual(['ThinkingStep', 'ToolCallStarted', 'ToolCallFinished', 'ThinkingStep']);
  });

  it('answers an unknown tool or invalid arguments without building services', async () => {
    const { call, servicesFor } = fakes();
    expect((await call('wire_money', '{}')).record.result).toMatchObject({ error: { code: 'UNKNOWN_TOOL' } });
    expect((await call('list_accounts', 'not json')).record.result).toMatchObject({
      error: { code: 'INVALID_ARGUMENTS', message: 'The arguments are not valid JSON' },
    });
    expect((await call('list_accounts', '{"extra":1}')).record.result).toMatchObject({ error: { code: 'INVALID_ARGUMENTS' } });
    expect(servicesFor).not.toHaveBeenCalled();
  });

  it("turns a service's DomainError into a result the model can read", async () => {
    const list = vi.fn(async () => {
      throw new DomainError('FORBIDDEN', 'Not yours');
    });
    const { call, services } = fakes({ accounts: { list, get: vi.fn() } as unknown as ToolServices['accounts'] });
    const outcome = await call('list_accounts', '');
    expect(outcome.record).toMatchObject({ ok: false, result: { error: { code: 'FORBIDDEN', message: 'Not yours' } } });
    expect(services.audit.recordAlone).toHaveBeenCalledWith(expect.objectContaining({ action: 'TOOL_CALLED', outcome: 'FORBIDDEN' }));
  });
});

describe('buildAgentContext', () => {
  it("reads the user's template, preferences and accounts through the services and puts them in the prompt", async () => {
    const { services } = fakes();
    const context = await buildAgentContext(services, auth, session);
    expect(context.accounts).toEqual([{ id: 'a1', name: 'Checking', number: '1000-0001', currency: 'USD', balance: '123.45' }]);
    expect(services.drafts.draftFor).not.toHaveBeenCalled();
    const prompt = systemPrompt(context);
    expect(prompt).toContain('Feedback style the user prefers: direct.');
    expect(prompt).toContain('- Checking (1000-0001, id a1): 123.45 USD');
  });
});
