import { badUserInput } from '../../../shared/errors.js';
import { money } from '../../../shared/money.js';
import { CardPaymentStatus } from '../../cards/card-payment.entity.js';
import type { CardPaymentView } from '../../cards/card.types.js';
import { SpendingCategory } from '../../cards/mcc.rules.js';
import type { Tool } from './tool.js';

const UUID = { type: 'string', pattern: '^[0-9a-fA-F-]{36}$' };
const DATE = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}' };
const PAGE = 100;
/** A period longer than this is refused: the tool reads every payment in it, month by month. */
const MAX_MONTHS = 24;
const LARGEST = 5;

const listCards: Tool = {
  money: true,
  definition: {
    name: 'list_cards',
    description:
      "Lists the user's payment cards: id, label, last four digits, kind, status, account and monthly limit. No card number is ever available. To freeze a card the user confirms it with the freezeCard mutation; this assistant cannot freeze one.",
    parameters: { type: 'object', properties: {}, additionalProperties: false },
  },
  async execute(_args, { services, auth }) {
    const [cards, accounts] = await Promise.all([services.cards.list(auth), services.accounts.list(auth)]);
    const accountOf = (id: string) => accounts.find((a) => a.id === id);
    return {
      cards: cards.map((c) => {
        const account = accountOf(c.accountId);
        return {
          id: c.id,
          label: c.label,
          last4: c.last4,
          kind: c.kind,
          status: c.status,
          accountId: c.accountId,
          accountName: account?.name ?? null,
          expiry: `${String(c.expiryMonth).padStart(2, '0')}/${c.expiryYear}`,
          monthlyLimit: c.monthlyLimit !== null && account ? money(c.monthlyLimit, account.currency).decimal : null,
        };
      }),
    };
  },
};

const cardSpending: Tool = {
  money: true,
  definition: {
    name: 'card_spending',
    description:
      'Approved card spending in a period (ISO dates, `from` inclusive, `to` exclusive; default: this month so far), grouped by spending category or by merchant, optionally for one category, merchants whose name contains a text, or one account. Returns totals per currency, the groups (largest first), the largest payments and how many payments were declined.',
    parameters: {
      type: 'object',
      properties: {
        from: DATE,
        to: DATE,
        category: { type: 'string', enum: Object.values(SpendingCategory) },
        merchant: { type: 'string', minLength: 1, maxLength: 200 },
        accountId: UUID,
        groupBy: { type: 'string', enum: ['category', 'merchant'] },
      },
      additionalProperties: false,
    },
  },
  async execute(args, { services, auth, deps }) {
    const now = deps.clock.now();
    const from = typeof args.from === 'string' ? new Date(args.from) : new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
    const to = typeof args.to === 'string' ? new Date(args.to) : now;
    if (Number.isNaN(from.getTime())) throw badUserInput([{ field: 'from', message: 'is not a date' }]);
    if (Number.isNaN(to.getTime())) throw badUserInput([{ field: 'to', message: 'is not a date' }]);
    if (to <= from) throw badUserInput([{ field: 'to', message: 'must be after from' }]);
    const months = monthsBetween(from, to);
    if (months.length > MAX_MONTHS) throw badUserInput([{ field: 'from', message: `the period may span at most ${MAX_MONTHS} months` }]);

    const category = typeof args.category === 'string' ? (args.category as SpendingCategory) : undefined;
    const accountId = typeof args.accountId === 'string' ? args.accountId : undefined;
    const merchant = typeof args.merchant === 'string' ? args.merchant.toLowerCase() : undefined;
    const payments: CardPaymentView[] = [];
    for (const month of months) {
      let after: string | null = null;
      do {
        const page = await services.cards.payments(auth, { accountId, category, month, first: PAGE, after });
        payments.push(...page.edges.map((e) => e.node));
        after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      } while (after !== null);
    }
    const inPeriod = payments.filter((p) => p.createdAt >= from && p.createdAt < to && (merchant === undefined || p.merchant.toLowerCase().includes(merchant)));
    const groupBy = args.groupBy === 'merchant' ? 'merchant' : 'category';
    return {
      from: from.toISOString(),
      to: to.toISOString(),
      ...(category ? { category } : {}),
      ...(typeof args.merchant === 'string' ? { merchant: args.merchant } : {}),
      groupBy,
      ...summarizeSpending(inPeriod, groupBy),
    };
  },
};

/** Approved payments added up per currency and per group; declines only counted (they moved no money). */
export function summarizeSpending(payments: CardPaymentView[], groupBy: 'category' | 'merchant'): Record<string, unknown> {
  const approved = payments.filter((p) => p.status === CardPaymentStatus.APPROVED);
  const add = (into: Map<string, { key: string; currency: string; minor: bigint; count: number }>, key: string, p: CardPaymentView) => {
    const id = `${key}\u0000${p.amount.currency}`;
    const sum = into.get(id) ?? { key, currency: p.amount.currency, minor: 0n, count: 0 };
    sum.minor += p.amount.minor;
    sum.count += 1;
    into.set(id, sum);
  };
  const totals = new Map<string, { key: string; currency: string; minor: bigint; count: number }>();
  const groups = new Map<string, { key: string; currency: string; minor: bigint; count: number }>();
  for (const p of approved) {
    add(totals, '', p);
    add(groups, groupBy === 'category' ? p.category : p.merchant, p);
  }
  const byAmount = <T extends { minor: bigint }>(a: T, b: T) => (a.minor === b.minor ? 0 : a.minor > b.minor ? -1 : 1);
  return {
    totals: [...totals.values()].sort(byAmount).map((t) => ({
      currency: t.currency,
      spent: money(t.minor, t.currency).decimal,
      spentMinor: t.minor.toString(),
      payments: t.count,
    })),
    groups: [...groups.values()].sort(byAmount).map((g) => ({
      [groupBy]: g.key,
      currency: g.currency,
      spent: money(g.minor, g.currency).decimal,
      spentMinor: g.minor.toString(),
      payments: g.count,
    })),
    largest: [...approved]
      .sort((a, b) => byAmount(a.amount, b.amount))
      .slice(0, LARGEST)
      .map((p) => ({
        date: p.createdAt.toISOString().slice(0, 10),
        merchant: p.merchant,
        category: p.category,
        amount: p.amount.decimal,
        currency: p.amount.currency,
      })),
    declined: payments.length - approved.length,
  };
}

/** The 'YYYY-MM' months that [from, to) touches, oldest first. */
function monthsBetween(from: Date, to: Date): string[] {
  const months: string[] = [];
  const last = new Date(to.getTime() - 1);
  for (let y = from.getUTCFullYear(), m = from.getUTCMonth(); y < last.getUTCFullYear() || (y === last.getUTCFullYear() && m <= last.getUTCMonth());) {
    months.push(`${y}-${String(m + 1).padStart(2, '0')}`);
    if (months.length > MAX_MONTHS) break;
    m += 1;
    if (m === 12) {
      m = 0;
      y += 1;
    }
  }
  return months;
}

export const CARD_TOOLS: Tool[] = [listCards, cardSpending];
