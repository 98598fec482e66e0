import 'reflect-metadata';
import pg from 'pg';
import { migrate, openOrm } from '../../src/db/orm.js';

/** The PostgreSQL server the benchmarks use: a fresh database is made on it per run. */
export const ADMIN_URL = process.env.BENCH_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export interface BenchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

export async function adminQuery<T extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, url = ADMIN_URL): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

/** coach_bench_<pid>, created empty and migrated, so every gateway start finds it ready. */
export async function createBenchDatabase(): Promise<BenchDatabase> {
  const name = `coach_bench_${process.pid}`;
  await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await adminQuery(`CREATE DATABASE "${name}"`);
  const parsed = new URL(ADMIN_URL);
  parsed.pathname = `/${name}`;
  const url = parsed.toString();
  const orm = await openOrm(url, 2);
  try {
    await migrate(orm);
  } finally {
    await orm.close(true);
  }
  let dropped = false;
  return {
    name,
    url,
    async drop() {
      if (dropped) return;
      dropped = true;
      await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}
