// dist/bundle/main.js, what `npm start` runs: loads the bundled gateway (gateway.cjs) through
// V8's code cache. Node 20 has no compile cache of its own (module.enableCompileCache is Node 22),
// and compiling the 7 MB bundle was about half of the start. The first start compiles as usual
// and, once the gateway listens, saves the compiled code (functions run during start included)
// beside the bundle; later starts skip that work. A missing, stale or unwritable cache only
// means a slower start: V8 refuses a cache made by another V8 or with other flags, and the
// cache's name carries the bundle's size and mtime, so a rebuilt bundle never meets an old one.
// Built as CommonJS (dist/bundle/package.json says so): an ES module entry would start Node's ES
// module loader, and its facades of the built-in modules, for this one small file.
import { readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { constants, Script } from 'node:vm';

const dir = import.meta.dirname;
const file = join(dir, 'gateway.cjs');
const { size, mtimeMs } = statSync(file);
const cacheFile = join(dir, `gateway.cjs.${size}-${Math.trunc(mtimeMs)}.v8-cache`);

let cachedData: Buffer | undefined;
try {
  cachedData = readFileSync(cacheFile);
} catch {
  // None yet: this start writes it.
}
// The CommonJS wrapper on the bundle's first line, so line numbers in stack traces stay the bundle's.
const script = new Script(`(function (exports, require, module, __filename, __dirname) {${readFileSync(file, 'utf8')}\n})`, {
  filename: file,
  cachedData,
  // The bundle's import() of its externals (PGlite, altair-static, pino-pretty) resolve as in any module.
  importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
});
const module: { exports: { started?: Promise<boolean> } } = { exports: {} };
(script.runInThisContext() as (...args: unknown[]) => void)(module.exports, createRequire(file), module, file, dir);

if (cachedData === undefined || script.cachedDataRejected) {
  void module.exports.started?.then((listening) => {
    if (!listening) return;
    const partial = `${cacheFile}.${process.pid}`;
    try {
      writeFileSync(partial, script.createCachedData());
      renameSync(partial, cacheFile);
    } catch {
      // A read-only dist/: every start compiles, as without a cache.
      try {
        unlinkSync(partial);
      } catch {
        // Nothing was written.
      }
    }
  });
}
