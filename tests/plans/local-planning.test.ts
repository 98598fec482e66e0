import { describe, expect, it } from 'vitest';
import { planningIntent, splitItems } from '../../src/modules/agent/llm/local.planning.js';

describe("the offline assistant's planning requests", () => {
  it('splits a day into items and reads times where given', () => {
    expect(splitItems('gym at 7, finish the report, call mom')).toEqual([
      { title: 'gym', time: '07:00' },
      { title: 'finish the report' },
      { title: 'call mom' },
    ]);
    expect(splitItems('dentist at 2:30pm; lunch @ 12 and then read at 9 pm')).toEqual([
      { title: 'dentist', time: '14:30' },
      { title: 'lunch', time: '12:00' },
      { title: 'read', time: '21:00' },
    ]);
    expect(splitItems('meet Sam at 12am, look at 99 problems')).toEqual([{ title: 'meet Sam', time: '00:00' }, { title: 'look at 99 problems' }]);
  });

  it('tells the planning requests apart', () => {
    expect(planningIntent('plan my day tomorrow: gym at 7, call mom')).toMatchObject({ kind: 'plan_day', when: 'tomorrow' });
    expect(planningIntent('plan today - write, swim')).toMatchObject({ kind: 'plan_day', when: 'today' });
    expect(planningIntent("what's on my plan today?")).toEqual({ kind: 'show_plan', when: 'today' });
    expect(planningIntent('what do I have on my schedule tomorrow')).toEqual({ kind: 'show_plan', when: 'tomorrow' });
    expect(planningIntent('I did the gym')).toEqual({ kind: 'did_item', what: 'gym' });
    expect(planningIntent('finished the report!')).toEqual({ kind: 'did_item', what: 'report' });
    expect(planningIntent('what are my goals?')).toEqual({ kind: 'list_goals' });
    expect(planningIntent('add a goal to save 2000 dollars for a vacation by June')).toEqual({
      kind: 'create_goal',
      text: 'save 2000 dollars for a vacation by June',
    });
    expect(planningIntent('put 100 dollars toward my vacation goal')).toEqual({ kind: 'contribute', amountText: '100 dollars', goal: 'vacation' });
    // Not planning: left to the other rules.
    expect(planningIntent('send 50 dollars from checking to savings')).toBeUndefined();
    expect(planningIntent('how much do I have?')).toBeUndefined();
  });
});
