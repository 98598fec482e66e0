import { SpendingCategory } from '../../cards/mcc.rules.js';
import { TransactionDirection, TransactionSource } from '../../transactions/transaction.enums.js';
import type { TransactionView } from '../../transactions/transaction.types.js';
import type { Tool } from './tool.js';

const UUID = { type: 'string', pattern: '^[0-9a-fA-F-]{36}$' };
const MONTH = { type: 'string', pattern: '^\\d{4}-\\d{2}$' };
const DAY = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' };

const row = (t: TransactionView) => ({
  id: t.id,
  source: t.source,
  direction: t.direction,
  amount: t.amount.decimal,
  currency: t.amount.currency,
  description: t.description,
  category: t.category,
  occurredOn: t.occurredOn,
  pending: t.pending,
  jarId: t.jarId,
});

const listTransactions: Tool = {
  money: true,
  definition: {
    name: 'list_transactions',
    description:
      "The user's transactions from every source, newest first: card payments (CARD), transfers to and from other people (TRANSFER), cash and other entries made by hand (MANUAL) and transactions at linked banks (LINKED). Optionally one month (YYYY-MM), source, category or a text in the description. Returns up to `first` (default 20, at most 100) and the total.",
    parameters: {
      type: 'object',
      properties: {
        month: MONTH,
        source: { type: 'string', enum: Object.values(TransactionSource) },
        category: { type: 'string', enum: Object.values(SpendingCategory) },
        search: { type: 'string', minLength: 1, maxLength: 100 },
        first: { type: 'integer', minimum: 1, maximum: 100 },
      },
      additionalProperties: false,
    },
  },
  async execute(args, { services, auth }) {
    const filter = {
      month: args.month as string | undefined,
      source: args.source as TransactionSource | undefined,
      category: args.category as SpendingCategory | undefined,
      search: args.search as string | undefined,
    };
    const page = await services.transactionFeed.page(auth, filter, (args.first as number | undefined) ?? 20, null);
    return { total: page.totalCount, transactions: page.edges.map((e) => row(e.node)) };
  },
};

const recordCashSpending: Tool = {
  money: true,
  definition: {
    name: 'record_cash_spending',
    description:
      'Records money the user spent (or received) outside the accounts the gateway sees, e.g. cash, as a MANUAL transaction in the budget currency. Only when the user says so in so many words; tell them it was recorded and how to change or delete it.',
    parameters: {
      type: 'object',
      properties: {
        amountMinor: { type: 'string', pattern: '^[1-9]\\d{0,15}$', description: 'Minor units, e.g. "1200" for 12.00.' },
        currency: { type: 'string', pattern: '^[A-Za-z]{3}$' },
        description: { type: 'string', minLength: 1, maxLength: 200 },
        category: { type: 'string', enum: Object.values(SpendingCategory) },
        occurredOn: DAY,
        direction: { type: 'string', enum: Object.values(TransactionDirection) },
      },
      required: ['amountMinor', 'description', 'category'],
      additionalProperties: false,
    },
  },
  async execute(args, { services, auth }) {
    const currency = (args.currency as string | undefined) ?? (await services.budget.budget(auth)).currency;
    // Today in the user's time zone, by the gateway's clock.
    const occurredOn = (args.occurredOn as string | undefined) ?? (await services.plans.calendar(auth)).today;
    const tx = await services.manualTransactions.record(auth, {
      amountMinor: BigInt(args.amountMinor as string),
      currency,
      description: args.description as string,
      category: args.category as SpendingCategory,
      occurredOn,
      direction: (args.direction as TransactionDirection | undefined) ?? TransactionDirection.OUT,
    });
    return {
      recorded: row(tx),
      note: 'Recorded as a manual transaction: the user can change or delete it (updateManualTransaction, deleteManualTransaction).',
    };
  },
};

const categorizeTransaction: Tool = {
  money: true,
  definition: {
    name: 'categorize_transaction',
    description:
      "Puts one of the user's transactions (not a card payment: its category is the merchant's) in a spending category; with rememberForCounterparty, later transactions with the same counterparty get it too. Only when the user asks.",
    parameters: {
      type: 'object',
      properties: { id: UUID, category: { type: 'string', enum: Object.values(SpendingCategory) }, rememberForCounterparty: { type: 'boolean' } },
      required: ['id', 'category'],
      additionalProperties: false,
    },
  },
  async execute(args, { services, auth }) {
    const tx = await services.transactionEdits.categorize(auth, args.id as string, {
      category: args.category as SpendingCategory,
      rememberForCounterparty: args.rememberForCounterparty === true,
    });
    return { transaction: row(tx) };
  },
};

const listLinkedAccounts: Tool = {
  money: true,
  definition: {
    name: 'list_linked_accounts',
    description:
      "The user's accounts at other banks, linked through the aggregator (read-only): bank, name, last digits, currency, balance as last reported, status (ACTIVE, LOGIN_REQUIRED, DISCONNECTED) and when it last synced.",
    parameters: { type: 'object', properties: {}, additionalProperties: false },
  },
  async execute(_args, { services, auth }) {
    const accounts = await services.linking.list(auth);
    return {
      linkedAccounts: accounts.map((a) => ({
        id: a.id,
        bank: a.institution.name,
        name: a.name,
        mask: a.mask,
        currency: a.currency,
        balance: a.balance?.decimal ?? null,
        status: a.status,
        lastSyncedAt: a.lastSyncedAt?.toISOString() ?? null,
      })),
    };
  },
};

const syncLinkedAccounts: Tool = {
  money: true,
  definition: {
    name: 'sync_linked_accounts',
    description:
      "Asks the aggregator now for what changed at each of the user's linked (ACTIVE) accounts; returns what each sync added, changed and removed, or why it could not (e.g. the bank wants the user to sign in again).",
    parameters: { type: 'object', properties: {}, additionalProperties: false },
  },
  async execute(_args, { services, auth }) {
    const results = [];
    for (const account of (await services.linking.list(auth)).filter((a) => a.status === 'ACTIVE')) {
      try {
        const r = await services.linking.syncNow(auth, account.id);
        results.push({ id: account.id, name: account.name, added: r.added, modified: r.modified, removed: r.removed });
      } catch (error) {
        results.push({ id: account.id, name: account.name, error: (error as { code?: string }).code ?? 'FAILED' });
      }
    }
    return { synced: results };
  },
};

export const TRANSACTION_READ_TOOLS: Tool[] = [listTransactions, listLinkedAccounts];
export const TRANSACTION_TOOLS: Tool[] = [...TRANSACTION_READ_TOOLS, recordCashSpending, categorizeTransaction, syncLinkedAccounts];
