/**
 * The generator and the runtime share rules, not internals (issue 24): the generator package
 * compiles nothing of src/ but src/runtime/rules.ts, the module of value and kind rules both use,
 * which imports nothing itself.
 */
import { spawnSync } from 'node:child_process';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importsOf, reachable, REPO } from '../support/import-graph.ts';

const RULES = 'src/runtime/rules.ts';
const fromRepo = (files: Iterable<string>) => [...files].map((file) => relative(REPO, file)).sort();

describe('the generator imports nothing of the runtime but its rules', () => {
  it('from its entry points, the only file of src/ it reaches is src/runtime/rules.ts', () => {
    const reached = reachable([join(REPO, 'scripts/generate.ts'), join(REPO, 'scripts/bin.ts')]);
    expect(fromRepo(reached).filter((file) => file.startsWith('src/'))).toEqual([RULES]);
  });

  it('src/runtime/rules.ts imports nothing', () => {
    expect(importsOf(join(REPO, RULES))).toEqual([]);
  });

  it("the generator package's build compiles no other file of src/", () => {
    const tsc = spawnSync(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', 'scripts/tsconfig.build.json', '--listFilesOnly'], { cwd: REPO, encoding: 'utf8' });
    expect(tsc.status, tsc.stderr).toBe(0);
    const compiled = tsc.stdout.split('\n').filter((line) => line.startsWith(join(REPO, 'src')));
    expect(fromRepo(compiled)).toEqual([RULES]);
  }, 60_000);
});
