import { MikroORM, defineConfig, type LoggerOptions, type Options } from '@mikro-orm/postgresql';
import { ENTITIES } from './entities.js';
import { MIGRATION_NAMES } from '../../migrations/names.js';
import { ormSql } from './orm-sql.js';
import { StatementSpanLogger } from './orm-spans.js';
import type { Tracing } from '../shared/tracing.js';

export type Orm = MikroORM;

export interface OrmExtras {
  log?: (message: string) => void;
  /** Only `npm run migration:create` writes the snapshot; applying migrations must not touch it. */
  snapshot?: boolean;
  /** Set: every statement the ORM runs (and ormSql's) is a span. */
  tracing?: Tracing;
}

export function ormOptions(url: string, poolMax = 10, extras: OrmExtras = {}): Options {
  return defineConfig({
    clientUrl: url,
    entities: ENTITIES,
    // No `extensions: [Migrator]`: MikroORM requires @mikro-orm/migrations (umzug and ~170
    // files) on the first getMigrator(), which a start on a migrated database never calls.
    migrations: {
      path: 'migrations',
      pathTs: 'migrations',
      // migrationsList: set by migrate() when one is pending (the classes load the migrations package).
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
    ...(extras.tracing ? { loggerFactory: (options: LoggerOptions) => new StatementSpanLogger(options, extras.tracing!) } : {}),
  });
}

export async function openOrm(url: string, poolMax?: number, extras?: OrmExtras): Promise<Orm> {
  return MikroORM.init(ormOptions(url, poolMax, extras));
}

/** Applies every pending migration; returns the names applied. Loads the migrator only when one is pending. */
export async function migrate(orm: Orm): Promise<string[]> {
  if ((await pendingMigrations(orm)) === 0) return [];
  const { MIGRATIONS } = await import('../../migrations/index.js');
  orm.config.get('migrations').migrationsList = MIGRATIONS;
  const applied = await orm.getMigrator().up();
  return applied.map((m) => m.name);
}

/** How many of the migrations the database has not recorded as executed (all of them on an empty database). */
export async function pendingMigrations(orm: Orm): Promise<number> {
  const table = orm.config.get('migrations').tableName ?? 'mikro_orm_migrations';
  const [exists] = await ormSql<{ found: string | null }>(orm.em.fork(), 'select to_regclass(?) as found', [table]);
  if (!exists?.found) return MIGRATION_NAMES.length;
  const rows = await orm.em.getConnection().execute<Array<{ name: string }>>(`select name from "${table}"`);
  const executed = new Set(rows.map((r) => r.name));
  return MIGRATION_NAMES.filter((name) => !executed.has(name)).length;
}
