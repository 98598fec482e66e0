import { expect } from 'vitest';
import {
  CreateJarDocument,
  IssueCardDocument,
  RecordCardPaymentDocument,
  SetMonthlyIncomeDocument,
  type CardPaymentFieldsFragment,
  type JarFieldsFragment,
  type SpendingCategory,
} from '../generated/graphql.js';
import type { Gateway } from '../helpers/server.js';
import { deposit, key, openAccount } from './ledger.js';

/** MCCs of the categories the budget tests use. */
export const MCC = { GROCERIES: '5411', DINING: '5812', TRANSPORT: '4111', SUBSCRIPTIONS: '4899', HOUSING: '6513' } as const;

/** A funded account and a card on it, for `token`'s user: the card's id. */
export async function fundedCard(server: Gateway, op: string, token: string, currency = 'USD', funds = 100_000_000): Promise<string> {
  return (await fundedAccount(server, op, token, currency, funds)).cardId;
}

export async function fundedAccount(
  server: Gateway,
  op: string,
  token: string,
  currency = 'USD',
  funds = 100_000_000,
): Promise<{ accountId: string; cardId: string }> {
  const account = await openAccount(server, token, currency);
  await deposit(server, op, account.id, funds, currency);
  const card = (await server.ok(IssueCardDocument, { input: { accountId: account.id, kind: 'VIRTUAL' } }, { token })).issueCard;
  return { accountId: account.id, cardId: card.id };
}

/** An approved card payment, recorded by the network (operator). */
export async function spend(
  server: Gateway,
  op: string,
  cardId: string,
  amountMinor: bigint | number,
  mcc: string,
  currency = 'USD',
): Promise<CardPaymentFieldsFragment> {
  const r = await server.gql(
    RecordCardPaymentDocument,
    { input: { cardId, merchant: `Shop ${mcc}`, merchantCategoryCode: mcc, amountMinor: String(amountMinor), currency, idempotencyKey: key() } },
    { token: op },
  );
  expect(r.errors).toBeUndefined();
  expect(r.data!.recordCardPayment.status).toBe('APPROVED');
  return r.data!.recordCardPayment;
}

export async function setIncome(server: Gateway, token: string, amountMinor: bigint | number, currency = 'USD'): Promise<void> {
  await server.ok(SetMonthlyIncomeDocument, { input: { amountMinor: String(amountMinor), currency } }, { token });
}

export async function createJar(
  server: Gateway,
  token: string,
  name: string,
  allocationBasisPoints: number,
  categories: SpendingCategory[] = [],
): Promise<JarFieldsFragment> {
  return (await server.ok(CreateJarDocument, { input: { name, allocationBasisPoints, categories } }, { token })).createJar;
}
