import { describe, expect, it } from 'vitest';
import { DEFAULT_TEMPLATE_SECTIONS } from '../../src/modules/drafts/sections.rules.js';
import { findAmount, formatMinor, matchAccount, toMinorUnits } from '../../src/modules/agent/llm/local.money.js';
import { detectIntent } from '../../src/modules/agent/llm/local.intents.js';
import { chooseSections, journalText } from '../../src/modules/agent/llm/local.journal.js';
import { LocalProvider } from '../../src/modules/agent/llm/local.provider.js';
import {
  ProviderError,
  type AgentContext,
  type ChatMessage,
  type ProviderEvent,
  type ToolCallRequest,
  type ToolDefinition,
} from '../../src/modules/agent/llm/provider.js';

const DEFAULT_TEMPLATE = DEFAULT_TEMPLATE_SECTIONS;
const TRADING_TEMPLATE = [
  {
    name: 'Open Reflection',
    description: 'General thoughts, daily reflections, or free-form journaling content',
    aliases: ['Daily Notes', 'Journal', 'Reflection', 'General'],
  },
  { name: 'Emotional State', description: 'Content describing mood, feelings, stress levels, or well-being', aliases: ['Mood', 'Feelings', 'Well-being'] },
  { name: 'Trading Journal', description: 'Details of specific trades made, positions opened or closed', aliases: ['Trades', 'Positions', 'Trading Activity'] },
  {
    name: 'Market Thoughts',
    description: 'Broader analysis of market trends, specific assets, macroeconomic views',
    aliases: ['Market Analysis', 'Market Commentary', 'Asset Analysis'],
  },
];

const TOOL_NAMES = ['structure_journal', 'save_journal', 'update_preferences', 'list_accounts', 'recent_transactions', 'monthly_summary', 'propose_transfer'];
const TOOLS: ToolDefinition[] = TOOL_NAMES.map((name) => ({ name, description: name, parameters: { type: 'object', properties: {} } }));

interface Account {
  id: string;
  name: string;
  number: string;
  currency: string;
  balanceMinor: bigint;
}

/** In-memory stand-ins for the lead's tools, returning the result shapes the local provider reads. */
class FakeWorld {
  conversationType: AgentContext['conversationType'] = 'JOURNALING';
  template = DEFAULT_TEMPLATE;
  draft = new Map<string, string>();
  saved: Array<{ title: string; sections: Array<{ name: string; content: string }> }> = [];
  style: AgentContext['preferences']['preferredFeedbackStyle'] = 'SUPPORTIVE';
  accounts: Account[] = [
    { id: 'acc-chk', name: 'Checking', number: '1000-0001', currency: 'USD', balanceMinor: 125_000n },
    { id: 'acc-sav', name: 'Savings', number: '1000-0002', currency: 'USD', balanceMinor: 1_000_050n },
    { id: 'acc-yen', name: 'Tokyo Wallet', number: '1000-0003', currency: 'JPY', balanceMinor: 98_000n },
  ];
  transfers: Array<Record<string, unknown>> = [];
  accountsInContext = false;

  context(): AgentContext {
    const draftSections = [...this.draft].map(([name, content]) => ({ name, content }));
    return {
      conversationType: this.conversationType,
      templateSections: this.template,
      draftSections,
      emptySections: this.template.map((s) => s.name).filter((n) => !this.draft.has(n)),
      accounts: this.accountsInContext
        ? this.accounts.map((a) => ({ id: a.id, name: a.name, number: a.number, currency: a.currency, balance: formatMinor(a.balanceMinor, a.currency) }))
        : [],
      preferences: { preferredFeedbackStyle: this.style, purposeStatement: null },
    };
  }

  run(call: ToolCallRequest): unknown {
    let args: Record<string, unknown>;
    try {
      args = JSON.parse(call.arguments) as Record<string, unknown>;
    } catch {
      return { error: { code: 'INVALID_ARGUMENTS', message: 'arguments are not valid JSON' } };
    }
    switch (call.name) {
      case 'structure_journal': {
        for (const s of args.sections as Array<{ name: string; content: string }>) {
          if (!this.template.some((t) => t.name === s.name)) return { error: { code: 'BAD_USER_INPUT', message: `"${s.name}" is not a section` } };
          const before = this.draft.get(s.name);
          this.draft.set(s.name, before ? `${before}\n\n${s.content}` : s.content);
        }
        // Like the drafts service: sections in template order.
        const order = (name: string) => this.template.findIndex((t) => t.name === name);
        this.draft = new Map([...this.draft].sort(([a], [b]) => order(a) - order(b)));
        const ctx = this.context();
        return { sections: ctx.draftSections, emptySections: ctx.emptySections };
      }
      case 'save_journal': {
        if (this.draft.size === 0) return { error: { code: 'DRAFT_EMPTY', message: 'The draft is empty: there is nothing to save' } };
        const sections = [...this.draft].map(([name, content]) => ({ name, content }));
        const title = sections[0]!.content.slice(0, 50);
        this.saved.push({ title, sections });
        this.draft.clear();
        return { journalEntryId: `entry-${this.saved.length}`, title };
      }
      case 'update_preferences':
        if (typeof args.preferredFeedbackStyle === 'string') this.style = args.preferredFeedbackStyle as typeof this.style;
        return { preferredFeedbackStyle: this.style, purposeStatement: null };
      case 'list_accounts':
        return {
          accounts: this.accounts.map((a) => ({
            id: a.id,
            name: a.name,
            number: a.number,
            currency: a.currency,
            balance: formatMinor(a.balanceMinor, a.currency),
            balanceMinor: a.balanceMinor.toString(),
          })),
        };
      case 'propose_transfer': {
        const from = this.accounts.find((a) => a.id === args.fromAccountId);
        const to = this.accounts.find((a) => a.id === args.toAccountId);
        if (!from || !to) return { error: { code: 'NOT_FOUND', message: 'Account not found' } };
        if (typeof args.amountMinor !== 'string' || !/^\d+$/.test(args.amountMinor))
          return { error: { code: 'BAD_USER_INPUT', message: 'amountMinor must be a string of digits' } };
        if (BigInt(args.amountMinor) > from.balanceMinor) return { error: { code: 'INSUFFICIENT_FUNDS', message: `${from.name} does not hold that much` } };
        this.transfers.push(args);
        return {
          transferId: `tr-${this.transfers.length}`,
          status: 'PENDING_CONFIRMATION',
          amount: formatMinor(BigInt(args.amountMinor), String(args.currency)),
          currency: args.currency,
          from: from.name,
          to: to.name,
          expiresAt: '2025-03-10T12:15:00.000Z',
        };
      }
      case 'recent_transactions':
        return {
          entries: [
            { postedAt: '2025-03-09T08:00:00.000Z', direction: 'DEBIT', amount: '4.50', currency: 'USD', description: 'Coffee', accountName: 'Checking' },
            { postedAt: '2025-03-01T09:00:00.000Z', direction: 'CREDIT', amount: '3000.00', currency: 'USD', description: 'Salary', accountName: 'Checking' },
          ],
        };
      case 'monthly_summary':
        return {
          months: [
            { month: '2025-01', accountName: 'Checking', currency: 'USD', credits: '3000.00', debits: '1250.40' },
            { month: '2025-02', accountName: 'Checking', currency: 'USD', credits: '3000.00', debits: '980.10' },
            { month: '2025-02', accountName: 'Savings', currency: 'USD', credits: '500.00', debits: '0.00' },
            { month: '2025-03', accountName: 'Checking', currency: 'USD', credits: '3000.00', debits: '12.00' },
          ],
        };
      default:
        return { error: { code: 'UNKNOWN_TOOL', message: `no tool ${call.name}` } };
    }
  }
}

const now = new Date('2025-03-10T12:00:00.000Z');

interface Turn {
  calls: Array<{ name: string; args: Record<string, unknown>; result: unknown }>;
  answer: string;
  events: ProviderEvent[];
}

/** Drives the provider the way the runner does: stream, run the tool calls, feed results back, repeat. */
async function say(world: FakeWorld, history: ChatMessage[], text: string, tools = TOOLS): Promise<Turn> {
  const provider = new LocalProvider({ wordDelayMs: 0, clock: { now: () => now } });
  history.push({ role: 'user', content: text });
  const messages: ChatMessage[] = [{ role: 'system', content: 'system prompt' }, ...history];
  const turn: Turn = { calls: [], answer: '', events: [] };
  for (let step = 0; step < 8; step++) {
    const calls: ToolCallRequest[] = [];
    let stepText = '';
    for await (const event of provider.stream({ messages, tools, context: world.context(), signal: new AbortController().signal })) {
      turn.events.push(event);
      if (event.type === 'text') stepText += event.delta;
      if (event.type === 'tool_call') calls.push(event.call);
    }
    turn.answer += stepText;
    if (calls.length === 0) {
      history.push({ role: 'assistant', content: turn.answer });
      return turn;
    }
    messages.push({ role: 'assistant', content: stepText, toolCalls: calls });
    for (const call of calls) {
      const result = world.run(call);
      turn.calls.push({ name: call.name, args: JSON.parse(call.arguments) as Record<string, unknown>, result });
      messages.push({ role: 'tool', toolCallId: call.id, name: call.name, content: JSON.stringify(result) });
    }
  }
  throw new Error('the provider kept calling tools');
}

const names = (turn: Turn) => turn.calls.map((c) => c.name);

describe('LocalProvider: journaling', () => {
  it('puts "i\'m sad" into the feelings section, then acknowledges and asks what happened', async () => {
    const world = new FakeWorld();
    const turn = await say(world, [], "create a journal entry to say i'm sad");
    expect(turn.calls.map(({ name, args }) => ({ name, args }))).toEqual([
      { name: 'structure_journal', args: { sections: [{ name: 'Thoughts & Feelings', content: "I'm sad" }] } },
    ]);
    expect(world.draft.get('Thoughts & Feelings')).toBe("I'm sad");
    expect(turn.answer).toContain('Thoughts & Feelings');
    expect(turn.answer).toMatch(/what happened/i);
    expect(turn.answer).toContain('?');
  });

  it('runs the whole journaling conversation: feelings, details, "don\'t save yet", save', async () => {
    const world = new FakeWorld();
    const history: ChatMessage[] = [];
    await say(world, history, "create a journal entry to say i'm sad");

    const details = await say(world, history, 'I lost $5000 in the stock market today');
    expect(details.calls.map(({ name, args }) => ({ name, args }))).toEqual([
      { name: 'structure_journal', args: { sections: [{ name: 'Daily Events', content: 'I lost $5000 in the stock market today' }] } },
    ]);
    expect(details.answer).toContain('Daily Events');
    expect(details.answer).toContain('?');

    const notYet = await say(world, history, "no don't save it yet");
    expect(notYet.calls).toEqual([]);
    expect(notYet.answer).toMatch(/won't save it yet/);
    expect(world.saved).toEqual([]);

    const save = await say(world, history, 'save the journal');
    expect(names(save)).toEqual(['save_journal']);
    expect(save.calls[0]!.args).toEqual({});
    expect(world.saved).toHaveLength(1);
    expect(world.saved[0]!.sections).toEqual([
      { name: 'Daily Events', content: 'I lost $5000 in the stock market today' },
      { name: 'Thoughts & Feelings', content: "I'm sad" },
    ]);
    expect(save.answer).toContain(`"${world.saved[0]!.title}"`);
    expect(world.draft.size).toBe(0);
  });

  it.each(['save it', "that's all, save", 'Please save the journal.', 'ok save it now'])('"%s" saves the journal', async (text) => {
    const world = new FakeWorld();
    world.draft.set('Open Reflection', 'A calm day.');
    const turn = await say(world, [], text);
    expect(names(turn)).toEqual(['save_journal']);
    expect(turn.answer).toContain('"A calm day."');
  });

  it.each(['not yet', "don't save it", 'no, do not save the journal yet', 'wait'])('"%s" does not save', async (text) => {
    const world = new FakeWorld();
    world.draft.set('Open Reflection', 'A calm day.');
    const turn = await say(world, [], text);
    expect(turn.calls).toEqual([]);
    expect(turn.answer).toMatch(/won't save/);
  });

  it('explains a refused save of an empty draft instead of retrying', async () => {
    const world = new FakeWorld();
    const turn = await say(world, [], 'save the journal');
    expect(names(turn)).toEqual(['save_journal']);
    expect(turn.answer).toMatch(/nothing in your journal draft to save/);
  });

  it('"I prefer direct feedback" updates the preferences, and later answers are direct', async () => {
    const world = new FakeWorld();
    const turn = await say(world, [], 'I prefer direct feedback');
    expect(turn.calls.map(({ name, args }) => ({ name, args }))).toEqual([{ name: 'update_preferences', args: { preferredFeedbackStyle: 'DIRECT' } }]);
    expect(turn.answer).toMatch(/direct/);
    const next = await say(world, [], 'Had a long meeting at work');
    expect(next.answer.startsWith('Added to "Daily Events".')).toBe(true);
  });

  it('sorts mixed text sentence by sentence, using the active template', async () => {
    const world = new FakeWorld();
    world.template = TRADING_TEMPLATE;
    const turn = await say(world, [], 'I feel anxious and stressed. Sold my AAPL shares at a loss. Need to think about next week.');
    expect(turn.calls[0]!.args).toEqual({
      sections: [
        { name: 'Open Reflection', content: 'Need to think about next week.' },
        { name: 'Emotional State', content: 'I feel anxious and stressed.' },
        { name: 'Trading Journal', content: 'Sold my AAPL shares at a loss.' },
      ],
    });
  });

  it('asks for content when asked to start an entry without any', async () => {
    const world = new FakeWorld();
    const turn = await say(world, [], 'create a journal entry');
    expect(turn.calls).toEqual([]);
    expect(turn.answer).toMatch(/What would you like to write about\?/);
  });

  it('explains a structure_journal error and does not call the tool again', async () => {
    const world = new FakeWorld();
    world.run = () => ({ error: { code: 'BAD_USER_INPUT', message: 'sections[0].name: "X" is not a section of your active template' } });
    const turn = await say(world, [], "I'm happy today");
    expect(names(turn)).toEqual(['structure_journal']);
    expect(turn.answer).toContain("I couldn't add that to your journal draft: sections[0].name");
  });
});

describe('LocalProvider: money', () => {
  it('"how much do I have?" lists each balance and a total per currency', async () => {
    const world = new FakeWorld();
    world.conversationType = 'COACHING';
    const turn = await say(world, [], 'how much do I have?');
    expect(turn.calls.map(({ name, args }) => ({ name, args }))).toEqual([{ name: 'list_accounts', args: {} }]);
    expect(turn.answer).toContain('- Checking: 1250.00 USD');
    expect(turn.answer).toContain('- Savings: 10000.50 USD');
    expect(turn.answer).toContain('- Tokyo Wallet: 98000 JPY');
    expect(turn.answer).toContain('Total in USD: 11250.50 USD');
    expect(turn.answer).toContain('Total in JPY: 98000 JPY');
  });

  it('answers "what\'s my balance" in a journaling conversation too', async () => {
    const world = new FakeWorld();
    const turn = await say(world, [], "what's my balance");
    expect(names(turn)).toEqual(['list_accounts']);
    expect(world.draft.size).toBe(0);
  });

  it('"send 50 dollars from checking to savings": reads the accounts, then proposes 5000 minor units', async () => {
    const world = new FakeWorld();
    world.conversationType = 'COACHING';
    const turn = await say(world, [], 'send 50 dollars from checking to savings');
    expect(turn.calls.map(({ name, args }) => ({ name, args }))).toEqual([
      { name: 'list_accounts', args: {} },
      { name: 'propose_transfer', args: { fromAccountId: 'acc-chk', toAccountId: 'acc-sav', amountMinor: '5000', currency: 'USD' } },
    ]);
    expect(turn.answer).toContain('50.00 USD from Checking to Savings');
    expect(turn.answer).toMatch(/confirm/);
    // Tool call ids are unique within the run.
    const ids = turn.events.flatMap((e) => (e.type === 'tool_call' ? [e.call.id] : []));
    expect(ids).toEqual(['call_1', 'call_2']);
  });

  it('uses accounts from the context without listing them again, and keeps a description', async () => {
    const world = new FakeWorld();
    world.accountsInContext = true;
    const turn = await say(world, [], 'transfer $12.34 from Savings to Checking for rent');
    expect(turn.calls.map(({ name, args }) => ({ name, args }))).toEqual([
      { name: 'propose_transfer', args: { fromAccountId: 'acc-sav', toAccountId: 'acc-chk', amountMinor: '1234', currency: 'USD', description: 'rent' } },
    ]);
  });

  it('moves yen with no minor units', async () => {
    const world = new FakeWorld();
    world.accounts.push({ id: 'acc-yen2', name: 'Yen Savings', number: '1000-0004', currency: 'JPY', balanceMinor: 0n });
    const turn = await say(world, [], 'move 1000 yen from tokyo wallet to yen savings');
    expect(turn.calls.at(-1)).toMatchObject({
      name: 'propose_transfer',
      args: { fromAccountId: 'acc-yen', toAccountId: 'acc-yen2', amountMinor: '1000', currency: 'JPY' },
    });
  });

  it('asks which account when a name matches none, without proposing anything', async () => {
    const world = new FakeWorld();
    const turn = await say(world, [], 'send 50 dollars from checking to brokerage');
    expect(names(turn)).toEqual(['list_accounts']);
    expect(turn.answer).toContain(`couldn't find an account called "brokerage"`);
    expect(world.transfers).toEqual([]);
  });

  it('refuses a currency that differs from the account currency', async () => {
    const world = new FakeWorld();
    world.accountsInContext = true;
    const turn = await say(world, [], 'send 20 euros from checking to savings');
    expect(turn.calls).toEqual([]);
    expect(turn.answer).toContain('in USD');
  });

  it('explains a refused transfer (insufficient funds) and stops', async () => {
    const world = new FakeWorld();
    world.accountsInContext = true;
    const turn = await say(world, [], 'send $5,000 from checking to savings');
    expect(names(turn)).toEqual(['propose_transfer']);
    expect(turn.calls[0]!.args.amountMinor).toBe('500000');
    expect(turn.answer).toContain("I couldn't prepare that transfer: Checking does not hold that much.");
  });

  it('"recent transactions" reads ten and lists them with signs', async () => {
    const world = new FakeWorld();
    const turn = await say(world, [], 'show my recent transactions');
    expect(turn.calls.map(({ name, args }) => ({ name, args }))).toEqual([{ name: 'recent_transactions', args: { limit: 10 } }]);
    expect(turn.answer).toContain('- 2025-03-09, Checking: -4.50 USD (Coffee)');
    expect(turn.answer).toContain('- 2025-03-01, Checking: +3000.00 USD (Salary)');
  });

  it('"what did I spend on coffee last week in Checking" filters by text, dates and account', async () => {
    const world = new FakeWorld();
    world.conversationType = 'COACHING';
    world.accountsInContext = true;
    const turn = await say(world, [], 'what did I spend on coffee last week in Checking?');
    expect(turn.calls[0]).toMatchObject({
      name: 'recent_transactions',
      args: { limit: 10, text: 'coffee', accountId: 'acc-chk', from: '2025-03-03T00:00:00.000Z', to: '2025-03-10T00:00:00.000Z' },
    });
  });

  it('"how much did I spend last month" names the month and the accounts it counts, without a table of every month', async () => {
    const world = new FakeWorld();
    world.conversationType = 'GENERAL';
    const turn = await say(world, [], 'how much did I spend last month');
    expect(turn.calls.map(({ name, args }) => ({ name, args }))).toEqual([{ name: 'monthly_summary', args: { months: 3 } }]);
    expect(turn.answer).toBe('In February 2025 you spent 980.10 USD from Checking, and received 3000.00 USD into Checking and 500.00 USD into Savings.');
  });

  it('"monthly summary for 6 months" asks for six months', async () => {
    const world = new FakeWorld();
    const turn = await say(world, [], 'monthly summary for 6 months');
    expect(turn.calls[0]!.args).toEqual({ months: 6 });
  });
});

describe('LocalProvider: streaming and everything else', () => {
  it('streams the answer one word (plus its following space) per delta, with reasoning and honest usage', async () => {
    const world = new FakeWorld();
    world.conversationType = 'GENERAL';
    const turn = await say(world, [], 'tell me a joke');
    const texts = turn.events.flatMap((e) => (e.type === 'text' ? [e.delta] : []));
    expect(texts.length).toBeGreaterThan(10);
    for (const delta of texts) expect(delta).toMatch(/^\S+\s*$/);
    expect(texts.join('')).toBe(turn.answer);
    expect(turn.answer).toMatch(/offline rule-based assistant/);
    expect(turn.events[0]).toMatchObject({ type: 'reasoning' });
    const usage = turn.events.at(-1);
    expect(usage?.type).toBe('usage');
    if (usage?.type === 'usage') {
      expect(usage.usage.completionTokens).toBe(texts.length + (turn.events[0] as { delta: string }).delta.split(/\s+/).length);
      expect(usage.usage.promptTokens).toBe(6); // "system prompt" + "tell me a joke"
      expect(usage.usage.totalTokens).toBe(usage.usage.promptTokens + usage.usage.completionTokens);
    }
  });

  it('stops mid-answer when the signal aborts, with a CANCELLED error', async () => {
    const provider = new LocalProvider({ wordDelayMs: 30 });
    const abort = new AbortController();
    const world = new FakeWorld();
    world.conversationType = 'GENERAL';
    const texts: string[] = [];
    let caught: unknown;
    setTimeout(() => abort.abort(), 100);
    const started = Date.now();
    try {
      for await (const event of provider.stream({
        messages: [{ role: 'user', content: 'hello' }],
        tools: TOOLS,
        context: world.context(),
        signal: abort.signal,
      })) {
        if (event.type === 'text') texts.push(event.delta);
      }
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ProviderError);
    expect(caught).toMatchObject({ code: 'CANCELLED', afterOutput: true });
    expect(Date.now() - started).toBeLessThan(200);
    expect(texts.length).toBeGreaterThan(0);
    expect(texts.length).toBeLessThan(10);
  });

  it('only calls the tools it is offered, and says so', async () => {
    const world = new FakeWorld();
    const turn = await say(
      world,
      [],
      'send 5 dollars from checking to savings',
      TOOLS.filter((t) => t.name !== 'propose_transfer'),
    );
    expect(names(turn)).toEqual(['list_accounts']);
    expect(turn.answer).toBe("I can't prepare that transfer in this conversation: that tool is not available here.");
  });

  it('greets and lists what it can do', async () => {
    const world = new FakeWorld();
    const turn = await say(world, [], 'hi');
    expect(turn.calls).toEqual([]);
    expect(turn.answer).toMatch(/^Hello! I'm the offline rule-based assistant/);
    expect(turn.answer).toContain('"how much do I have?"');
  });
});

describe('local rules', () => {
  it.each([
    ['$12.34', '12.34', 'USD'],
    ['50 dollars', '50', 'USD'],
    ['1000 yen', '1000', 'JPY'],
    ['EUR 20', '20', 'EUR'],
    ['€1,250.5', '1250.5', 'EUR'],
    ['send 75 to savings', '75', undefined],
  ])('finds the amount in "%s"', (text, value, currency) => {
    const found = findAmount(text);
    expect(found?.value).toBe(value);
    expect(found?.currency).toBe(currency);
  });

  it('converts amounts to minor units exactly, by the currency exponent', () => {
    expect(toMinorUnits('50', 'USD')).toEqual({ minor: '5000' });
    expect(toMinorUnits('12.34', 'USD')).toEqual({ minor: '1234' });
    expect(toMinorUnits('0.1', 'USD')).toEqual({ minor: '10' });
    expect(toMinorUnits('1000', 'JPY')).toEqual({ minor: '1000' });
    expect(toMinorUnits('1.234', 'KWD')).toEqual({ minor: '1234' });
    expect(toMinorUnits('123456789012345678.99', 'USD')).toEqual({ minor: '12345678901234567899' });
    expect(toMinorUnits('12.345', 'USD')).toEqual({ error: 'USD has only 2 decimal places' });
    expect(toMinorUnits('5.5', 'JPY')).toEqual({ error: 'JPY has no decimal places' });
    expect(formatMinor(-5n, 'USD')).toBe('-0.05');
  });

  it('matches account names loosely but refuses ambiguity', () => {
    const accounts = [
      { id: '1', name: 'Everyday Checking', currency: 'USD' },
      { id: '2', name: 'Holiday Savings', currency: 'USD' },
      { id: '3', name: 'Emergency Savings', currency: 'USD' },
    ];
    expect(matchAccount('checking', accounts)).toEqual({ account: accounts[0] });
    expect(matchAccount('my holiday savings account', accounts)).toEqual({ account: accounts[1] });
    expect(matchAccount('savings', accounts)).toEqual({ ambiguous: [accounts[1], accounts[2]] });
    expect(matchAccount('brokerage', accounts)).toEqual({ none: true });
  });

  it('strips the command from journal text', () => {
    expect(journalText("create a journal entry to say i'm sad")).toBe("I'm sad");
    expect(journalText('Also, add that i called my mom')).toBe('I called my mom');
    expect(journalText('write in my journal that I slept well')).toBe('I slept well');
    expect(journalText('That was a terrible day')).toBe('That was a terrible day');
  });

  it('chooses sections by keywords, else the first section', () => {
    expect(chooseSections('Went to the gym this morning.', DEFAULT_TEMPLATE).map((s) => s.name)).toEqual(['Daily Events']);
    expect(chooseSections('Life is strange.', DEFAULT_TEMPLATE).map((s) => s.name)).toEqual(['Open Reflection']);
    expect(chooseSections("I'm sad", TRADING_TEMPLATE).map((s) => s.name)).toEqual(['Emotional State']);
  });

  it.each([
    ['I did not save enough money this month', 'JOURNALING', 'journal'],
    ['I really need to save', 'JOURNALING', 'journal'],
    ['ok, save', 'JOURNALING', 'save_journal'],
    ['I have to pay 50 dollars to the dentist', 'JOURNALING', 'journal'],
    ['My work-life balance is off', 'JOURNALING', 'journal'],
    ['Can you send $20 to savings?', 'COACHING', 'transfer'],
    ['what did I spend', 'COACHING', 'transactions'],
    ['hello', 'GENERAL', 'greeting'],
    ['no', 'JOURNALING', 'decline_save'],
  ] as const)('reads "%s" (%s) as %s', (text, type, kind) => {
    expect(detectIntent(text, type).kind).toBe(kind);
  });
});
