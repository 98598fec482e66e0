// Import cycles in src/, type imports included: import-x/no-cycle skips `import type`, so this counts every edge.
// Usage: tsx scripts/check-cycles.ts [dir ...]   (default: src). Exits 1 naming each cycle.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';

const root = resolve(import.meta.dirname, '..');
const dirs = (process.argv.length > 2 ? process.argv.slice(2) : ['src']).map((d) => resolve(root, d));
const options: ts.CompilerOptions = { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, allowJs: false };

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

const files = dirs.flatMap(sourceFiles);
const inScope = new Set(files);
// preProcessFile reports `import`, `import type`, `export … from`, `import()` and `import('…').T` alike.
const edges = new Map(
  files.map((file) => {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, false);
    const targets = importedFiles
      .map(({ fileName }) => ts.resolveModuleName(fileName, file, options, ts.sys).resolvedModule?.resolvedFileName)
      .filter((target): target is string => target !== undefined && inScope.has(resolve(target)))
      .map((target) => resolve(target));
    return [file, [...new Set(targets)]];
  }),
);

// Tarjan's strongly connected components.
const index = new Map<string, number>();
const low = new Map<string, number>();
const stack: string[] = [];
const onStack = new Set<string>();
const components: string[][] = [];
function connect(v: string): void {
  index.set(v, index.size);
  low.set(v, index.get(v)!);
  stack.push(v);
  onStack.add(v);
  for (const w of edges.get(v)!) {
    if (!index.has(w)) {
      connect(w);
      low.set(v, Math.min(low.get(v)!, low.get(w)!));
    } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
  }
  if (low.get(v) !== index.get(v)) return;
  const component: string[] = [];
  let w: string;
  do {
    w = stack.pop()!;
    onStack.delete(w);
    component.push(w);
  } while (w !== v);
  if (component.length > 1 || edges.get(v)!.includes(v)) components.push(component);
}
for (const file of files) if (!index.has(file)) connect(file);

// One shortest cycle through the component's first file, so the message names a path to cut.
function cycleThrough(start: string, members: Set<string>): string[] {
  const previous = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    for (const next of edges.get(queue[i])!) {
      if (!members.has(next)) continue;
      if (next === start) {
        const path = [queue[i]];
        while (path[0] !== start) path.unshift(previous.get(path[0])!);
        return [...path, start];
      }
      if (!previous.has(next)) {
        previous.set(next, queue[i]);
        queue.push(next);
      }
    }
  }
  return [start];
}

const name = (file: string) => relative(root, file);
if (components.length === 0) {
  console.log(`check-cycles: no import cycle in ${files.length} files (type imports counted)`);
} else {
  for (const component of components) {
    const members = new Set(component.sort());
    console.error(`import cycle among ${component.length} files (type imports counted):`);
    for (const file of component) console.error(`  ${name(file)}`);
    console.error(`  e.g. ${cycleThrough(component[0], members).map(name).join(' -> ')}`);
  }
  process.exitCode = 1;
}

// Modules (the folders under src/modules/) must point one way too: a file-level acyclic graph can
// still have ledger -> transfers and transfers -> ledger through different files.
const moduleOf = (file: string) => /^src\/modules\/([^/]+)\//.exec(name(file))?.[1];
const moduleEdges = new Map<string, Map<string, [string, string]>>();
for (const [file, targets] of edges) {
  const from = moduleOf(file);
  if (!from) continue;
  for (const target of targets) {
    const to = moduleOf(target);
    if (!to || to === from) continue;
    const out = moduleEdges.get(from) ?? new Map<string, [string, string]>();
    if (!out.has(to)) out.set(to, [file, target]);
    moduleEdges.set(from, out);
  }
}
const reaches = (from: string, to: string): boolean => {
  const seen = new Set([from]);
  const queue = [from];
  for (let i = 0; i < queue.length; i++) {
    for (const next of moduleEdges.get(queue[i])?.keys() ?? []) {
      if (next === to) return true;
      if (seen.has(next)) continue;
      seen.add(next);
      queue.push(next);
    }
  }
  return false;
};
const moduleCycles = [...moduleEdges].flatMap(([from, out]) =>
  [...out].filter(([to]) => reaches(to, from)).map(([to, [file, target]]) => `  ${from} -> ${to} (${name(file)} imports ${name(target)})`),
);
if (moduleCycles.length === 0) {
  console.log(`check-cycles: no cycle between the ${new Set([...edges.keys()].map(moduleOf).filter(Boolean)).size} modules`);
} else {
  console.error('modules that point at each other (each arrow below lies on a cycle):');
  for (const line of moduleCycles.sort()) console.error(line);
  process.exitCode = 1;
}

// Rule 14: what modules use sits below them, so nothing under src/modules or src/shared imports the
// schema assembly (src/graphql/) or the server (src/server/), which import the modules.
const upward = [...edges].flatMap(([file, targets]) =>
  /^src\/(modules|shared)\//.test(name(file))
    ? targets.filter((t) => /^src\/(graphql|server)\//.test(name(t))).map((t) => `  ${name(file)} imports ${name(t)}`)
    : [],
);
if (upward.length > 0) {
  console.error('imports that point up from a module or shared/ to graphql/ or server/:');
  for (const line of upward) console.error(line);
  process.exitCode = 1;
}
