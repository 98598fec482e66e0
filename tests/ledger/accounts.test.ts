import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AccountDocument,
  AccountsDocument,
  CloseAccountDocument,
  CreateTransferDocument,
  OpenAccountDocument,
  RecordDepositDocument,
  RenameAccountDocument,
  StatementDocument,
} from '../generated/graphql.js';
import { deposit, key, loginOperator, openAccount, OPERATOR_ENV } from '../factories/ledger.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { TestClock } from '../helpers/clock.js';
import { ledgerSnapshot, ledgerViolations } from '../helpers/ledger.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { codeOf } from '../helpers/errors.js';

const clock = new TestClock();
let server: TestServer;
let op: string;
let user: TestUser;
beforeAll(async () => {
  server = await startTestServer({ env: { ...OPERATOR_ENV }, clock });
  op = await loginOperator(server);
  user = await registerUser(server);
});
afterAll(() => server?.stop());

describe('opening and managing accounts', () => {
  it("opens an account with a zero balance and a check-digit number, listed among the caller's accounts", async () => {
    const account = await openAccount(server, user.token, 'USD', 'Everyday');
    expect(account).toMatchObject({ name: 'Everyday', currency: 'USD', status: 'OPEN', balance: { minor: '0', currency: 'USD', decimal: '0.00' } });
    expect(account.number).toMatch(/^CG\d{12}$/);
    expect(BigInt(account.number.slice(2)) % 97n).toBe(1n);
    const list = await server.ok(AccountsDocument, {}, { token: user.token });
    expect(list.accounts.map((a) => a.id)).toContain(account.id);
  });

  it('refuses a name that is empty or over 100 characters, and a currency that is not ISO 4217', async () => {
    for (const input of [
      { name: '', currency: 'USD' },
      { name: '   ', currency: 'USD' },
      { name: 'x'.repeat(101), currency: 'USD' },
      { name: 'Bad', currency: 'XYZ' },
      { name: 'Bad', currency: 'US' },
    ]) {
      const res = await server.gql(OpenAccountDocument, { input }, { token: user.token });
      expect(codeOf(res), JSON.stringify(input)).toBe('BAD_USER_INPUT');
    }
  });

  it('renames an account and closes it only at zero balance', async () => {
    const account = await openAccount(server, user.token);
    const renamed = await server.ok(RenameAccountDocument, { id: account.id, name: 'Holidays' }, { token: user.token });
    expect(renamed.renameAccount.name).toBe('Holidays');
    await deposit(server, op, account.id, 500);
    expect(codeOf(await server.gql(CloseAccountDocument, { id: account.id }, { token: user.token }))).toBe('ACCOUNT_NOT_EMPTY');
    const other = await openAccount(server, user.token);
    await server.ok(
      CreateTransferDocument,
      {
        input: { fromAccountId: account.id, toAccountId: other.id, amountMinor: '500', currency: 'USD', idempotencyKey: key() },
      },
      { token: user.token },
    );
    const closed = await server.ok(CloseAccountDocument, { id: account.id }, { token: user.token });
    expect(closed.closeAccount).toMatchObject({ status: 'CLOSED', balance: { minor: '0' } });
  });

  it('catches a mistyped account number as BAD_USER_INPUT before looking anyone up', async () => {
    const from = await openAccount(server, user.token);
    await deposit(server, op, from.id, 1000);
    const stranger = await registerUser(server);
    const to = await openAccount(server, stranger.token);
    const digits = to.number.slice(2);
    const oneDigitOff = `CG${digits.slice(0, 4)}${(Number(digits[4]) + 1) % 10}${digits.slice(5)}`;
    const firstDiffering = [...digits].findIndex((d, i) => i < digits.length - 1 && d !== digits[i + 1]);
    const swapped = `CG${digits.slice(0, firstDiffering)}${digits[firstDiffering + 1]}${digits[firstDiffering]}${digits.slice(firstDiffering + 2)}`;
    const before = await ledgerSnapshot(server.app);
    for (const number of [oneDigitOff, swapped, 'CG123', 'not a number']) {
      const res = await server.gql(
        CreateTransferDocument,
        {
          input: { fromAccountId: from.id, toAccountNumber: number, amountMinor: '100', currency: 'USD', idempotencyKey: key() },
        },
        { token: user.token },
      );
      expect(codeOf(res), number).toBe('BAD_USER_INPUT');
    }
    expect(await ledgerSnapshot(server.app)).toEqual(before);
    // The number as people type it (spaces, lower case) is still the number.
    const spaced = `cg ${digits.slice(0, 4)} ${digits.slice(4, 8)} ${digits.slice(8)}`;
    const ok = await server.ok(
      CreateTransferDocument,
      {
        input: { fromAccountId: from.id, toAccountNumber: spaced, amountMinor: '100', currency: 'USD', idempotencyKey: key() },
      },
      { token: user.token },
    );
    expect(ok.createTransfer).toMatchObject({ status: 'POSTED', toAccountNumber: to.number });
  });
});

describe('refusing bad transfers with their own codes and writing nothing', () => {
  it('answers each bad request with its code and leaves the ledger unchanged', async () => {
    const from = await openAccount(server, user.token, 'USD');
    const to = await openAccount(server, user.token, 'USD');
    const euros = await openAccount(server, user.token, 'EUR');
    const closed = await openAccount(server, user.token, 'USD');
    await server.ok(CloseAccountDocument, { id: closed.id }, { token: user.token });
    await deposit(server, op, from.id, 10_000);
    await deposit(server, op, euros.id, 10_000, 'EUR');
    const base = { fromAccountId: from.id, toAccountId: to.id, amountMinor: '100', currency: 'USD' };
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['amount 0', { ...base, amountMinor: '0' }, 'BAD_USER_INPUT'],
      ['a negative amount', { ...base, amountMinor: '-100' }, 'BAD_USER_INPUT'],
      ['an amount above 2^63-1', { ...base, amountMinor: '9223372036854775808' }, 'BAD_USER_INPUT'],
      ['a float-looking string', { ...base, amountMinor: '1.50' }, 'BAD_USER_INPUT'],
      ['a float number', { ...base, amountMinor: 1.5 }, 'BAD_USER_INPUT'],
      ['an exponent', { ...base, amountMinor: '1e3' }, 'BAD_USER_INPUT'],
      ['a currency that does not exist', { ...base, currency: 'ZZZ' }, 'BAD_USER_INPUT'],
      ['the wrong currency for the accounts', { ...base, currency: 'EUR' }, 'CURRENCY_MISMATCH'],
      ['accounts in different currencies', { ...base, fromAccountId: euros.id, currency: 'EUR' }, 'CURRENCY_MISMATCH'],
      ['a closed destination', { ...base, toAccountId: closed.id }, 'ACCOUNT_CLOSED'],
      ['a closed source', { ...base, fromAccountId: closed.id }, 'ACCOUNT_CLOSED'],
      ['the same account', { ...base, toAccountId: from.id }, 'SAME_ACCOUNT'],
      ['more than the balance', { ...base, amountMinor: '10001' }, 'INSUFFICIENT_FUNDS'],
      ['both destinations', { ...base, toAccountNumber: to.number }, 'BAD_USER_INPUT'],
      ['no destination', { ...base, toAccountId: null }, 'BAD_USER_INPUT'],
      ['an empty idempotency key', { ...base, idempotencyKey: '' }, 'BAD_USER_INPUT'],
      ['an idempotency key over 255 characters', { ...base, idempotencyKey: 'k'.repeat(256) }, 'BAD_USER_INPUT'],
    ];
    const before = await ledgerSnapshot(server.app);
    for (const [label, input, code] of cases) {
      const res = await server.gql(CreateTransferDocument, { input: { idempotencyKey: key(), ...input } as never }, { token: user.token });
      expect(codeOf(res), label).toBe(code);
      expect(res.data?.createTransfer ?? null, label).toBeNull();
    }
    expect(
      codeOf(
        await server.gql(
          `mutation { createTransfer(input: { fromAccountId: "${from.id}", toAccountId: "${to.id}", amountMinor: 1.5, currency: "USD", idempotencyKey: "${key()}" }) { id } }`,
          undefined,
          { token: user.token },
        ),
      ),
    ).toBe('BAD_USER_INPUT');
    for (const [label, input, code] of [
      ['deposit of 0', { accountId: to.id, amountMinor: '0', currency: 'USD' }, 'BAD_USER_INPUT'],
      ['deposit in the wrong currency', { accountId: to.id, amountMinor: '10', currency: 'EUR' }, 'CURRENCY_MISMATCH'],
      ['deposit to a closed account', { accountId: closed.id, amountMinor: '10', currency: 'USD' }, 'ACCOUNT_CLOSED'],
    ] as const) {
      const res = await server.gql(RecordDepositDocument, { input: { ...input, idempotencyKey: key() } }, { token: op });
      expect(codeOf(res), label).toBe(code);
    }
    expect(await ledgerSnapshot(server.app)).toEqual(before);
    expect(await ledgerViolations(server.app)).toEqual([]);
  });

  it('lets only an operator record a deposit', async () => {
    const account = await openAccount(server, user.token);
    const res = await server.gql(
      RecordDepositDocument,
      {
        input: { accountId: account.id, amountMinor: '100', currency: 'USD', idempotencyKey: key() },
      },
      { token: user.token },
    );
    expect(codeOf(res)).toBe('FORBIDDEN');
  });
});

describe("money in each currency's own decimals", () => {
  it('renders USD with 2, JPY with 0 and BHD with 3 decimals, exactly', async () => {
    const cases: Array<[string, string, string]> = [
      ['USD', '125000', '1250.00'],
      ['CHF', '1000000000000000', '10000000000000.00'],
      ['JPY', '980', '980'],
      ['BHD', '1234567', '1234.567'],
      ['BHD', '5', '0.005'],
    ];
    for (const [currency, minor, decimal] of cases) {
      const account = await openAccount(server, user.token, currency);
      await deposit(server, op, account.id, minor, currency);
      const data = await server.ok(AccountDocument, { id: account.id }, { token: user.token });
      expect(data.account.balance).toEqual({ minor, currency, decimal });
    }
  });

  it('refuses a single deposit above 10^15 minor units (tests/security/ledger-limits.test.ts covers every limit)', async () => {
    const account = await openAccount(server, user.token, 'SEK');
    const res = await server.gql(
      RecordDepositDocument,
      {
        input: { accountId: account.id, amountMinor: '9223372036854775000', currency: 'SEK', idempotencyKey: key() },
      },
      { token: op },
    );
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    expect((await server.ok(AccountDocument, { id: account.id }, { token: user.token })).account.balance.minor).toBe('0');
  });
});

describe('monthly statements', () => {
  it('chains three months: opening + credits - debits = closing, and each month opens where the last closed', async () => {
    const main = await openAccount(server, user.token);
    const side = await openAccount(server, user.token);
    const move = (amount: number) =>
      server.ok(
        CreateTransferDocument,
        {
          input: { fromAccountId: main.id, toAccountId: side.id, amountMinor: String(amount), currency: 'USD', idempotencyKey: key() },
        },
        { token: user.token },
      );
    try {
      clock.set('2026-01-15T10:00:00Z');
      await deposit(server, op, main.id, 100_000);
      clock.set('2026-01-31T23:59:59.999Z');
      await move(2_500);
      clock.set('2026-02-01T00:00:00Z');
      await move(1_000);
      clock.set('2026-02-14T12:00:00Z');
      await deposit(server, op, main.id, 50_000);
      await move(7_777);
      clock.set('2026-03-31T08:00:00Z');
      await move(33);
    } finally {
      clock.reset();
    }
    const statement = async (month: string) => (await server.ok(StatementDocument, { id: main.id, month }, { token: user.token })).account.statement;
    const [dec, jan, feb, mar, apr] = await Promise.all(['2025-12', '2026-01', '2026-02', '2026-03', '2026-04'].map(statement));
    const n = (m: { minor: string }) => BigInt(m.minor);
    expect(n(dec!.openingBalance)).toBe(0n);
    expect(dec!.entryCount).toBe(0);
    expect(jan).toMatchObject({
      entryCount: 2,
      openingBalance: { minor: '0' },
      totalCredits: { minor: '100000' },
      totalDebits: { minor: '2500' },
      closingBalance: { minor: '97500', decimal: '975.00' },
    });
    expect(feb).toMatchObject({ entryCount: 3, totalCredits: { minor: '50000' }, totalDebits: { minor: '8777' }, closingBalance: { minor: '138723' } });
    expect(mar).toMatchObject({ entryCount: 1, totalCredits: { minor: '0' }, totalDebits: { minor: '33' }, closingBalance: { minor: '138690' } });
    const months = [dec!, jan!, feb!, mar!, apr!];
    for (const [i, s] of months.entries()) {
      expect(n(s.openingBalance) + n(s.totalCredits) - n(s.totalDebits), s.month).toBe(n(s.closingBalance));
      expect(s.entries.totalCount).toBe(s.entryCount);
      expect(s.entries.edges).toHaveLength(s.entryCount);
      if (i > 0) expect(s.openingBalance, s.month).toEqual(months[i - 1]!.closingBalance);
    }
    expect(apr).toMatchObject({ entryCount: 0, openingBalance: { minor: '138690' }, closingBalance: { minor: '138690' } });
    const account = await server.ok(AccountDocument, { id: main.id }, { token: user.token });
    expect(account.account.balance.minor).toBe('138690');
    expect(codeOf(await server.gql(StatementDocument, { id: main.id, month: '2026-13' }, { token: user.token }))).toBe('BAD_USER_INPUT');
  });
});

describe('the books are append-only', () => {
  it('has the database refuse to change or delete a ledger entry or a posted transfer', async () => {
    const account = await openAccount(server, user.token);
    await deposit(server, op, account.id, 100);
    const em = server.app.orm.em.fork();
    for (const sql of [
      `update "ledger_entry" set "amount" = 1 where "account_id" = '${account.id}'`,
      `delete from "ledger_entry" where "account_id" = '${account.id}'`,
      `update "transfer" set "amount" = 1 where "to_account_id" = '${account.id}'`,
      `delete from "transfer" where "to_account_id" = '${account.id}'`,
    ]) {
      await expect(em.execute(sql), sql).rejects.toThrow(/append-only/);
    }
    expect(await ledgerViolations(server.app)).toEqual([]);
  });
});
