import { describe, expect, it } from 'vitest';
import { rawTransaction, stmt, type PgPool } from '../../src/db/pg.js';

/** A pool whose one client fails the first batch of each attempt with the given SQLSTATEs, in turn. */
function fakePool(failures: string[]) {
  const texts: string[] = [];
  const released: unknown[] = [];
  let attempts = 0;
  const pool = {
    async connect() {
      const failure = failures[attempts++];
      let first = true;
      return {
        async query(text: string) {
          texts.push(text);
          if (first && failure) {
            first = false;
            throw Object.assign(new Error(`sqlstate ${failure}`), { code: failure });
          }
          first = false;
          return text.split(';\n').map(() => ({ rows: [{ ok: 1 }] }));
        },
        release(error?: unknown) {
          released.push(error);
        },
      };
    },
  } as unknown as Pick<PgPool, 'connect'>;
  return { pool, texts, released, attempts: () => attempts };
}

const format = (sql: string, params: unknown[]) => `${sql} -- ${params.join(',')}`;

describe('rawTransaction', () => {
  it('runs the transaction again after a serialization failure and a deadlock, rolling back each time', async () => {
    const { pool, texts, released, attempts } = fakePool(['40001', '40P01']);
    const result = await rawTransaction(pool, format, async (tx) => {
      await tx.send(stmt('select ?', [1]));
      await tx.commit(stmt('update ?', [2]));
      return 'done';
    });
    expect(result).toBe('done');
    expect(attempts()).toBe(3);
    expect(texts).toEqual(['begin;\nselect ? -- 1', 'rollback', 'begin;\nselect ? -- 1', 'rollback', 'begin;\nselect ? -- 1', 'update ? -- 2;\ncommit']);
    expect(released).toEqual([undefined, undefined, undefined]);
  });

  it('throws any other error at once, after rolling back', async () => {
    const { pool, texts, attempts } = fakePool(['23505']);
    await expect(rawTransaction(pool, format, async (tx) => tx.send(stmt('select 1', [])))).rejects.toMatchObject({ code: '23505' });
    expect(attempts()).toBe(1);
    expect(texts).toEqual(['begin;\nselect 1 -- ', 'rollback']);
  });

  it('commits when the work returns without committing, and one result comes back per statement', async () => {
    const { pool, texts } = fakePool([]);
    const results = await rawTransaction(pool, format, (tx) => tx.send(stmt('a', []), stmt('b', [])));
    expect(results).toHaveLength(2);
    expect(texts).toEqual(['begin;\na -- ;\nb -- ', 'commit']);
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
    await expect(rawTransaction(pool, format, (tx) => tx.send(stmt('select 1', [])))).rejects.toThrow('boom');
    expect(released).toHaveLength(1);
    expect(released[0]).toBeInstanceOf(Error);
  });
});
