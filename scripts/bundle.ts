// Bundles the tsc output (dist/src/main.js, decorator metadata already emitted) into dist/bundle/gateway.cjs,
// run by dist/bundle/main.js (scripts/bundle-main.ts) through V8's code cache:
// one module graph instead of ~1,700 files to resolve, read and compile at every start.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const BUNDLE_DIR = join(ROOT, 'dist', 'bundle');

/** Loaded from node_modules at run time (an external is imported at start even from a lazily used module): native code, files read beside their own sources, worker entry points, optional drivers. */
const EXTERNAL = [
  'bcrypt',
  '@electric-sql/*',
  'altair-static',
  'pino',
  'pino-pretty',
  'pg-native',
  'pg-query-stream',
  // knex's other dialects, required only when configured.
  'mysql',
  'mysql2',
  'oracledb',
  'sqlite3',
  'better-sqlite3',
  'mariadb',
  'mariadb/*',
  'tedious',
  'libsql',
];

/**
 * esbuild's keepNames helper, as it emits it: a defineProperty of `name` on every function it
 * wraps, which puts that function's properties in dictionary mode (+256 bytes and ~3x the time
 * per closure made, measured on Node 20). With keepNames every arrow and async function made at
 * run time (each request's, each subscription's) is wrapped, named or not.
 */
// esbuild renames the helper's parameter (value2, …) when the bundle has a top-level `value` of its own.
const ESBUILD_KEEP_NAME = /__name=\(target,(value\d*)\)=>__defProp\(target,"name",\{value(?::\1)?,configurable:!0\}\)/g;
/**
 * The same for what keepNames is here for (classes and functions esbuild renamed); a function
 * already named so, or an anonymous arrow or async function (no prototype), is left as it is,
 * so a closure costs what it costs unbundled. Such an arrow's stack frame still reads by its
 * receiver (`Object.send`) and position.
 */
const KEEP_NAME =
  'const __bundleKeepName = (target, value) => target.name === value || (target.name === "" && target.prototype === undefined) ? target : Object.defineProperty(target, "name", { value, configurable: true });';

/** MikroORM checks its packages' versions against the core's own package.json, found by a path relative to its source. */
const mikroOrmVersion: Plugin = {
  name: 'mikro-orm-version',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/(\.\.\/)?package\.json$/ }, (args) =>
      args.importer.includes('/node_modules/@mikro-orm/core/') ? { path: join(ROOT, 'node_modules/@mikro-orm/core/package.json') } : undefined,
    );
  },
};

/**
 * type-graphql runs `await import('class-validator')` for every validated argument. Of a CommonJS
 * package, esbuild's import() copies all its exports into a new object on each call (__toESM):
 * 9 % of the gateway's CPU on the createTransfer path. Through an ES module that re-exports the
 * package, the copy is made once, when that module first runs. The same for every ES module's
 * `import … from` of these two (CommonJS in the bundle, as CommonJS packages require them): one
 * copy of graphql's 215 exports per importing module, 78 of them, was ~3 % of the start's CPU.
 */
const IMPORTED_ONCE = /^(class-validator|graphql)$/;
const importOnce: Plugin = {
  name: 'import-once',
  setup(b) {
    b.onResolve({ filter: IMPORTED_ONCE }, (args) =>
      (args.kind === 'dynamic-import' || args.kind === 'import-statement') && args.namespace !== 'import-once'
        ? { path: args.path, namespace: 'import-once' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'import-once' }, (args) => ({
      contents: `export * from ${JSON.stringify(args.path)};`,
      resolveDir: ROOT,
      loader: 'js',
    }));
  },
};

/**
 * @apollo/utils.createhash picks node:crypto only when `module.require` exists, which esbuild's
 * module wrapper lacks: bundled, Apollo hashed every request's query with sha.js, a SHA-256 in
 * plain JavaScript. Here it is node:crypto, as unbundled.
 */
const nodeCryptoHash: Plugin = {
  name: 'node-crypto-hash',
  setup(b) {
    b.onLoad({ filter: /[\\/]@apollo[\\/]utils\.createhash[\\/]dist[\\/]index\.js$/ }, () => ({
      contents: `const { createHash } = require('node:crypto'); exports.createHash = (kind) => createHash(kind);`,
      loader: 'js',
    }));
  },
};

/**
 * pg asks whether it runs in a Cloudflare Worker when its first module loads: on Node 20 (no
 * `navigator`) by making a `new Response(...)`, which loads Node's whole fetch implementation
 * (undici) at start, though nothing needs it until a request calls fetch (~35 ms of the start's
 * CPU). A bundle for Node is never in a Worker.
 */
const pgOnNode: Plugin = {
  name: 'pg-on-node',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/]pg[\\/]lib[\\/]stream\.js$/ }, async (args) => {
      const code = await readFile(args.path, 'utf8');
      const check = 'function isCloudflareRuntime() {';
      if (code.split(check).length !== 2) throw new Error(`pg's isCloudflareRuntime not found once in ${args.path}: check scripts/bundle.ts against this pg`);
      return { contents: code.replace(check, `${check}\n  return false;`), loader: 'js' };
    });
  },
};

export async function bundle(): Promise<void> {
  await rm(BUNDLE_DIR, { recursive: true, force: true });
  await build({
    entryPoints: [join(ROOT, 'dist', 'src', 'main.js')],
    outfile: join(BUNDLE_DIR, 'gateway.cjs'),
    bundle: true,
    // One file, no splitting: a split chunk of a CommonJS package exports only `default`, and
    // `await import('class-validator')` (type-graphql), 'ajv' and 'graphql' need its named exports.
    // What is imported lazily stays unevaluated until used, only parsed. CommonJS, so that
    // main.js (scripts/bundle-main.ts) can run it as a vm.Script with V8's code cache.
    format: 'cjs',
    // import() in code V8 restored from a code cache fails (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING:
    // the script's host-defined options are not restored with it), so esbuild turns each import()
    // into require() in a promise: the lazily loaded externals (PGlite, altair-static, pino-pretty)
    // still load on first use; the ES-module-only ones through require(esm), which Node >= 20.19 has.
    supported: { 'dynamic-import': false },
    platform: 'node',
    target: 'node20',
    external: EXTERNAL,
    plugins: [mikroOrmVersion, importOnce, nodeCryptoHash, pgOnNode],
    define: { 'import.meta.url': '__bundleImportMetaUrl' },
    banner: { js: `var __bundleImportMetaUrl = require("node:url").pathToFileURL(__filename).href; ${KEEP_NAME}` },
    // MikroORM and type-graphql name tables and types after the classes: esbuild's renames must not show.
    keepNames: true,
    // Less source for V8 to scan at start; names stay (keepNames), so stack traces still read.
    minifyWhitespace: true,
    minifySyntax: true,
    sourcemap: true,
    logLevel: 'error',
  });
  await useKeepName(join(BUNDLE_DIR, 'gateway.cjs'));
  // main.js is CommonJS: the package's "type": "module" would make Node load it through its ES module loader.
  await writeFile(join(BUNDLE_DIR, 'package.json'), `${JSON.stringify({ type: 'commonjs' })}\n`);
  await build({
    entryPoints: [join(ROOT, 'scripts', 'bundle-main.ts')],
    outfile: join(BUNDLE_DIR, 'main.js'),
    bundle: true,
    format: 'cjs',
    define: { 'import.meta.dirname': '__dirname' },
    platform: 'node',
    target: 'node20',
    logLevel: 'error',
  });
}

/** Points esbuild's helper at KEEP_NAME, padded to its length so the source map's columns still hold. */
async function useKeepName(file: string): Promise<void> {
  const code = await readFile(file, 'utf8');
  const found = [...code.matchAll(ESBUILD_KEEP_NAME)];
  if (found.length !== 1) throw new Error(`esbuild's keepNames helper not found once in ${file}: check scripts/bundle.ts against this esbuild`);
  const [{ index: at, 0: helper }] = found;
  const replacement = '__name=__bundleKeepName'.padEnd(helper.length, ' ');
  await writeFile(file, code.slice(0, at) + replacement + code.slice(at + helper.length));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await bundle();
}
