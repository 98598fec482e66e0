import type { EntityManager, Knex } from '@mikro-orm/postgresql';

/*
 * Our own statements on the ORM's connections, in the EntityManager's transaction when it is in
 * one. MikroORM's execute formats the values into the text; knex's raw (public API) sends them as
 * bound parameters. `?` placeholders as everywhere; a value is never an array (knex would spread it).
 */
export async function ormSql<T extends object = Record<string, unknown>>(em: EntityManager, sql: string, params: readonly unknown[] = []): Promise<T[]> {
  const runner = em.getTransactionContext<Knex.Transaction>() ?? em.getKnex();
  try {
    const result = (await runner.raw(sql, params as Knex.RawBinding[])) as { rows: T[] };
    return result.rows;
  } catch (error) {
    // The same exception classes em.execute throws (UniqueConstraintViolationException and the rest).
    throw em.getDriver().convertException(error as Error);
  }
}
