import { MikroORM, defineConfig, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { ENTITIES } from './entities.js';
import { MIGRATIONS } from '../../migrations/index.js';

export type Orm = MikroORM;

export function ormOptions(url: string, poolMax = 10, log?: (message: string) => void): Options {
  return defineConfig({
    clientUrl: url,
    entities: ENTITIES,
    extensions: [Migrator],
    migrations: {
      path: 'migrations',
      pathTs: 'migrations',
      migrationsList: MIGRATIONS,
      snapshotName: '.snapshot',
      emit: 'ts',
      transactional: true,
      allOrNothing: true,
      // session_replication_role needs a superuser; managed databases rarely grant it.
      disableForeignKeys: false,
    },
    pool: { min: 0, max: poolMax },
    forceUtcTimezone: true,
    allowGlobalContext: false,
    debug: false,
    logger: log ?? (() => {}),
  });
}

export async function openOrm(url: string, poolMax?: number, log?: (message: string) => void): Promise<Orm> {
  return MikroORM.init(ormOptions(url, poolMax, log));
}

/** Applies every pending migration; returns the names applied. */
export async function migrate(orm: Orm): Promise<string[]> {
  const applied = await orm.getMigrator().up();
  return applied.map((m) => m.name);
}

export async function pendingMigrations(orm: Orm): Promise<number> {
  return (await orm.getMigrator().getPendingMigrations()).length;
}
