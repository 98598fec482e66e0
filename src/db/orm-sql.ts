import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import { StatementSpanLogger } from './orm-spans.js';
import { endStatement, statementSpan } from './statement-spans.js';

/*
 * Our own statements on the ORM's connections, in the EntityManager's transaction when it is in
 * one. MikroORM's execute formats the values into the text; knex's raw (public API) sends them as
 * bound parameters. `?` placeholders as everywhere; a value is never an array (knex would spread it).
 */
export async function ormSql<T extends object = Record<string, unknown>>(em: EntityManager, sql: string, params: readonly unknown[] = []): Promise<T[]> {
  const runner = em.getTransactionContext<Knex.Transaction>() ?? em.getKnex();
  // Past the ORM's own reporting: the span is ours (tracing on only when the ORM was opened with it).
  const logger = em.config.getLogger();
  const span = logger instanceof StatementSpanLogger ? statementSpan(logger.tracing, sql) : undefined;
  try {
    const result = (await runner.raw(sql, params as Knex.RawBinding[])) as { rows: T[] };
    if (span) endStatement(span);
    return result.rows;
  } catch (error) {
    if (span) endStatement(span, error);
    // The same exception classes em.execute throws (UniqueConstraintViolationException and the rest).
    throw em.getDriver().convertException(error as Error);
  }
}
