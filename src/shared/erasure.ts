import type { EntityManager } from '@mikro-orm/postgresql';
import { ormSql } from '../db/orm-sql.js';

/** One module's part of account deletion, run in the deletion's transaction (auth/account-deletion.service.ts). */
export type Eraser = (em: EntityManager, userId: string) => Promise<void>;

/** An Eraser running these statements in order, each with the user's id as its one parameter. */
export function statementsEraser(statements: readonly string[]): Eraser {
  return async (em, userId) => {
    for (const sql of statements) await ormSql(em, sql, [userId]);
  };
}
