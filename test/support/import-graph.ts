/**
 * The static import graph of the repository's TypeScript, read with TypeScript's own
 * pre-processor (`ts.preProcessFile`: every `import`, `export … from` and `import()` of a file,
 * type-only ones included), for tests about the shape of the code: which files a program
 * reaches, and whether imports go round in a circle.
 */
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import ts from 'typescript';

export const REPO = resolve(import.meta.dirname, '../..');

/** The repository files `file` imports (relative specifiers only; packages are left out), as absolute paths. */
export function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return info.importedFiles.map((entry) => entry.fileName).filter((specifier) => specifier.startsWith('.')).map((specifier) => resolve(dirname(file), specifier));
}

/** Every repository file reached from `entries` through imports, the entries included. */
export function reachable(entries: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const pending = [...entries];
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    pending.push(...importsOf(file));
  }
  return seen;
}

/** The import circles among `files` (each as the list of files round it, relative to the repository), none when the graph is acyclic. */
export function importCircles(files: readonly string[]): string[][] {
  const inScope = new Set(files);
  const edges = new Map(files.map((file) => [file, importsOf(file).filter((target) => inScope.has(target))]));
  const circles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    path.push(file);
    for (const target of edges.get(file) ?? []) {
      if (state.get(target) === 'open') circles.push([...path.slice(path.indexOf(target)), target].map((f) => relative(REPO, f)));
      else if (state.get(target) === undefined) visit(target);
    }
    path.pop();
    state.set(file, 'done');
  };
  for (const file of files) if (state.get(file) === undefined) visit(file);
  return circles;
}
