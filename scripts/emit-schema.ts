// Writes schema.graphql from the type-graphql resolvers; with --check, fails when it is stale.
import 'reflect-metadata';
import { readFile, writeFile } from 'node:fs/promises';
import { buildAppSchema, printAppSchema } from '../src/graphql/schema.js';

const built = printAppSchema(await buildAppSchema({ check: true }));
if (process.argv.includes('--check')) {
  const checkedIn = await readFile('schema.graphql', 'utf8').catch(() => '');
  if (checkedIn !== built) {
    console.error('schema.graphql is stale: run `npm run schema` and commit the result');
    process.exit(1);
  }
  console.log('schema.graphql matches the built schema');
} else {
  await writeFile('schema.graphql', built);
  console.log('wrote schema.graphql');
}
