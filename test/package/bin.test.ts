/**
 * The built `flo-semconv` bin works on every Node the package says it runs on:
 * the lowest version `engines` allows (installed from the npm registry) and
 * the default one. On Node 22.15–22.17 `import.meta.main` is undefined; a bin
 * that relied on it wrote nothing and exited 0, even with --check on a broken
 * spec. CI runs this file on its own before the whole suite (.ci/run).
 */
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir } from '../support/spec-fixture.ts';
import { lowestSupportedNode, nodeBinary, packages, run, type Packages } from './support/packages.ts';

const FIXTURE = join(import.meta.dirname, 'fixtures/acme-spec');
const LOWEST = lowestSupportedNode();
let built: Packages;
const dirs: string[] = [];

beforeAll(() => {
  built = packages();
}, 600_000);

afterAll(() => {
  for (const dir of dirs.splice(0)) removeDir(dir);
});

function temp(prefix: string): string {
  const dir = makeTempDir(prefix);
  dirs.push(dir);
  return dir;
}

/** The fixture spec with one metric's instrument misspelt: invalid, so generation must fail. */
function brokenSpec(): string {
  const dir = temp('broken-spec');
  cpSync(FIXTURE, dir, { recursive: true });
  const file = join(dir, 'acme.yaml');
  writeFileSync(file, readFileSync(file, 'utf8').replace('instrument: counter', 'instrument: countr'));
  return dir;
}

describe.each([
  { label: `the lowest Node engines allows (${LOWEST})`, version: LOWEST, binary: () => nodeBinary(LOWEST) },
  { label: `the default Node (${process.version.slice(1)})`, version: process.version.slice(1), binary: () => process.execPath },
])('the built flo-semconv bin on $label', ({ version, binary }) => {
  let nodeBinaryPath: string;
  beforeAll(() => {
    nodeBinaryPath = binary();
  }, 600_000);
  const node = () => ({ binary: nodeBinaryPath });

  it(`runs on Node ${version}`, () => {
    expect(run(node().binary, ['--version'], { cwd: built.stage }).stdout.trim()).toBe(`v${version}`);
  });

  it('generates a spec: writes the TypeScript and the docs, exits 0', () => {
    const out = temp('bin-out');
    const docs = temp('bin-docs');
    const result = run(node().binary, [built.bin, '--spec', FIXTURE, '--out', out, '--docs', docs], { cwd: built.stage });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(readdirSync(out)).toEqual(expect.arrayContaining(['attributes.ts', 'index.ts', 'metrics.ts', 'scope.ts', 'spans.ts']));
    expect(readdirSync(docs)).toEqual(expect.arrayContaining(['attributes.md', 'metrics.md', 'spans.md']));
    expect(result.stdout).toContain(`wrote ${join(out, 'metrics.ts')}`);
    // Up to date now: --check agrees.
    expect(run(node().binary, [built.bin, '--spec', FIXTURE, '--out', out, '--docs', docs, '--check'], { cwd: built.stage }).code).toBe(0);
  });

  it('--check on a broken spec exits 1 with located problems and writes nothing', () => {
    const out = temp('bin-out');
    const result = run(node().binary, [built.bin, '--spec', brokenSpec(), '--out', out, '--docs', join(out, 'docs'), '--check'], { cwd: built.stage });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/acme\.yaml:\d+:\d+: error \[unknown-instrument\]/);
    expect(readdirSync(out)).toEqual([]);
  });

  it('generating a broken spec exits 1 too', () => {
    const out = temp('bin-out');
    const result = run(node().binary, [built.bin, '--spec', brokenSpec(), '--out', out, '--docs', join(out, 'docs')], { cwd: built.stage });
    expect(result.code).toBe(1);
    expect(existsSync(join(out, 'docs'))).toBe(false);
  });

  it('the generator module started directly (node …/generate.js) runs too', () => {
    const generate = join(built.bin, '../generate.js');
    const result = run(node().binary, [generate, '--spec', brokenSpec(), '--out', temp('bin-out'), '--check'], { cwd: built.stage });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/\[unknown-instrument\]/);
  });
});
