import { MikroORM, defineConfig, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { ENTITIES } from './entities.js';
import { MIGRATIONS } from '../../migrations/index.js';

export type Orm = MikroORM;

export interface OrmExtras {
  log?: (message: string) => void;
  /** Only `npm run migration:create` writes the snapshot; applying migrations must not touch it. */
  snapshot?: boolean;
}

export function ormOptions(url: string, poolMax = 10, extras: OrmExtras = {}): Options {
  return defineConfig({
    clientUrl: url,
    entities: ENTITIES,
    extensions: [Migrator],
    migrations: {
      path: 'migrations',
      pathTs: 'migrations',
      migrationsList: MIGRATIONS,
      snapshot: extras.snapshot ?? false,
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
    logger: extras.log ?? (() => {}),
  });
}

export async function openOrm(url: string, poolMax?: number, extras?: OrmExtras): Promise<Orm> {
  return MikroORM.init(ormOptions(url, poolMax, extras));
}

/** Applies every pending migration; returns the names applied. */
export async function migrate(orm: Orm): Promise<string[]> {
  const applied = await orm.getMigrator().up();
  return applied.map((m) => m.name);
}

export async function pendingMigrations(orm: Orm): Promise<number> {
  return (await orm.getMigrator().getPendingMigrations()).length;
}
