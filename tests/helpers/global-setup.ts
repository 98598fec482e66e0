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

export async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
