import { money } from '../../../shared/money.js';
import type { AccountView } from '../../accounts/account.types.js';
import type { AuthInfo } from '../../auth/auth.types.js';
import type { TransferRequest } from '../../transfers/transfer.inputs.js';
import type { Tool, ToolContext, ToolServices } from './tool.js';

const UUID = { type: 'string', pattern: '^[0-9a-fA-F-]{36}$' };
const HISTORY_PER_ACCOUNT = 100;

async function accountsFor(services: ToolServices, auth: AuthInfo, accountId: unknown): Promise<AccountView[]> {
  return typeof accountId === 'string' ? [await services.accounts.get(auth, accountId)] : services.accounts.list(auth);
}

const listAccounts: Tool = {
  money: true,
  definition: {
    name: 'list_accounts',
    description: "Lists the user's accounts with their exact balances.",
    parameters: { type: 'object', properties: {}, additionalProperties: false },
  },
  async execute(_args, { services, auth }) {
    const accounts = await services.accounts.list(auth);
    return {
      accounts: accounts.map((a) => ({
        id: a.id,
        name: a.name,
        number: a.number,
        currency: a.currency,
        status: a.status,
        balance: money(a.balance, a.currency).decimal,
        balanceMinor: a.balance.toString(),
      })),
    };
  },
};

const recentTransactions: Tool = {
  money: true,
  definition: {
    name: 'recent_transactions',
    description: "The user's most recent ledger entries, newest first, optionally for one account, a date range (ISO dates) or text in the description.",
    parameters: {
      type: 'object',
      properties: {
        accountId: UUID,
        from: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}' },
        to: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}' },
        text: { type: 'string', maxLength: 200 },
        limit: { type: 'integer', minimum: 1, maximum: 50 },
      },
      additionalProperties: false,
    },
  },
  async execute(args, { services, auth }) {
    const accounts = await accountsFor(services, auth, args.accountId);
    const from = typeof args.from === 'string' ? new Date(args.from) : undefined;
    const to = typeof args.to === 'string' ? new Date(args.to) : undefined;
    const text = typeof args.text === 'string' ? args.text.toLowerCase() : undefined;
    const rows = [];
    for (const account of accounts) {
      const page = await services.ledger.entries(auth, account, HISTORY_PER_ACCOUNT, null);
      for (const { node } of page.edges) {
        if (from && node.postedAt < from) continue;
        if (to && node.postedAt >= to) continue;
        if (text && !(node.description ?? '').toLowerCase().includes(text)) continue;
        rows.push({ account, entry: node });
      }
    }
    rows.sort((a, b) => b.entry.postedAt.getTime() - a.entry.postedAt.getTime());
    const limit = typeof args.limit === 'number' ? args.limit : 10;
    return {
      entries: rows.slice(0, limit).map(({ account, entry }) => ({
        postedAt: entry.postedAt.toISOString(),
        direction: entry.direction,
        amount: entry.amount.decimal,
        currency: entry.amount.currency,
        description: entry.description,
        accountName: account.name,
        balanceAfter: entry.balanceAfter.decimal,
      })),
    };
  },
};

const monthlySummary: Tool = {
  money: true,
  definition: {
    name: 'monthly_summary',
    description: 'Credits and debits per month for the last few months, per account (or one account).',
    parameters: {
      type: 'object',
      properties: { accountId: UUID, months: { type: 'integer', minimum: 1, maximum: 12 } },
      additionalProperties: false,
    },
  },
  async execute(args, { services, auth, deps }) {
    const accounts = await accountsFor(services, auth, args.accountId);
    const count = typeof args.months === 'number' ? args.months : 3;
    const now = deps.clock.now();
    const months: Array<Record<string, unknown>> = [];
    for (let back = count - 1; back >= 0; back--) {
      const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1));
      const month = `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
      for (const account of accounts) {
        const s = await services.ledger.statement(auth, account, month);
        months.push({
          month,
          accountName: account.name,
          currency: account.currency,
          credits: s.totalCredits.decimal,
          debits: s.totalDebits.decimal,
          opening: s.openingBalance.decimal,
          closing: s.closingBalance.decimal,
          entryCount: s.entryCount,
        });
      }
    }
    return { months };
  },
};

const proposeTransfer: Tool = {
  money: true,
  definition: {
    name: 'propose_transfer',
    description:
      'Prepares a transfer that the user must confirm before any money moves (it expires if not confirmed). amountMinor is a positive integer count of minor units as a string (1 to 1000000000000000), e.g. "5000" for 50.00 USD; never guess a sign or a currency: ask the user. Give toAccountId for the user\'s own account or toAccountNumber for someone else\'s.',
    parameters: {
      type: 'object',
      properties: {
        fromAccountId: UUID,
        toAccountId: UUID,
        toAccountNumber: { type: 'string', minLength: 1, maxLength: 64 },
        // Greater than zero, at most 16 digits (the service caps it at 10^15): a model cannot send a sign or a zero.
        amountMinor: { type: 'string', pattern: '^[1-9][0-9]{0,15}$' },
        currency: { type: 'string', pattern: '^[A-Z]{3}$' },
        description: { type: 'string', maxLength: 500 },
      },
      required: ['fromAccountId', 'amountMinor', 'currency'],
      additionalProperties: false,
    },
  },
  execute(args, { services, auth, writer }) {
    return proposeAndReport(
      { services, auth, writer },
      {
        fromAccountId: args.fromAccountId as string,
        toAccountId: (args.toAccountId as string | undefined) ?? null,
        toAccountNumber: (args.toAccountNumber as string | undefined) ?? null,
        amountMinor: BigInt(args.amountMinor as string),
        currency: args.currency as string,
        description: (args.description as string | undefined) ?? null,
      },
    );
  },
};

/** The agent's one way toward moving money: a PENDING_CONFIRMATION transfer, announced as TransferProposed, that only the user's confirmTransfer posts. */
export async function proposeAndReport(
  { services, auth, writer }: Pick<ToolContext, 'services' | 'auth' | 'writer'>,
  request: TransferRequest,
): Promise<Record<string, unknown>> {
  const transfer = await services.transfers.propose(auth, request);
  writer.emit('TransferProposed', { transfer: await services.transferQueries.snapshot(auth, transfer.id) });
  const accounts = await services.accounts.list(auth);
  const nameOf = (id: string) => accounts.find((a) => a.id === id)?.name;
  return {
    transferId: transfer.id,
    status: transfer.status,
    amount: transfer.amount.decimal,
    currency: transfer.amount.currency,
    from: nameOf(transfer.fromAccountId) ?? transfer.fromAccountNumber,
    to: nameOf(transfer.toAccountId) ?? transfer.toAccountNumber,
    expiresAt: transfer.expiresAt?.toISOString() ?? null,
  };
}

export const MONEY_TOOLS: Tool[] = [listAccounts, recentTransactions, monthlySummary, proposeTransfer];
