import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { AGENT_EVENT_CLASSES, AGENT_EVENT_TYPES, isAgentEventName, toGraphQLEvent } from '../../src/modules/agent/agent.events.js';

describe('agent event names', () => {
  it('name each GraphQL class after its event, since resolveType answers with the event name', () => {
    for (const [name, type] of Object.entries(AGENT_EVENT_CLASSES)) expect(type.name).toBe(name);
    expect(AGENT_EVENT_TYPES).toHaveLength(Object.keys(AGENT_EVENT_CLASSES).length);
  });

  it('recognise the stored names and nothing else', () => {
    expect(isAgentEventName('TokenDelta')).toBe(true);
    expect(isAgentEventName('RunFinished')).toBe(true);
    expect(isAgentEventName('toString')).toBe(false);
    expect(isAgentEventName('tokenDelta')).toBe(false);
  });

  it('map an event to its GraphQL object: the envelope, `at` as a Date, the data spread', () => {
    const event = toGraphQLEvent({
      runId: 'r',
      sessionId: 's',
      seq: 4,
      at: '2026-01-02T03:04:05.000Z',
      type: 'ThinkingStep',
      data: { stepId: 'x', label: 'Reading', done: true },
    });
    expect(event).toEqual({
      __type: 'ThinkingStep',
      runId: 'r',
      sessionId: 's',
      seq: 4,
      at: new Date('2026-01-02T03:04:05.000Z'),
      stepId: 'x',
      label: 'Reading',
      done: true,
    });
  });
});
