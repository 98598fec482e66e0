import 'reflect-metadata';
import type { EntityManager } from '@mikro-orm/postgresql';
import { describe, expect, it, vi } from 'vitest';
import type { AppDeps, CoreDeps } from '../../src/deps.js';
import { AgentRun } from '../../src/modules/agent/agent-run.entity.js';
import { AgentRunStatus } from '../../src/modules/agent/agent.types.js';
import type { AgentRuntime } from '../../src/modules/agent/agent.runtime.js';
import { RunCanceller } from '../../src/modules/agent/run-canceller.js';
import { Role } from '../../src/modules/auth/user.entity.js';
import { ChatSession, ConversationType } from '../../src/modules/chat/chat-session.entity.js';
import { Topic } from '../../src/pubsub/topics.js';
import { createOperationServices, createServices } from '../../src/services.js';

// The container is plain constructors over the deps each service names, so these run on fakes, with no database.
const auth = { userId: 'u1', sessionId: 's1', role: Role.CUSTOMER };
const runId = '018f0000-0000-7000-8000-000000000001';
const sessionId = '018f0000-0000-7000-8000-000000000002';

function fakePubSub() {
  const published: Array<{ topic: Topic; key: string; payload: unknown }> = [];
  return { published, pubsub: { publish: vi.fn(async (topic: Topic, key: string, payload: unknown) => void published.push({ topic, key, payload })) } };
}

function runtime(overrides: Partial<AgentRuntime> = {}): AgentRuntime {
  return {
    acceptingRuns: true,
    activeRuns: 0,
    provider: { name: 'local', model: 'rules' },
    start: vi.fn(),
    requestCancel: vi.fn(async () => {}),
    ...overrides,
  };
}

describe('createServices', () => {
  it('builds every domain service from the core deps alone: seeding and scripts need no agent', () => {
    const services = createServices({ clock: { now: () => new Date() } } as CoreDeps, {} as EntityManager);
    expect(Object.keys(services).sort()).toEqual([
      'accountDeletion',
      'accounts',
      'audit',
      'auth',
      'budget',
      'budgetAlerts',
      'cards',
      'chat',
      'drafts',
      'fees',
      'flags',
      'goals',
      'groupExpenses',
      'groups',
      'insights',
      'journal',
      'ledger',
      'linkSync',
      'linking',
      'manualTransactions',
      'paymentJars',
      'plans',
      'portability',
      'preferences',
      'provisioning',
      'settlements',
      'templates',
      'transactionEdits',
      'transactionFeed',
      'transactionJars',
      'transferQueries',
      'transfers',
      'webhooks',
    ]);
  });

  it('builds a service on first read and hands the same one back after: a request pays only for what it touches', () => {
    const services = createOperationServices({ clock: { now: () => new Date() } } as unknown as AppDeps, {} as EntityManager);
    const transfers = services.transfers;
    expect(services.transfers).toBe(transfers);
    expect(services.cards.constructor.name).toBe('CardService');
    expect(services.agent).toBe(services.agent);
    expect(Object.keys(services)).toContain('agent');
  });

  it("adds the agent's service for an operation, on the runtime it is given", async () => {
    const run = Object.assign(Object.create(AgentRun.prototype) as AgentRun, {
      id: runId,
      // A session of the caller's own: cancelling needs access to it.
      session: { id: sessionId, getEntity: () => ({ id: sessionId, conversationType: ConversationType.GENERAL, user: { id: auth.userId } }) },
      status: AgentRunStatus.RUNNING,
      steps: [],
      toolCalls: [],
      attempts: [],
      createdAt: new Date(),
    });
    const em = { findOne: vi.fn(async (entity: unknown) => (entity === AgentRun ? run : null)) } as unknown as EntityManager;
    const agent = runtime();
    const services = createOperationServices({ agent } as unknown as AppDeps, em);
    await expect(services.agent.cancel(auth, runId)).resolves.toMatchObject({ id: runId, status: AgentRunStatus.RUNNING });
    expect(agent.requestCancel).toHaveBeenCalledWith(runId);
  });

  it('refuses a new run once the runtime stopped accepting them', async () => {
    const session = Object.assign(Object.create(ChatSession.prototype) as ChatSession, {
      id: sessionId,
      conversationType: ConversationType.GENERAL,
      user: { id: auth.userId },
    });
    const em = { findOne: vi.fn(async (entity: unknown) => (entity === ChatSession ? session : null)) } as unknown as EntityManager;
    const limits = { check: vi.fn(async () => {}) };
    const agent = runtime({ acceptingRuns: false });
    const services = createOperationServices({ agent, rateLimits: limits } as unknown as AppDeps, em);
    await expect(services.agent.send(auth, { sessionId, text: 'hi' })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(limits.check).toHaveBeenCalledWith('sendMessage', { userId: 'u1' });
    expect(agent.start).not.toHaveBeenCalled();
  });
});

describe('RunCanceller', () => {
  it('asks, through pub/sub, for every unfinished run of the user to stop, with the reason', async () => {
    const find = vi.fn(async () => [{ id: 'r1' }, { id: 'r2' }]);
    const em = { fork: () => ({ find }) } as unknown as EntityManager;
    const { pubsub, published } = fakePubSub();
    const reason = { code: 'REVOKED', message: 'signed out' };
    expect(await new RunCanceller(em, { pubsub } as never).cancelRunsOfUser('u1', reason)).toBe(2);
    expect(find).toHaveBeenCalledWith(AgentRun, { userId: 'u1', status: { $in: [AgentRunStatus.QUEUED, AgentRunStatus.RUNNING] } }, { fields: ['id'] });
    expect(published).toEqual([
      { topic: Topic.AGENT_CANCEL, key: 'all', payload: { runId: 'r1', error: reason } },
      { topic: Topic.AGENT_CANCEL, key: 'all', payload: { runId: 'r2', error: reason } },
    ]);
  });
});
