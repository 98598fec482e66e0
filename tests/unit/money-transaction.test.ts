import { describe, expect, it } from 'vitest';
import type { PgPool } from '../../src/db/pg.js';
import { rawTransaction } from '../../src/db/raw-tx.js';
import { checkedStatement, splitWith, stmt } from '../../src/db/statement.js';

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
        async query(text: string, values?: unknown[]) {
          texts.push(values === undefined ? text : `${text} -- ${values.join(',')}`);
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
          async query(text: string) {
            throw Object.assign(new Error(text === 'rollback' ? 'connection lost' : 'boom'), { code: 'XX000' });
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
