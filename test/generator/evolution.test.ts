/**
 * Spec evolution: breaking changes apart from compatible ones, against a
 * folder or a git revision; deprecation carried into code and docs.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { renderDocs } from '../../scripts/codegen/docs.ts';
import { renderTypeScript } from '../../scripts/codegen/typescript.ts';
import { diffSpecs } from '../../scripts/semconv/diff.ts';
import { loadSpec } from '../../scripts/semconv/load.ts';
import { removeDir, VALID_SPEC, writeSpec } from '../support/spec-fixture.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) removeDir(dir);
});

function spec(text: string) {
  const dir = writeSpec({ 'demo.yaml': text });
  dirs.push(dir);
  return loadSpec(dir);
}

function changesAfter(search: string, replacement: string) {
  if (!VALID_SPEC.includes(search)) throw new Error(`fixture lacks ${search}`);
  return diffSpecs(spec(VALID_SPEC), spec(VALID_SPEC.replace(search, replacement))).map((c) => `${c.breaking ? 'breaking' : 'compatible'}: ${c.subject}: ${c.description}`);
}

describe('diffSpecs', () => {
  it('finds nothing between a spec and itself', () => {
    expect(diffSpecs(spec(VALID_SPEC), spec(VALID_SPEC))).toEqual([]);
  });

  it.each([
    ['a changed unit', 'unit: s', 'unit: ms', 'breaking: metric demo.duration: unit changed from s to ms'],
    ['a changed instrument', 'instrument: counter', 'instrument: updowncounter', 'breaking: metric demo.runs: instrument changed from counter to updowncounter'],
    ['a renamed metric', 'metric_name: demo.runs', 'metric_name: demo.run.count', 'breaking: metric demo.runs: removed'],
    ['a changed attribute type', '        type: string\n        brief: A name.\n        stability: development\n        examples: [alpha]', '        type: int\n        brief: A name.\n        stability: development\n        examples: [1]', 'breaking: attribute demo.name: type changed from string to int'],
    ['a removed enum member', '            - id: slow\n              value: slow\n              stability: development\n', '', 'breaking: attribute demo.mode: enum member "slow" removed'],
    ['a changed span name', 'span_name: demo.{demo.name}.run', 'span_name: demo.{demo.name}.execute', 'breaking: span span.demo.run: name changed from demo.{demo.name}.run to demo.{demo.name}.execute'],
    ['a changed span kind', 'span_kind: internal', 'span_kind: client', 'breaking: span span.demo.run: kind changed from internal to client'],
    ['a new required attribute', '    attributes:\n      - ref: demo.mode\n', '    attributes:\n      - ref: demo.mode\n      - ref: demo.name\n', 'breaking: metric demo.duration: required attribute demo.name added'],
    ['an attribute made required', '      - ref: demo.mode\n  - id: metric.demo.runs', '      - ref: demo.mode\n        requirement_level: required\n  - id: metric.demo.runs', 'breaking: span span.demo.run: attribute demo.mode became required'],
  ])('%s is breaking', (_what, search, replacement, expected) => {
    expect(changesAfter(search, replacement)).toContain(expected);
  });

  it.each([
    ['a new optional attribute', "    attributes:\n      - ref: demo.name\n  - id: metric.demo.duration", "    attributes:\n      - ref: demo.name\n      - ref: demo.mode\n  - id: metric.demo.duration", 'compatible: metric demo.runs: optional attribute demo.mode added'],
    ['a new enum member', '            - id: slow\n              value: slow\n', '            - id: slow\n              value: slow\n            - id: medium\n              value: medium\n', 'compatible: attribute demo.mode: enum member "medium" added'],
    ['a deprecation', '    brief: Demo runs.\n', '    brief: Demo runs.\n    deprecated:\n      reason: obsoleted\n      note: Use demo.duration counts.\n', 'compatible: metric demo.runs: deprecated: Obsoleted. Use demo.duration counts.'],
    ['new bucket advice', '[0.1, 1, 10]', '[0.1, 1, 10, 100]', 'compatible: metric demo.duration: bucket advice changed'],
  ])('%s is compatible', (_what, search, replacement, expected) => {
    const changes = changesAfter(search, replacement);
    expect(changes).toContain(expected);
    expect(changes.filter((line) => line.startsWith('breaking'))).toEqual([]);
  });

  it('a new metric is compatible', () => {
    const extra = `${VALID_SPEC}  - id: metric.demo.errors\n    type: metric\n    metric_name: demo.errors\n    instrument: counter\n    unit: '{error}'\n    brief: Errors.\n`;
    expect(diffSpecs(spec(VALID_SPEC), spec(extra))).toEqual([{ breaking: false, subject: 'metric demo.errors', description: 'added' }]);
  });
});

describe('generate --diff', () => {
  function run(args: string[], cwd = ROOT) {
    const result = spawnSync(process.execPath, [join(ROOT, 'scripts/generate.ts'), ...args], { cwd, encoding: 'utf8' });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  it('exits 1 and lists breaking changes against a baseline folder', () => {
    const baseline = writeSpec({ 'demo.yaml': VALID_SPEC });
    const current = writeSpec({ 'demo.yaml': VALID_SPEC.replace('unit: s', 'unit: ms') });
    dirs.push(baseline, current);
    const result = run(['--spec', current, '--diff', baseline]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('breaking: metric demo.duration: unit changed from s to ms');
    expect(result.stdout).toMatch(/1 breaking, 0 compatible/);
  });

  it('compares with the spec folder at a git revision, exiting 0 when only compatible changes were made', () => {
    const repo = writeSpec({ 'demo.yaml': VALID_SPEC });
    dirs.push(repo);
    const git = (...args: string[]) => execFileSync('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { encoding: 'utf8' });
    git('init', '-q');
    git('add', '.');
    git('commit', '-qm', 'v1');
    writeFileSync(join(repo, 'demo.yaml'), VALID_SPEC.replace('            - id: slow\n', '            - id: medium\n              value: medium\n            - id: slow\n'));
    const result = run(['--spec', repo, '--diff', 'git:HEAD']);
    expect(result.stdout).toContain('compatible: attribute demo.mode: enum member "medium" added');
    expect(result.code).toBe(0);
  });
});

describe('deprecation in generated code and docs', () => {
  const deprecated = VALID_SPEC.replace(
    '    brief: Demo runs.\n',
    '    brief: Demo runs.\n    deprecated:\n      reason: renamed\n      renamed_to: demo.duration\n      note: Counted by demo.duration now.\n',
  ).replace('        brief: A mode.\n', '        brief: A mode.\n        deprecated:\n          reason: obsoleted\n          note: Modes are gone.\n');

  it('marks deprecated recorders, constants and setters @deprecated', () => {
    const files = renderTypeScript(spec(deprecated), { runtimeImport: 'x' });
    expect(files.get('metrics.ts')).toMatch(/@deprecated Counted by demo\.duration now\. Use `demo\.duration` instead\.\s*\*\/\s*export function recordDemoRuns/);
    expect(files.get('attributes.ts')).toMatch(/@deprecated Obsoleted\. Modes are gone\.\s*\*\/\s*export const ATTR_DEMO_MODE/);
    expect(files.get('spans.ts')).toMatch(/@deprecated Obsoleted\. Modes are gone\.\s*\*\/\s*setDemoMode/);
  });

  it('says so in the docs', () => {
    const docs = renderDocs(spec(deprecated));
    expect(docs.get('metrics.md')).toContain('**Deprecated:** Counted by demo.duration now. Use `demo.duration` instead.');
    expect(docs.get('attributes.md')).toContain('**Deprecated:** Obsoleted. Modes are gone.');
  });
});
