import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthInfo } from '../../src/modules/auth/auth.types.js';
import { Role } from '../../src/modules/auth/user.entity.js';
import { DomainError } from '../../src/shared/errors.js';
import { createServices } from '../../src/services.js';
import { CreateTransferDocument, RecordDepositDocument, StatementDocument } from '../generated/graphql.js';
import { balanceOf, deposit, key, loginOperator, openAccount, OPERATOR_ENV } from '../factories/ledger.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { TestClock } from '../helpers/clock.js';
import { ledgerSnapshot } from '../helpers/ledger.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { codeOf } from '../helpers/errors.js';

const MAX = '1000000000000000';
const INT64_MAX = '9223372036854775807';
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

type Res = { errors?: ReadonlyArray<{ extensions?: Record<string, unknown> }> };
const fieldsOf = (r: Res) => r.errors?.[0]?.extensions?.fields as Array<{ field: string; message: string }> | undefined;
const sql = (text: string, params: unknown[] = []) => server.app.orm.em.fork().execute<Array<Record<string, unknown>>>(text, params);
const depositRes = (accountId: string, amountMinor: string, currency: string) =>
  server.gql(RecordDepositDocument, { input: { accountId, amountMinor, currency, idempotencyKey: key() } }, { token: op });

describe('a single amount is capped at 10^15 minor units', () => {
  it('refuses a larger amount on every amount input with BAD_USER_INPUT naming the field and the maximum', async () => {
    const from = await openAccount(server, user.token);
    const to = await openAccount(server, user.token);
    await deposit(server, op, from.id, MAX);
    const before = await ledgerSnapshot(server.app);
    for (const amount of [INT64_MAX, '1000000000000001']) {
      const transfer = await server.gql(
        CreateTransferDocument,
        {
          input: { fromAccountId: from.id, toAccountId: to.id, amountMinor: amount, currency: 'USD', idempotencyKey: key() },
        },
        { token: user.token },
      );
      expect(codeOf(transfer)).toBe('BAD_USER_INPUT');
      expect(fieldsOf(transfer)).toEqual([{ field: 'amountMinor', message: `must be at most ${MAX} minor units` }]);
      const dep = await depositRes(to.id, amount, 'USD');
      expect(codeOf(dep)).toBe('BAD_USER_INPUT');
      expect(fieldsOf(dep)).toEqual([{ field: 'amountMinor', message: `must be at most ${MAX} minor units` }]);
      // The agent's path (propose) goes through the same check.
      const auth: AuthInfo = { userId: user.user.id, sessionId: user.session.id, role: Role.CUSTOMER };
      const proposal = createServices(server.app.deps, server.app.orm.em.fork()).transfers.propose(auth, {
        fromAccountId: from.id,
        toAccountId: to.id,
        amountMinor: BigInt(amount),
        currency: 'USD',
      });
      await expect(proposal).rejects.toMatchObject({ code: 'BAD_USER_INPUT', extensions: { fields: [{ field: 'amountMinor' }] } });
      await expect(proposal).rejects.toBeInstanceOf(DomainError);
    }
    expect(await ledgerSnapshot(server.app)).toEqual(before);
    // The maximum itself moves.
    await server.ok(
      CreateTransferDocument,
      {
        input: { fromAccountId: from.id, toAccountId: to.id, amountMinor: MAX, currency: 'USD', idempotencyKey: key() },
      },
      { token: user.token },
    );
    expect(await balanceOf(server, user.token, to.id)).toBe(MAX);
  });

  it("cannot lock a currency: the issue's 2^63-1 CHF deposit is refused and CHF deposits keep working", async () => {
    const account = await openAccount(server, user.token, 'CHF');
    expect(codeOf(await depositRes(account.id, INT64_MAX, 'CHF'))).toBe('BAD_USER_INPUT');
    const other = await openAccount(server, user.token, 'CHF');
    await deposit(server, op, other.id, 1, 'CHF');
    await deposit(server, op, account.id, MAX, 'CHF');
    await deposit(server, op, other.id, 1, 'CHF');
    expect(await balanceOf(server, user.token, account.id)).toBe(MAX);
    expect(await balanceOf(server, user.token, other.id)).toBe('2');
  });
});

describe('every balance is checked before posting', () => {
  it("refuses a deposit that would take the currency's system account past int64 with BALANCE_LIMIT, writing nothing", async () => {
    const account = await openAccount(server, user.token, 'NOK');
    await deposit(server, op, account.id, 1, 'NOK');
    // A system account left at the edge by deposits made before the cap existed.
    await sql(`update "account" set "balance" = -9223372036854775000 where "system" and "currency" = 'NOK'`);
    const before = await ledgerSnapshot(server.app);
    const res = await depositRes(account.id, '1000', 'NOK');
    expect(codeOf(res)).toBe('BALANCE_LIMIT');
    expect(await ledgerSnapshot(server.app)).toEqual(before);
    // Room left is still usable.
    await deposit(server, op, account.id, 800, 'NOK');
    expect(await balanceOf(server, user.token, account.id)).toBe('801');
  });

  it('refuses a transfer or deposit that would take a customer balance past int64 with BALANCE_LIMIT, writing nothing', async () => {
    const from = await openAccount(server, user.token, 'SEK');
    const to = await openAccount(server, user.token, 'SEK');
    await deposit(server, op, from.id, 5_000, 'SEK');
    await deposit(server, op, to.id, 1, 'SEK');
    await sql(`update "account" set "balance" = 9223372036854775000 where "id" = ?`, [to.id]);
    const before = await ledgerSnapshot(server.app);
    const transfer = await server.gql(
      CreateTransferDocument,
      {
        input: { fromAccountId: from.id, toAccountId: to.id, amountMinor: '1000', currency: 'SEK', idempotencyKey: key() },
      },
      { token: user.token },
    );
    expect(codeOf(transfer)).toBe('BALANCE_LIMIT');
    expect(codeOf(await depositRes(to.id, '1000', 'SEK'))).toBe('BALANCE_LIMIT');
    expect(await ledgerSnapshot(server.app)).toEqual(before);
  });

  it('totals a statement beyond int64 exactly (PostgreSQL sums bigint as numeric)', async () => {
    const account = await openAccount(server, user.token, 'DKK');
    const other = await openAccount(server, user.token, 'DKK');
    clock.set('2026-03-10T10:00:00Z');
    try {
      await deposit(server, op, account.id, 3, 'DKK');
      await server.ok(
        CreateTransferDocument,
        {
          input: { fromAccountId: account.id, toAccountId: other.id, amountMinor: '1', currency: 'DKK', idempotencyKey: key() },
        },
        { token: user.token },
      );
      await deposit(server, op, account.id, 5, 'DKK');
    } finally {
      clock.reset();
    }
    // Entries written before the cap could be this large; a month of them sums past 2^63.
    // The table is append-only (a trigger): set them past it, as a restore would.
    await server.app.orm.em.fork().transactional(async (em) => {
      await em.execute(`set local session_replication_role = replica`);
      await em.execute(`update "ledger_entry" set "amount" = 6000000000000000000 where "account_id" = ? and "direction" = 'CREDIT'`, [account.id]);
    });
    const data = await server.ok(StatementDocument, { id: account.id, month: '2026-03' }, { token: user.token });
    expect(data.account.statement.totalCredits.minor).toBe('12000000000000000000');
    expect(data.account.statement.totalDebits.minor).toBe('1');
  });
});
