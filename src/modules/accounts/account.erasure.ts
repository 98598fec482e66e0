import type { EntityManager } from '@mikro-orm/postgresql';
import { ormSql } from '../../db/orm-sql.js';
import { statementsEraser } from '../../shared/erasure.js';

/** Account deletion: accounts stay (the ledger points at them), closed and without the user's name for them. */
export const eraseAccounts = statementsEraser([`update "account" set "status" = 'CLOSED', "name" = 'Closed account' where "user_id" = ? and not "system"`]);

/** Whether money is left in an open account of the user: account deletion refuses then. */
export async function holdsMoney(em: EntityManager, userId: string): Promise<boolean> {
  const funded = await ormSql<{ n: number }>(
    em,
    `select count(*)::int as "n" from "account" where "user_id" = ? and not "system" and "status" = 'OPEN' and "balance" <> 0`,
    [userId],
  );
  return (funded[0]?.n ?? 0) > 0;
}
