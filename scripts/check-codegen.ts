// Fails when tests/generated is not what `npm run codegen` would write from schema.graphql.
import { readFile } from 'node:fs/promises';
import { generate } from '@graphql-codegen/cli';
import { parse } from 'yaml';

const config = parse(await readFile('codegen.yml', 'utf8'));
const outputs = (await generate({ ...config, silent: true }, false)) as Array<{ filename: string; content: string }>;
let stale = 0;
for (const output of outputs) {
  const committed = await readFile(output.filename, 'utf8').catch(() => '');
  if (committed !== output.content) {
    console.error(`${output.filename} is stale: run \`npm run codegen\` and commit the result`);
    stale++;
  }
}
if (stale > 0) process.exit(1);
console.log(`codegen output is current (${outputs.length} file(s))`);
