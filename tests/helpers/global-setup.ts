import 'reflect-metadata';
import type { TestProject } from 'vitest/node';
import pg from 'pg';
import { migrate, openOrm } from '../../src/db/orm.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A migrated template on the DATABASE_URL server, cloned per test file. Null: embedded. */
    testDatabases: { adminUrl: string; template: string } | null;
  }
}

/** With DATABASE_URL: migrate a template database once; every test file clones it. */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | void> {
  const base = process.env.DATABASE_URL;
  if (!base) {
    project.provide('testDatabases', null);
    return;
  }
  const name = `coach_tpl_${process.pid}_${Date.now()}`;
  await adminQuery(base, `CREATE DATABASE "${name}"`);
  const url = withDatabase(base, name);
  const orm = await openOrm(url, 2);
  try {
    await migrate(orm);
  } finally {
    await orm.close(true);
  }
  project.provide('testDatabases', { adminUrl: base, template: name });
  return async () => {
    await adminQuery(base, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  };
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/**
 * Runs one administrative statement (CREATE/DROP DATABASE) on the server of `url`. The
 * tests only need the server: when the database named in DATABASE_URL does not exist
 * (3D000), the statement goes through the server's `postgres` maintenance database instead.
 */
export async function adminQuery(url: string, sql: string): Promise<void> {
  try {
    await runOnce(url, sql);
  } catch (error) {
    if ((error as { code?: string }).code !== '3D000') throw error;
    await runOnce(withDatabase(url, 'postgres'), sql);
  }
}

async function runOnce(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    await client.query(sql);
  } finally {
    await client.end().catch(() => {});
  }
}
