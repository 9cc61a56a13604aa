/**
 * The built `flo-semconv` bin works on every Node the package says it runs on:
 * the lowest version `engines` allows (installed from the npm registry) and
 * the default one. On Node 22.15–22.17 `import.meta.main` is undefined; a bin
 * that relied on it wrote nothing and exited 0, even with --check on a broken
 * spec. CI runs this file on its own before the whole suite (.ci/run).
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir } from '../support/spec-fixture.ts';
import { GENERATOR_V8_FLAGS } from '../../scripts/heap-settings.ts';
import { lowestSupportedNode, nodeBinary, packages, run, userEnv, type Packages } from './support/packages.ts';

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

/**
 * A module preloaded into every Node process the bin starts (through NODE_OPTIONS): each
 * appends `{ pid, execArgv }` to `log` as it starts; with `hold`, the process that has the heap
 * settings then blocks for 30 s, so a test can signal the bin while the generator would run.
 */
function probe(log: string, hold: boolean): NodeJS.ProcessEnv {
  const file = join(temp('bin-probe'), 'probe.mjs');
  const settings = `${JSON.stringify(GENERATOR_V8_FLAGS)}.every((flag) => process.execArgv.includes(flag))`;
  const lines = [
    "import { appendFileSync } from 'node:fs';",
    `appendFileSync(${JSON.stringify(log)}, JSON.stringify({ pid: process.pid, execArgv: process.execArgv }) + '\\n');`,
    hold ? `if (${settings}) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 30_000);` : '',
  ];
  writeFileSync(file, lines.join('\n'));
  return { ...userEnv(), NODE_OPTIONS: `--import=${pathToFileURL(file).href}` };
}

interface Started {
  readonly pid: number;
  readonly execArgv: readonly string[];
}

const started = (log: string): Started[] =>
  existsSync(log)
    ? readFileSync(log, 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Started)
    : [];

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
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

  it('runs the generator in a second Node started with the heap settings, passing on the arguments and the exit status', () => {
    const log = join(temp('bin-log'), 'started.jsonl');
    const out = temp('bin-out');
    const result = run(node().binary, [built.bin, '--spec', FIXTURE, '--out', out, '--docs', join(out, 'docs')], { cwd: built.stage, env: probe(log, false) });
    expect(result.code).toBe(0);
    const processes = started(log);
    expect(processes).toHaveLength(2);
    expect(processes[0]?.execArgv).not.toEqual(expect.arrayContaining([...GENERATOR_V8_FLAGS]));
    expect(processes[1]?.execArgv).toEqual(expect.arrayContaining([...GENERATOR_V8_FLAGS]));
    expect(readdirSync(out)).toContain('metrics.ts');
    // The second process's status comes back: a broken spec exits 1 through both.
    expect(run(node().binary, [built.bin, '--spec', brokenSpec(), '--out', temp('bin-out'), '--check'], { cwd: built.stage, env: probe(log, false) }).code).toBe(1);
  });

  it('passes SIGTERM on to the generator process and ends by it, leaving no process and no output behind', async () => {
    const log = join(temp('bin-log'), 'started.jsonl');
    const out = temp('bin-out');
    const bin = spawn(node().binary, [built.bin, '--spec', FIXTURE, '--out', out, '--docs', join(out, 'docs')], { cwd: built.stage, env: probe(log, true), stdio: 'ignore' });
    const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => bin.once('exit', (code, signal) => resolve({ code, signal })));
    while (started(log).length < 2) await new Promise((resolve) => setTimeout(resolve, 50));
    const generator = started(log)[1] as Started;
    expect(alive(generator.pid)).toBe(true);
    bin.kill('SIGTERM');
    expect(await ended).toEqual({ code: null, signal: 'SIGTERM' });
    for (let wait = 0; wait < 100 && alive(generator.pid); wait += 1) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(alive(generator.pid)).toBe(false);
    expect(readdirSync(out)).toEqual([]);
  }, 30_000);
});
