import { randomUUID } from 'node:crypto';
import { AccountDocument, LoginDocument, OpenAccountDocument, RecordDepositDocument, type AccountFieldsFragment } from '../generated/graphql.js';
import type { Gateway } from '../helpers/server.js';

export const OPERATOR_ENV = { OPERATOR_USERNAME: 'op', OPERATOR_PASSWORD: 'operator-password-9' } as const;

/** Signs in the operator configured by OPERATOR_ENV; returns its access token. */
export async function loginOperator(server: Gateway): Promise<string> {
  const data = await server.ok(LoginDocument, {
    input: { username: OPERATOR_ENV.OPERATOR_USERNAME, password: OPERATOR_ENV.OPERATOR_PASSWORD },
  });
  return data.login.accessToken;
}

export async function openAccount(
  server: Gateway,
  token: string,
  currency = 'USD',
  name = `Account ${randomUUID().slice(0, 8)}`,
): Promise<AccountFieldsFragment> {
  return (await server.ok(OpenAccountDocument, { input: { name, currency } }, { token })).openAccount;
}

export async function deposit(
  server: Gateway,
  operatorToken: string,
  accountId: string,
  amountMinor: bigint | number | string,
  currency = 'USD',
): Promise<void> {
  await server.ok(
    RecordDepositDocument,
    { input: { accountId, amountMinor: String(amountMinor), currency, idempotencyKey: randomUUID() } },
    { token: operatorToken },
  );
}

/** A fresh idempotency key. */
export const key = (): string => randomUUID();

/** An account's balance in minor units, as its owner reads it. */
export async function balanceOf(server: Gateway, token: string, accountId: string): Promise<string> {
  return (await server.ok(AccountDocument, { id: accountId }, { token })).account.balance.minor;
}
