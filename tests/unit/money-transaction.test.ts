import { describe, expect, it } from 'vitest';
import type { PgPool } from '../../src/db/pg.js';
import { rawTransaction } from '../../src/db/raw-tx.js';
import { stmt } from '../../src/db/statement.js';

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
