import type { EntityManager } from '@mikro-orm/postgresql';
import type { EntityDictionary, EntityName } from '@mikro-orm/core';
import { ormSql } from './orm-sql.js';

export interface WindowPagesQuery<T extends object> {
  em: EntityManager;
  entity: EntityName<T>;
  /** Table, parent and order columns are names from code, never from a request. */
  table: string;
  parentColumn: string;
  parentIds: readonly string[];
  order: { column: string; direction: 'asc' | 'desc' };
  /** Exclusive bounds on the order column (keyset paging). */
  bounds?: { above?: number | null; below?: number | null };
  /** Rows kept per parent. */
  limit: number;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/**
 * Pages of many parents' children in one statement: a row_number() window over each
 * parent's rows keeps `limit` of them. Rows come back grouped by parent id, in window order.
 */
export async function loadWindowPages<T extends object>(query: WindowPagesQuery<T>): Promise<Map<string, T[]>> {
  const { em, table, parentColumn, order, bounds = {} } = query;
  for (const name of [table, parentColumn, order.column]) {
    if (!IDENTIFIER.test(name)) throw new Error(`loadWindowPages: ${name} is not a plain identifier`);
  }
  const ids = [...new Set(query.parentIds)];
  const params: unknown[] = [...ids];
  let where = '';
  if (bounds.above != null) {
    where += ` and x.${order.column} > ?`;
    params.push(bounds.above);
  }
  if (bounds.below != null) {
    where += ` and x.${order.column} < ?`;
    params.push(bounds.below);
  }
  params.push(query.limit);
  const rows = await ormSql(
    em,
    `select * from (
       select x.*, row_number() over (partition by x.${parentColumn} order by x.${order.column} ${order.direction}) as rn
       from ${table} x
       where x.${parentColumn} in (${ids.map(() => '?').join(', ')})${where}
     ) t where t.rn <= ? order by t.${parentColumn}, t.rn`,
    params,
  );
  const byParent = new Map<string, T[]>();
  for (const row of rows) {
    delete row.rn;
    const parentId = String(row[parentColumn]);
    const list = byParent.get(parentId) ?? [];
    list.push(em.map(query.entity, row as EntityDictionary<T>));
    byParent.set(parentId, list);
  }
  return byParent;
}
