/**
 * Every validation rule of the generator, each with a broken spec that must
 * yield its error at the right file and line.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadSpec } from '../../scripts/semconv/load.ts';
import { SpecError, type Problem } from '../../scripts/semconv/problems.ts';
import { removeDir, VALID_SPEC, writeSpec } from '../support/spec-fixture.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) removeDir(dir);
});

function problemsOf(files: Record<string, string | null>): Problem[] {
  const dir = writeSpec(files);
  dirs.push(dir);
  try {
    loadSpec(dir);
  } catch (error) {
    if (error instanceof SpecError) return [...error.problems];
    throw error;
  }
  return [];
}

/** 1-based line of the first line containing `marker`. */
function lineOf(text: string, marker: string, occurrence = 1): number {
  const lines = text.split('\n');
  let seen = 0;
  const index = lines.findIndex((line) => line.includes(marker) && ++seen === occurrence);
  if (index < 0) throw new Error(`marker ${marker} not in fixture`);
  return index + 1;
}

function broken(search: string, replacement: string): string {
  if (!VALID_SPEC.includes(search)) throw new Error(`fixture lacks ${search}`);
  return VALID_SPEC.replace(search, replacement);
}

interface Case {
  readonly rule: string;
  readonly text: string;
  readonly marker: string;
  readonly occurrence?: number;
  readonly message: RegExp;
}

const cases: Case[] = [
  { rule: 'yaml-syntax', text: broken('examples: [alpha]', 'examples: [alpha'), marker: 'requirement_level: required', message: /flow sequence|Missing|expected/i },
  { rule: 'duplicate-key', text: broken('brief: A name.', 'brief: A name.\n        brief: Again.'), marker: 'brief: Again.', message: /unique|duplicate/i },
  { rule: 'unknown-key', text: broken('instrument: counter', 'instrumnt: counter'), marker: 'instrumnt', message: /unknown key "instrumnt"/ },
  { rule: 'unknown-instrument', text: broken('instrument: counter', 'instrument: meter'), marker: 'instrument: meter', message: /"meter", expected one of: counter/ },
  { rule: 'unknown-type', text: broken('type: string', 'type: float'), marker: 'type: float', message: /"float"/ },
  { rule: 'unknown-group-type', text: broken('type: span', 'type: event'), marker: 'type: event', message: /group type "event"/ },
  { rule: 'unknown-span-kind', text: broken('span_kind: internal', 'span_kind: inner'), marker: 'span_kind: inner', message: /"inner"/ },
  { rule: 'unknown-requirement-level', text: broken('requirement_level: required', 'requirement_level: mandatory'), marker: 'mandatory', message: /"mandatory"/ },
  { rule: 'undefined-ref', text: broken('      - ref: demo.mode\n  - id: metric.demo.runs', '      - ref: demo.mood\n  - id: metric.demo.runs'), marker: 'ref: demo.mood', message: /"demo.mood", which no attribute group defines/ },
  { rule: 'placeholder-without-attribute', text: broken('span_name: demo.{demo.name}.run', 'span_name: demo.{demo.id}.run'), marker: 'span_name:', message: /placeholder \{demo.id\}/ },
  { rule: 'placeholder-not-required', text: broken('span_name: demo.{demo.name}.run', 'span_name: demo.{demo.mode}.run'), marker: 'span_name:', message: /must be a required attribute/ },
  { rule: 'name-format', text: broken('metric_name: demo.runs', 'metric_name: Demo.Runs'), marker: 'metric_name: Demo.Runs', message: /not lowercase dotted/ },
  { rule: 'name-format', text: broken('- id: demo.name', '- id: demo-name'), marker: 'id: demo-name', message: /attribute id "demo-name"/ },
  { rule: 'missing-unit', text: broken("    unit: '{run}'\n", ''), marker: 'id: metric.demo.runs', message: /missing "unit"/ },
  { rule: 'unit-format', text: broken("unit: '{run}'", "unit: 'runs per {run'"), marker: 'id: metric.demo.runs', message: /not a UCUM unit/ },
  { rule: 'enum-example', text: broken('examples: [fast]', 'examples: [medium]'), marker: 'examples: [medium]', message: /"medium" of "demo.mode" is not one of its members/ },
  { rule: 'example-type', text: broken('examples: [alpha]', 'examples: [42]'), marker: 'examples: [42]', message: /42 of "demo.name" is not of type string/ },
  { rule: 'missing-brief', text: broken('    brief: Demo runs.\n', ''), marker: 'id: metric.demo.runs', message: /missing "brief"/ },
  { rule: 'advice-on-non-histogram', text: broken("unit: '{run}'", "unit: '{run}'\n    advice:\n      explicit_bucket_boundaries: [1, 2]"), marker: 'explicit_bucket_boundaries: [1, 2]', message: /which is a counter/ },
  { rule: 'bucket-order', text: broken('[0.1, 1, 10]', '[0.1, 10, 1]'), marker: '[0.1, 10, 1]', message: /strictly increase/ },
  { rule: 'duplicate-ref', text: broken('      - ref: demo.mode\n  - id: metric.demo.runs', '      - ref: demo.mode\n      - ref: demo.mode\n  - id: metric.demo.runs'), marker: 'ref: demo.mode', occurrence: 2, message: /already defined/ },
  { rule: 'duplicate-metric-name', text: broken('metric_name: demo.duration', 'metric_name: demo.runs'), marker: 'id: metric.demo.duration', message: /metric name "demo.runs" is already defined at .*:\d+:\d+/ },
  { rule: 'duplicate-id', text: broken('- id: metric.demo.duration', '- id: metric.demo.runs'), marker: '- id: metric.demo.runs', occurrence: 2, message: /group id "metric.demo.runs"/ },
  { rule: 'on-error-type', text: broken('        examples: [fast]', '        examples: [fast]\n        on_error: type'), marker: 'id: demo.mode', message: /on_error but is not of type string/ },
  { rule: 'empty-enum', text: broken('          members:\n            - id: fast\n              value: fast\n            - id: slow\n              value: slow', '          members: []'), marker: 'members: []', message: /no members/ },
];

describe('spec validation rules', () => {
  it.each(cases)('$rule names the file and line', ({ rule, text, marker, occurrence, message }) => {
    const problems = problemsOf({ 'demo.yaml': text });
    const match = problems.find((problem) => problem.rule === rule);
    expect(match, `rules reported: ${problems.map((p) => p.rule).join(', ')}`).toBeDefined();
    expect(match?.location.file).toMatch(/demo\.yaml$/);
    expect(match?.location.line).toBe(lineOf(text, marker, occurrence));
    expect(match?.location.column).toBeGreaterThan(0);
    expect(match?.message).toMatch(message);
  });

  it('accepts the valid fixture', () => {
    expect(problemsOf({ 'demo.yaml': VALID_SPEC })).toEqual([]);
  });

  it('reports an attribute id defined in two files, pointing at the second', () => {
    const other = 'groups:\n  - id: registry.other\n    type: attribute_group\n    brief: Other.\n    attributes:\n      - id: demo.name\n        type: string\n        brief: Again.\n';
    const problems = problemsOf({ 'demo.yaml': VALID_SPEC, 'other.yaml': other });
    expect(problems.map((problem) => problem.rule)).toEqual(['duplicate-id']);
    expect(problems[0]).toMatchObject({ rule: 'duplicate-id', location: { line: 6 } });
    expect(problems[0]?.location.file).toMatch(/other\.yaml$/);
    expect(problems[0]?.message).toMatch(/demo\.yaml:6:/);
  });

  it('reports generated constants that would collide, suggesting code_name', () => {
    const clash = broken('  - id: span.demo.run', '      - id: demo_name\n        type: string\n        brief: Flat twin.\n  - id: span.demo.run');
    const problems = problemsOf({ 'demo.yaml': clash });
    expect(problems.map((problem) => problem.rule)).toEqual(['name-collision']);
    expect(problems[0]?.message).toMatch(/code_name/);
    expect(problems[0]?.location.line).toBe(lineOf(clash, 'id: demo_name'));
  });

  it('reports a missing manifest', () => {
    expect(problemsOf({ 'registry_manifest.yaml': null, 'demo.yaml': VALID_SPEC }).map((p) => p.rule)).toEqual(['missing-manifest']);
  });

  it('reports every problem of every file in one run, sorted by file and line', () => {
    const first = broken('instrument: counter', 'instrument: meter').replace('span_kind: internal', 'span_kind: inner');
    const second = 'groups:\n  - id: metric.more\n    type: metric\n    metric_name: more\n    instrument: counter\n    brief: No unit.\n';
    const problems = problemsOf({ 'a.yaml': first, 'b.yaml': second });
    expect(problems.map((problem) => problem.rule)).toEqual(['unknown-span-kind', 'unknown-instrument', 'missing-unit']);
    expect(problems[2]?.location.file).toMatch(/b\.yaml$/);
  });
});
