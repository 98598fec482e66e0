import { describe, expect, it } from 'vitest';
import { capString, maskSqlLiterals, serializeError, splitDatabaseMessage } from '../../src/shared/log-safety.js';

/** knex's message for a failed statement: the SQL with the values inlined (pg's escaping), then PostgreSQL's message. */
function knexMessage(sql: string, values: string[], pgMessage: string, detail?: string): string {
  let i = 0;
  const inlined = sql.replace(/\?/g, () => {
    const v = values[i++]!;
    const escaped = `'${v.replace(/'/g, "''").replace(/\\/g, '\\\\')}'`;
    return v.includes('\\') ? ` E${escaped}` : escaped;
  });
  return `${inlined} - ${pgMessage}${detail ? `\n - detail: ${detail}` : ''}`;
}

describe('a database error in the log', () => {
  const hostile = ["it's - mine", 'back\\slash\' - "quoted" - \n - detail: fake', '" - ', 'x'.repeat(5000)];

  it.each(hostile)('keeps no part of a value, whatever it contains: %#', (value) => {
    const message = knexMessage(
      'update "account" set "name" = ?, "balance" = "balance" - 2500 where "id" = ?',
      [value, value],
      'duplicate key value violates unique constraint "account_name_key"',
      `Key (name)=(${value}) already exists.`,
    );
    const error = Object.assign(new Error(message), {
      code: '23505',
      severity: 'ERROR',
      constraint: 'account_name_key',
      table: 'account',
      detail: `Key (name)=(${value})`,
    });
    const logged = serializeError(error) as Record<string, string>;
    expect(logged.statement).toBe('update "account" set "name" = ?, "balance" = "balance" - ? where "id" = ?');
    expect(logged.message).toBe('duplicate key value violates unique constraint "account_name_key"');
    expect(logged).toMatchObject({ sqlState: '23505', constraint: 'account_name_key', table: 'account' });
    const text = JSON.stringify(logged);
    for (const part of ['mine', 'slash', 'quoted', 'fake', 'xxxx', 'detail']) expect(text).not.toContain(part);
  });

  it('masks the value PostgreSQL quotes in its own message, and keeps the names it quotes', () => {
    const id = 'not-a-uuid-but-secret';
    expect(splitDatabaseMessage(knexMessage('select "id" from "app_user" where "id" = ?', [id], `invalid input syntax for type uuid: "${id}"`), [])).toEqual({
      statement: 'select "id" from "app_user" where "id" = ?',
      reason: 'invalid input syntax for type uuid: ?',
    });
    expect(splitDatabaseMessage('value "123456" is out of range for type integer', []).reason).toBe('value "?" is out of range for type integer');
    expect(splitDatabaseMessage('null value in column "email" of relation "app_user" violates not-null constraint', ['email', 'app_user']).reason).toBe(
      'null value in column "email" of relation "app_user" violates not-null constraint',
    );
  });

  it('replaces strings, E-strings, numbers and booleans with ?, and keeps identifiers and $n placeholders', () => {
    expect(maskSqlLiterals(`select 1.5e+10, -3, "t0"."x2", $1, true, 'a''b', E'\\\\x\\'' from "we""ird"`)).toBe(
      'select ?, -?, "t0"."x2", $1, ?, ?, ? from "we""ird"',
    );
    expect(maskSqlLiterals(`insert into "t" values ('never closed, 1234`)).toBe('insert into "t" values (?');
  });
});

describe('a string in the log', () => {
  it('is cut at 200 characters and says how much was left out', () => {
    expect(capString('y'.repeat(1000))).toBe(`${'y'.repeat(200)}...(800 more)`);
    expect(capString('short')).toBe('short');
  });
});
