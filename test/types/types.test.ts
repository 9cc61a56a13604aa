/**
 * The generated types enforce the spec at compile time: tsc must accept the
 * fixture, whose every `@ts-expect-error` marks a call the spec forbids.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const FIXTURE = join(ROOT, 'test/types/fixtures/recorders.ts');

function tsc(project: string) {
  const result = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '--noEmit', '--pretty', 'false', '-p', project], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return { code: result.status, output: result.stdout + result.stderr };
}

describe('generated types', () => {
  it('reject every call the fixture marks as an error, and accept the rest', () => {
    const result = tsc(join(ROOT, 'test/types/tsconfig.json'));
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  });

  it('the fixture still holds its negative cases', () => {
    const markers = readFileSync(FIXTURE, 'utf8').match(/^\s*\/\/ @ts-expect-error /gm) ?? [];
    expect(markers).toHaveLength(12);
  });
});
