import { randomBytes, randomUUID } from 'node:crypto';
import { OPERATOR } from './gateway.js';

export interface GqlResponse<T> {
  data?: T | null;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

export async function gql<T = Record<string, any>>(url: string, query: string, variables?: Record<string, unknown>, token?: string): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as GqlResponse<T>;
  if (body.errors?.length || !body.data) {
    throw new Error(`GraphQL ${res.status}: ${JSON.stringify(body.errors ?? body).slice(0, 300)}`);
  }
  return body.data;
}

export interface BenchUser {
  id: string;
  username: string;
  token: string;
}

export async function registerUser(url: string, prefix = 'bench'): Promise<BenchUser> {
  const username = `${prefix}_${randomBytes(5).toString('hex')}`;
  const data = await gql<{ register: { accessToken: string; user: { id: string } } }>(
    url,
    `mutation ($input: RegisterInput!) { register(input: $input) { accessToken user { id } } }`,
    { input: { username, email: `${username}@example.com`, password: `password-${username}` } },
  );
  return { id: data.register.user.id, username, token: data.register.accessToken };
}

/** Opens an account and funds it through the operator's recordDeposit. */
export async function fundedAccount(
  url: string,
  user: BenchUser,
  operatorToken: string,
  amountMinor: bigint | number,
  name?: string,
): Promise<{ id: string; number: string }> {
  const { openAccount } = await gql<{ openAccount: { id: string; number: string } }>(
    url,
    `mutation ($input: OpenAccountInput!) { openAccount(input: $input) { id number } }`,
    { input: { name: name ?? `Account ${randomUUID().slice(0, 8)}`, currency: 'USD' } },
    user.token,
  );
  if (BigInt(amountMinor) > 0n) {
    await gql(
      url,
      `mutation ($input: DepositInput!) { recordDeposit(input: $input) { id } }`,
      { input: { accountId: openAccount.id, amountMinor: String(amountMinor), currency: 'USD', idempotencyKey: randomUUID() } },
      operatorToken,
    );
  }
  return openAccount;
}

export async function loginOperator(url: string): Promise<string> {
  const data = await gql<{ login: { accessToken: string } }>(url, `mutation ($input: LoginInput!) { login(input: $input) { accessToken } }`, {
    input: { username: OPERATOR.username, password: OPERATOR.password },
  });
  return data.login.accessToken;
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function inBatches<T, R>(items: T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}
