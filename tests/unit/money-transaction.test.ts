import { describe, expect, it } from 'vitest';
import type { PgPool } from '../../src/db/pg.js';
import { rawTransaction } from '../../src/db/raw-tx.js';
import { checkedStatement, positional, prepared, splitWith, stmt, type Stmt } from '../../src/db/statement.js';
import { AccountStatus } from '../../src/modules/accounts/account.entity.js';
import type { AccountRow } from '../../src/modules/accounts/account.rules.js';
import { lockUnchanged, selectAccountsOf, updateBalances, updateLockedBalances } from '../../src/modules/accounts/account.sql.js';
import { insertAuditEvents } from '../../src/modules/audit/audit.sql.js';
import { EntryDirection } from '../../src/modules/transfers/ledger-entry.entity.js';
import { TransferOrigin, TransferStatus } from '../../src/modules/transfers/transfer.entity.js';
import { claimKeys, claimSettledKeys, insertEntries, insertTransfers, readWithKeys, settleKeys } from '../../src/modules/transfers/transfer.sql.js';
import type { TransferRow } from '../../src/modules/transfers/transfer.types.js';

/** A pool whose one client fails the first statement past BEGIN of each attempt with the given SQLSTATEs, in turn. */
function fakePool(failures: string[]) {
  const texts: string[] = [];
  const released: unknown[] = [];
  let attempts = 0;
  const pool = {
    async connect() {
      const failure = failures[attempts++];
      let failed = false;
      return {
        async query(query: string | { text: string; values: unknown[] }) {
          const text = typeof query === 'string' ? query : query.text;
          texts.push(typeof query === 'string' ? text : `${text} -- ${query.values.join(',')}`);
          if (failure && !failed && text !== 'begin') {
            failed = true;
            throw Object.assign(new Error(`sqlstate ${failure}`), { code: failure });
          }
          return { rows: [{ ok: 1 }] };
        },
        release(error?: unknown) {
          released.push(error);
        },
      };
    },
  } as unknown as Pick<PgPool, 'connect'>;
  return { pool, texts, released, attempts: () => attempts };
}

describe('rawTransaction', () => {
  it('runs the transaction again after a serialization failure and a deadlock, rolling back each time', async () => {
    const { pool, texts, released, attempts } = fakePool(['40001', '40P01']);
    const result = await rawTransaction(pool, async (tx) => {
      await tx.send(stmt('select ?', [1]));
      await tx.commit(stmt('update ?', [2]));
      return 'done';
    });
    expect(result).toBe('done');
    expect(attempts()).toBe(3);
    expect(texts).toEqual([
      'begin',
      'select $1 -- 1',
      'rollback',
      'begin',
      'select $1 -- 1',
      'rollback',
      'begin',
      'select $1 -- 1',
      'update $1 -- 2',
      'commit',
    ]);
    expect(released).toEqual([undefined, undefined, undefined]);
  });

  it('throws any other error at once, after rolling back', async () => {
    const { pool, texts, attempts } = fakePool(['23505']);
    await expect(rawTransaction(pool, async (tx) => tx.send(stmt('select 1', [])))).rejects.toMatchObject({ code: '23505' });
    expect(attempts()).toBe(1);
    expect(texts).toEqual(['begin', 'select 1 -- ', 'rollback']);
  });

  it('commits when the work returns without committing, and one result comes back per statement', async () => {
    const { pool, texts } = fakePool([]);
    const results = await rawTransaction(pool, (tx) => tx.send(stmt('a', []), stmt('b', [])));
    expect(results).toHaveLength(2);
    expect(texts).toEqual(['begin', 'a -- ', 'b -- ', 'commit']);
  });

  it('sends the commit writes as one statement, each value bound in order, then COMMIT', async () => {
    const { pool, texts } = fakePool([]);
    const committed = await rawTransaction(pool, (tx) => tx.commit(stmt('insert ?, ?', ["it's", 1]), stmt(`update '?' ?`, [2])));
    expect(committed.rows).toEqual([{ ok: 1 }]);
    expect(texts).toEqual(['begin', `with "w0" as (insert $1, $2) update '?' $3 -- it's,1,2`, 'commit']);
  });

  it('rolls back when the commit writes fail, and sends no COMMIT', async () => {
    const { pool, texts } = fakePool(['23505']);
    await expect(rawTransaction(pool, (tx) => tx.commit(stmt('insert ?', [1])))).rejects.toMatchObject({ code: '23505' });
    expect(texts).toEqual(['begin', 'insert $1 -- 1', 'rollback']);
  });

  it('destroys a connection that cannot roll back instead of returning it to the pool', async () => {
    const released: unknown[] = [];
    const pool = {
      async connect() {
        return {
          async query(query: string | { text: string }) {
            throw Object.assign(new Error(query === 'rollback' ? 'connection lost' : 'boom'), { code: 'XX000' });
          },
          release: (error?: unknown) => released.push(error),
        };
      },
    } as unknown as Pick<PgPool, 'connect'>;
    await expect(rawTransaction(pool, (tx) => tx.send(stmt('select 1', [])))).rejects.toThrow('boom');
    expect(released).toHaveLength(1);
    expect(released[0]).toBeInstanceOf(Error);
  });
});

describe('checkedStatement', () => {
  it('puts the parts first, takes a WITH of the last one into its own list, and binds the values in text order', () => {
    const last = stmt(`with "h0" as (update "g" set "x" = ? returning "id"), "h1" as (select ')(' as "p") select * from "h0"`, [7]);
    const checked = checkedStatement(
      [
        { name: 'claimed', stmt: stmt('insert into "k" values (?) returning "id"', [1]) },
        { name: 'lock', stmt: stmt('select "id" from "a" where "id" in (?) for update', [2]), materialized: true },
      ],
      [stmt(`(select count(*) from "claimed") = ?`, [1])],
      'what',
      last,
    );
    expect(checked.sql).toBe(
      `with "claimed" as (insert into "k" values (?) returning "id"), "lock" as materialized (select "id" from "a" where "id" in (?) for update), ` +
        `"h0" as (update "g" set "x" = ? returning "id"), "h1" as (select ')(' as "p"), "last" as (select * from "h0") ` +
        `select "gateway_expect"(((select count(*) from "claimed") = ?), ?) as "ok", coalesce((select json_agg("r") from "last" "r"), '[]'::json) as "rows"`,
    );
    expect(checked.params).toEqual([1, 2, 7, 1, 'what']);
  });

  it('checks nothing and returns no rows when given nothing but a name', () => {
    expect(checkedStatement([], [], 'empty')).toEqual({ sql: `select "gateway_expect"(true, ?) as "ok", '[]'::json as "rows"`, params: ['empty'] });
  });
});

describe('splitWith', () => {
  it('splits a WITH list from its final query, past parentheses and quotes inside the parts', () => {
    expect(splitWith(`with "a" as (select '(' from (select 1) x), "b" as (select ")") select * from "a"`)).toEqual({
      parts: `"a" as (select '(' from (select 1) x), "b" as (select ")")`,
      query: 'select * from "a"',
    });
    expect(splitWith('update "t" set "x" = 1 returning *')).toEqual({ parts: '', query: 'update "t" set "x" = 1 returning *' });
  });
});

describe('the money path statements', () => {
  const at = new Date('2026-12-07T12:00:00Z');
  const account = (n: number): AccountRow => ({
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    ownerId: null,
    number: `N${n}`,
    currency: 'USD',
    balance: BigInt(100 * n),
    entrySeq: n,
    status: AccountStatus.OPEN,
    system: false,
  });
  const transfer = (n: number): TransferRow => ({
    id: account(n).id,
    status: TransferStatus.POSTED,
    origin: TransferOrigin.USER,
    amount: BigInt(n),
    currency: 'USD',
    fromAccountId: account(n).id,
    toAccountId: account(n + 1).id,
    fromUserId: null,
    toUserId: null,
    initiatorId: account(n).id,
    fromAccountNumber: null,
    toAccountNumber: `N${n + 1}`,
    description: n % 2 === 0 ? `it's "${n}", {a,b}` : null,
    idempotencyKey: `k${n}`,
    createdAt: at,
    postedAt: at,
    expiresAt: null,
  });
  /** Every statement a batch of `n` transfers sends on either path. */
  const batchOf = (n: number): Stmt[] => {
    const ns = Array.from({ length: n }, (_, i) => i + 1);
    const accounts = ns.map(account);
    const { lock, unchanged } = lockUnchanged(accounts, 'claimed');
    return [
      readWithKeys(
        selectAccountsOf(
          accounts.map((a) => a.id),
          [],
          false,
        ),
        ns.map((i) => ({ userId: account(i).id, key: `k${i}` })),
      ),
      claimSettledKeys(
        ns.map((i) => ({
          id: account(i).id,
          userId: account(i).id,
          key: `k${i}`,
          hash: 'h',
          settlement: { claimId: account(i).id, transferId: account(i).id },
        })),
        at,
      ),
      claimKeys(
        ns.map((i) => ({ id: account(i).id, userId: account(i).id, key: `k${i}`, hash: 'h' })),
        at,
      ),
      lock,
      unchanged,
      insertTransfers(ns.map(transfer)),
      insertEntries(
        ns.map((i) => ({
          id: account(i).id,
          accountId: account(i).id,
          transferId: account(i).id,
          userId: null,
          seq: i,
          direction: EntryDirection.DEBIT,
          amount: BigInt(i),
          balanceAfter: BigInt(i),
          currency: 'USD',
          description: null,
          postedAt: at,
        })),
      ),
      updateLockedBalances(accounts, at),
      updateBalances(accounts, at),
      settleKeys(
        ns.map((i) => ({ claimId: account(i).id, code: 'INSUFFICIENT_FUNDS', message: `m${i}` })),
        at,
      ),
      insertAuditEvents(
        ns.map((i) => ({ id: account(i).id, at, userId: null, actorId: null, action: 'A', target: null, outcome: 'O', ip: null, userAgent: null })),
      ),
    ];
  };

  it('have one text whatever the batch size, so each connection parses and plans them once', () => {
    const one = batchOf(1);
    const many = batchOf(7);
    expect(many.map((s) => s.sql)).toEqual(one.map((s) => s.sql));
    for (const [i, s] of many.entries()) expect(s.params.length, s.sql).toBe(one[i]!.params.length);
    // A row's values travel in its column's array, in row order, strings as they are.
    const transfers = many[5]!;
    expect(transfers.params[0]).toEqual([1, 2, 3, 4, 5, 6, 7].map((i) => account(i).id));
    expect(transfers.params[14]).toEqual([null, `it's "2", {a,b}`, null, `it's "4", {a,b}`, null, `it's "6", {a,b}`, null]);
  });

  it('go to the driver under one name per text, with their values unchanged', () => {
    const [a, b] = batchOf(3);
    const first = prepared(a!);
    expect(first).toEqual({ name: expect.stringMatching(/^gw\d+$/), text: positional(a!.sql), values: a!.params });
    expect(prepared(batchOf(5)[0]!).name).toBe(first.name);
    expect(prepared(b!).name).not.toBe(first.name);
  });
});
