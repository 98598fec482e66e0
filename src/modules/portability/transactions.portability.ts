import type { ManualTransactionDoc } from '../budget/manual-document.service.js';
import { SpendingCategory } from '../cards/mcc.rules.js';
import type { LinkedAccountDoc } from '../linking/linking-document.service.js';
import { LinkedAccountKind } from '../linking/linking.enums.js';
import type { CategorizationRuleDoc } from '../transactions/rules-document.service.js';
import { TransactionDirection } from '../transactions/transaction.enums.js';
import {
  DAY,
  TIMESTAMP,
  bool,
  currencyCode,
  day,
  Invalid,
  list,
  minorSchema,
  minorUnits,
  nullable,
  oneOf,
  record,
  text,
  timestamp,
} from './document-schema.js';

/* The document's transactions beyond the ledger (optional on import): manual ones, categorization rules, linked accounts' transactions. */

export interface TransactionsDoc {
  manual: ManualTransactionDoc[];
  rules: CategorizationRuleDoc[];
  linkedAccounts: LinkedAccountDoc[];
}

const MAX = { manual: 100_000, rules: 10_000, linkedAccounts: 100, linkedTransactions: 100_000 } as const;
const AMOUNT_HINT = 'must be a whole number of minor units from 1 to 10^15, as a string';
const amount = minorSchema(AMOUNT_HINT);
const category = oneOf(SpendingCategory);
const direction = oneOf(TransactionDirection);
const jarName = nullable(text(100, 1));

export const transactionsSchema = record(
  {
    manual: list(
      record({
        direction,
        amountMinor: amount,
        currency: text(3, 3),
        description: text(200, 1),
        category,
        occurredOn: DAY,
        jar: jarName,
        createdAt: TIMESTAMP,
      }),
      MAX.manual,
    ),
    rules: list(record({ accountNumber: nullable(text(64, 1)), merchant: nullable(text(200, 1)), category, createdAt: TIMESTAMP }), MAX.rules),
    linkedAccounts: list(
      record({
        institution: text(100, 1),
        institutionName: text(200, 1),
        name: text(200, 1),
        mask: nullable(text(16)),
        kind: oneOf(LinkedAccountKind),
        currency: text(3, 3),
        balanceMinor: { type: ['string', 'null'], pattern: '^-?(0|[1-9]\\d{0,15})$', hint: 'must be null or a whole number of minor units, as a string' },
        transactions: list(
          record({
            bankId: text(200, 1),
            direction,
            amountMinor: amount,
            currency: text(3, 3),
            description: text(500, 1),
            merchant: nullable(text(200)),
            category,
            occurredOn: DAY,
            pending: bool,
            createdAt: TIMESTAMP,
            edit: nullable(record({ category: nullable(category), jar: jarName })),
          }),
          MAX.linkedTransactions,
        ),
      }),
      MAX.linkedAccounts,
    ),
  },
  ['manual', 'rules', 'linkedAccounts'],
);

export function checkTransactions(doc: Partial<TransactionsDoc> | undefined): TransactionsDoc {
  const manual = (doc?.manual ?? []).map((m, i) => {
    const at = `transactions.manual[${i}]`;
    minorUnits(m.amountMinor, `${at}.amountMinor`, AMOUNT_HINT);
    return {
      ...m,
      description: m.description.trim(),
      currency: currencyCode(m.currency, `${at}.currency`),
      occurredOn: day(m.occurredOn, `${at}.occurredOn`),
      createdAt: timestamp(m.createdAt, `${at}.createdAt`),
    };
  });
  const rules = (doc?.rules ?? []).map((r, i) => {
    if ((r.accountNumber === null) === (r.merchant === null)) throw new Invalid(`transactions.rules[${i}]`, 'must name either an accountNumber or a merchant');
    return { ...r, createdAt: timestamp(r.createdAt, `transactions.rules[${i}].createdAt`) };
  });
  const linkedAccounts = (doc?.linkedAccounts ?? []).map((a, i) => ({
    ...a,
    currency: currencyCode(a.currency, `transactions.linkedAccounts[${i}].currency`),
    transactions: a.transactions.map((t, j) => {
      const at = `transactions.linkedAccounts[${i}].transactions[${j}]`;
      minorUnits(t.amountMinor, `${at}.amountMinor`, AMOUNT_HINT);
      return {
        ...t,
        currency: currencyCode(t.currency, `${at}.currency`),
        occurredOn: day(t.occurredOn, `${at}.occurredOn`),
        createdAt: timestamp(t.createdAt, `${at}.createdAt`),
      };
    }),
  }));
  return { manual, rules, linkedAccounts };
}
