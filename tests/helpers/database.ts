import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { inject } from 'vitest';
import { adminQuery, withDatabase } from './global-setup.js';

export interface TestDatabase {
  /** Undefined: the app starts its own in-memory embedded database. */
  url: string | undefined;
  drop(): Promise<void>;
}

/** A fresh database for one test file: a clone of the migrated template, or in-memory PGlite. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const dbs = inject('testDatabases');
  if (!dbs) return { url: undefined, drop: async () => {} };
  const name = `coach_t_${randomBytes(6).toString('hex')}`;
  for (let attempt = 0; ; attempt++) {
    try {
      await adminQuery(dbs.adminUrl, `CREATE DATABASE "${name}" TEMPLATE "${dbs.template}"`);
      break;
    } catch (error) {
      // 55006: another file is cloning the template at this moment.
      if ((error as { code?: string }).code !== '55006' || attempt >= 20) throw error;
      await sleep(100 + Math.random() * 200);
    }
  }
  return {
    url: withDatabase(dbs.adminUrl, name),
    drop: () => adminQuery(dbs.adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}
