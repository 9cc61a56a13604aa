/**
 * `generate --diff git:REV` copies the spec folder as it was at REV into a
 * temporary folder: it must remove that folder on every outcome, and when a
 * side of the comparison does not validate, say which side, with locations a
 * user can open (`REV:path` for the baseline), never blaming the other one.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir, VALID_SPEC, writeSpec } from '../support/spec-fixture.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const BROKEN = VALID_SPEC.replace('instrument: counter', 'instrument: meter');
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) removeDir(dir);
});

/** A git repository whose committed spec is `committed`, with `current` in the working tree. */
function repoWith(committed: string, current: string) {
  const repo = writeSpec({ 'demo.yaml': committed });
  dirs.push(repo);
  const git = (...args: string[]) => execFileSync('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { encoding: 'utf8' });
  git('init', '-q');
  git('add', '.');
  git('commit', '-qm', 'baseline');
  writeFileSync(join(repo, 'demo.yaml'), current);
  return repo;
}

/** Runs `generate --spec repo --diff git:REV` with its own temporary folder, and lists what is left in it. */
function diffAgainstHead(repo: string, revision = 'HEAD') {
  const tmp = makeTempDir('diff-tmp');
  dirs.push(tmp);
  const result = spawnSync(process.execPath, [join(ROOT, 'scripts/generate.ts'), '--spec', repo, '--diff', `git:${revision}`], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, TMPDIR: tmp },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, leftInTmp: readdirSync(tmp) };
}

describe('generate --diff git:REV', () => {
  it('leaves no temporary folder behind after a comparison', () => {
    const result = diffAgainstHead(repoWith(VALID_SPEC, VALID_SPEC.replace('unit: s', 'unit: ms')));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('breaking: metric demo.duration: unit changed from s to ms');
    expect(result.leftInTmp).toEqual([]);
  });

  it('names the baseline, with git locations, when the baseline is the broken spec; leaves nothing behind', () => {
    const repo = repoWith(BROKEN, VALID_SPEC);
    const result = diffAgainstHead(repo);
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/^HEAD:demo\.yaml:\d+:\d+: error \[unknown-instrument\]/);
    expect(lines.at(-1)).toBe('node scripts/generate.ts --diff: 1 error in the baseline git:HEAD; nothing was compared');
    expect(result.stderr).not.toContain(repo);
    expect(result.leftInTmp).toEqual([]);
  });

  it('names the current spec when that is the broken one', () => {
    const repo = repoWith(VALID_SPEC, BROKEN);
    const result = diffAgainstHead(repo);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/demo\.yaml:\d+:\d+: error \[unknown-instrument\]/);
    expect(result.stderr).not.toContain('HEAD:demo.yaml');
    expect(result.stderr.trim().split('\n').at(-1)).toBe(`node scripts/generate.ts --diff: 1 error in the spec ${repo}; nothing was compared`);
    expect(result.leftInTmp).toEqual([]);
  });

  it('reports both sides when both are broken', () => {
    const result = diffAgainstHead(repoWith(BROKEN, BROKEN.replace('    unit: s\n', '')));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('1 error in the baseline git:HEAD');
    expect(result.stderr).toMatch(/2 errors in the spec /);
    expect(result.leftInTmp).toEqual([]);
  });

  it('a revision that does not exist is an error (exit 2) that leaves nothing behind', () => {
    const result = diffAgainstHead(repoWith(VALID_SPEC, VALID_SPEC), 'no-such-revision');
    expect(result.code).toBe(2);
    expect(result.leftInTmp).toEqual([]);
  });
});
