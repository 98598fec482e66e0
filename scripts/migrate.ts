// Applies pending migrations to DATABASE_URL, or to the embedded database under DATA_DIR.
import 'reflect-metadata';
import { loadConfig } from '../src/config/config.js';
import { startEmbeddedPostgres } from '../src/db/embedded.js';
import { migrate, openOrm } from '../src/db/orm.js';

const { config } = loadConfig();
const embedded = config.databaseUrl ? undefined : await startEmbeddedPostgres(config.dataDir);
const orm = await openOrm(config.databaseUrl ?? embedded!.url);
try {
  const applied = await migrate(orm);
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
} finally {
  await orm.close(true);
  await embedded?.stop();
}
