// Diffs the entities against the migrated schema and writes a new migration plus the
// updated snapshot; then rewrites migrations/index.ts. Runs on a throwaway embedded database.
import 'reflect-metadata';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { startEmbeddedPostgres } from '../src/db/embedded.js';
import { migrate, openOrm } from '../src/db/orm.js';

// Read first: with snapshots on, applying the migrations below already rewrites the file.
const snapshot = await readFile('migrations/.snapshot.json', 'utf8').catch(() => undefined);
const db = await startEmbeddedPostgres('memory');
const orm = await openOrm(db.url, 2, { snapshot: true });
try {
  await migrate(orm);
  // The migrator below is made here too when nothing was pending.
  orm.config.get('migrations').migrationsList = (await import('../migrations/index.js')).MIGRATIONS;
  const result = await orm.getMigrator().createMigration('migrations', false, false, process.argv[2]);
  if (!result.fileName) {
    // MikroORM rewrites the snapshot from the database even when nothing changed: keep ours.
    if (snapshot !== undefined) await writeFile('migrations/.snapshot.json', snapshot);
    console.log('no changes: entities match the migrations');
  } else console.log(`wrote migrations/${result.fileName}`);
  const files = (await readdir('migrations')).filter((f) => /^Migration\d+.*\.ts$/.test(f)).sort();
  const names = files.map((f) => f.replace(/\.ts$/, ''));
  const index = [
    '// Lists every migration in order; `npm run migration:create` rewrites it.',
    ...names.map((n) => `import { ${n.split('_')[0]} } from './${n}.js';`),
    '',
    'export const MIGRATIONS = [',
    ...names.map((n) => `  { name: '${n}', class: ${n.split('_')[0]} },`),
    '];',
    '',
  ].join('\n');
  await writeFile('migrations/index.ts', index);
  const list = [
    '// The names of migrations/index.ts, in order, without their classes (which load',
    '// @mikro-orm/migrations): a start on a migrated database only compares names.',
    '// `npm run migration:create` rewrites it.',
    'export const MIGRATION_NAMES = [',
    ...names.map((n) => `  '${n}',`),
    '];',
    '',
  ].join('\n');
  await writeFile('migrations/names.ts', list);
} finally {
  await orm.close(true);
  await db.stop();
}
