/**
 * The folders of src/ import each other without a cycle (dependency-cruiser, `npm run lint:layers`,
 * checks modules and layers; this checks the picture a reader has of the tree: folder by folder, with
 * src/ocpi/wire and src/oicp/wire counted apart from their transports).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const SRC = join(__dirname, '..', 'src');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** `mapping`, `flows`, `ocpi/wire`, `oicp/soap`, ...; files directly in src/ are `(root)`. */
function folderOf(file: string): string {
  const parts = relative(SRC, file).split(sep);
  if (parts.length === 1) return '(root)';
  const deep = (parts[0] === 'ocpi' || parts[0] === 'oicp') && parts.length > 2;
  return parts.slice(0, deep ? 2 : 1).join('/');
}

function folderGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of files(SRC)) {
    const from = folderOf(file);
    for (const [, spec] of readFileSync(file, 'utf8').matchAll(/^(?:import|export)\b[^'"]*?from '(\.[^']+)'/gm)) {
      const target = resolve(dirname(file), spec!);
      const to = folderOf(existsSync(`${target}.ts`) ? `${target}.ts` : join(target, 'index.ts'));
      if (to !== from) graph.set(from, (graph.get(from) ?? new Set()).add(to));
    }
  }
  return graph;
}

/** The folders on a cycle, found by following the imports depth first. */
function cycles(graph: Map<string, Set<string>>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') found.push([...path.slice(path.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return found;
}

it('src/ folders import each other without a cycle', () => {
  const graph = folderGraph();
  expect(graph.size).toBeGreaterThan(10);
  expect(cycles(graph).map((c) => c.join(' -> '))).toEqual([]);
});

it('finds a cycle when there is one', () => {
  expect(cycles(new Map([['a', new Set(['b'])], ['b', new Set(['c'])], ['c', new Set(['a'])]]))).toEqual([['a', 'b', 'c', 'a']]);
});
