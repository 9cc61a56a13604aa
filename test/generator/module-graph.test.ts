/**
 * The generator's modules import each other without a circle: each stage
 * (YAML reading, parsing of the two file formats, resolution, rendering)
 * depends only on the ones before it, so any of them loads and is tested on
 * its own.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'dist' ? [] : sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Each module's relative imports (`import`, `export … from`, `import()`), as absolute paths. */
function importGraph(dir: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sources(dir)) {
    const imported = ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles.map((entry) => entry.fileName);
    graph.set(file, imported.filter((name) => name.startsWith('.')).map((name) => resolve(dirname(file), name)));
  }
  return graph;
}

/** Every circle of imports, each once, as the list of modules it passes through. */
function circles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const found: string[][] = [];
  const done = new Set<string>();
  const visit = (module: string, path: string[]): void => {
    const at = path.indexOf(module);
    if (at >= 0) {
      found.push([...path.slice(at), module]);
      return;
    }
    if (done.has(module) || !graph.has(module)) return;
    for (const next of graph.get(module) ?? []) visit(next, [...path, module]);
    done.add(module);
  };
  for (const module of graph.keys()) visit(module, []);
  return found.map((circle) => circle.map((module) => relative(ROOT, module)));
}

describe('the generator (scripts/)', () => {
  it('has no import circle', () => {
    expect(circles(importGraph(join(ROOT, 'scripts')))).toEqual([]);
  });

  it('finds a circle when there is one, so the check above can fail', () => {
    const a = join(ROOT, 'a.ts');
    const b = join(ROOT, 'b.ts');
    expect(circles(new Map([[a, [b]], [b, [a]]]))).toEqual([['a.ts', 'b.ts', 'a.ts']]);
  });
});
