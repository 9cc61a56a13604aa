/**
 * Every validation rule of the generator, each with a broken spec that must
 * yield its error at the right file and line.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadSpec } from '../../scripts/semconv/load.ts';
import { SpecError, type Problem } from '../../scripts/semconv/problems.ts';
import { MANIFEST, removeDir, VALID_SPEC, writeSpec } from '../support/spec-fixture.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) removeDir(dir);
});

/** Every problem of a spec: the errors and warnings of a SpecError, or the warnings of one that loads. */
function problemsOf(files: Record<string, string | null>, strict = false): Problem[] {
  const dir = writeSpec(files);
  dirs.push(dir);
  const warnings: Problem[] = [];
  try {
    loadSpec(dir, { strict, warnings });
  } catch (error) {
    if (error instanceof SpecError) return [...error.problems];
    throw error;
  }
  return warnings;
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
  /** Warnings: rules Weaver does not enforce, which the registry may break and still generate. */
  readonly severity?: 'warning';
}

const closedMode = broken('        brief: A mode.\n', '        brief: A mode.\n        annotations:\n          flo:\n            closed: true\n');

const cases: Case[] = [
  { rule: 'yaml-syntax', text: broken('examples: [alpha]', 'examples: [alpha'), marker: 'requirement_level: required', message: /flow sequence|Missing|expected/i },
  { rule: 'duplicate-key', text: broken('brief: A name.', 'brief: A name.\n        brief: Again.'), marker: 'brief: Again.', message: /unique|duplicate/i },
  { rule: 'unknown-key', text: broken('instrument: counter', 'instrumnt: counter'), marker: 'instrumnt', message: /unknown key "instrumnt"/ },
  { rule: 'unknown-key', text: broken('        span_name: demo.{demo.name}.run', '        span_nme: demo.{demo.name}.run'), marker: 'flo:', message: /unknown key "span_nme" in annotations\.flo/ },
  { rule: 'unknown-instrument', text: broken('instrument: counter', 'instrument: meter'), marker: 'instrument: meter', message: /"meter", expected one of: counter/ },
  { rule: 'unknown-type', text: broken('type: string', 'type: float'), marker: 'type: float', message: /"float"/ },
  { rule: 'unknown-group-type', text: broken('type: span', 'type: spam'), marker: 'type: spam', message: /group type "spam"/ },
  { rule: 'unknown-span-kind', text: broken('span_kind: internal', 'span_kind: inner'), marker: 'span_kind: inner', message: /"inner"/ },
  { rule: 'unknown-requirement-level', text: broken('requirement_level: required', 'requirement_level: mandatory'), marker: 'mandatory', message: /"mandatory"/ },
  { rule: 'wrong-type', text: broken('brief: A name.', 'brief: 42'), marker: 'brief: 42', message: /"brief" of attribute "demo.name" must be a string \(quote it: '42'\)/ },
  { rule: 'wrong-type', text: broken('    brief: Demo runs.\n', '    brief: Demo runs.\n    deprecated: false\n'), marker: 'deprecated: false', message: /must be a mapping with a "reason".*omit it when not deprecated/ },
  { rule: 'unknown-deprecation-reason', text: broken('    brief: Demo runs.\n', '    brief: Demo runs.\n    deprecated:\n      reason: gone\n'), marker: 'reason: gone', message: /"gone", expected one of: renamed, obsoleted/ },
  { rule: 'undefined-ref', text: broken('      - ref: demo.mode\n  - id: metric.demo.runs', '      - ref: demo.mood\n  - id: metric.demo.runs'), marker: 'ref: demo.mood', message: /"demo.mood", which no attribute group of this registry or its dependencies defines/ },
  { rule: 'undefined-ref', text: broken('    span_kind: internal\n', '    span_kind: internal\n    extends: registry.nope\n'), marker: 'extends: registry.nope', message: /extends "registry.nope", which is not a group/ },
  { rule: 'placeholder-without-attribute', text: broken('span_name: demo.{demo.name}.run', 'span_name: demo.{demo.id}.run'), marker: 'flo:', message: /placeholder \{demo.id\}/ },
  { rule: 'placeholder-not-required', text: broken('span_name: demo.{demo.name}.run', 'span_name: demo.{demo.mode}.run'), marker: 'flo:', message: /must be a required attribute/ },
  { rule: 'instrument-name', text: broken('metric_name: demo.runs', 'metric_name: 1demo.runs'), marker: 'metric_name: 1demo', message: /"1demo.runs" is not an OpenTelemetry instrument name \(a letter, then at most 254 letters, digits, "_", ".", "-" or "\/"\)/ },
  { rule: 'name-format', severity: 'warning', text: broken('metric_name: demo.runs', 'metric_name: Demo.Runs'), marker: 'metric_name: Demo.Runs', message: /metric name "Demo.Runs" does not follow the semantic conventions' naming rule: lowercase letters and digits in parts joined by a single "." or "_", starting with a letter/ },
  { rule: 'name-format', severity: 'warning', text: broken('- id: demo.name', '- id: demo-name').replace(/ref: demo\.name/g, 'ref: demo-name').replace('{demo.name}', '{demo-name}'), marker: 'id: demo-name', message: /attribute id "demo-name" does not follow the semantic conventions' naming rule/ },
  { rule: 'missing-unit', text: broken("    unit: '{run}'\n", ''), marker: 'id: metric.demo.runs', message: /missing "unit"/ },
  { rule: 'unit-format', severity: 'warning', text: broken("unit: '{run}'", "unit: 'runs per {run'"), marker: "unit: 'runs per {run'", message: /unit "runs per \{run" of metric "demo.runs" is not a UCUM code/ },
  { rule: 'enum-example', text: closedMode.replace('examples: [fast]', 'examples: [medium]'), marker: 'id: demo.mode', message: /"medium" of "demo.mode" is not one of its members/ },
  { rule: 'closed-not-enum', text: broken('        brief: A name.\n', '        brief: A name.\n        annotations:\n          flo:\n            closed: true\n'), marker: 'flo:', message: /closed on "demo.name", which is not an enum/ },
  { rule: 'duplicate-enum-value', severity: 'warning', text: broken('              value: slow', '              value: fast'), marker: 'id: slow', message: /member value of "demo.mode" "fast" is already defined at .*demo\.yaml:\d+:\d+/ },
  { rule: 'wrong-type', text: broken('              value: slow', '              value: .inf'), marker: 'value: .inf', message: /member "slow" has no usable "value"/ },
  { rule: 'example-type', text: broken('examples: [alpha]', 'examples: [42]'), marker: 'id: demo.name', message: /42 of "demo.name" is not of type string/ },
  { rule: 'missing-brief', text: broken('    brief: Demo runs.\n', ''), marker: 'id: metric.demo.runs', message: /missing "brief"/ },
  { rule: 'advice-on-non-histogram', text: broken("unit: '{run}'", "unit: '{run}'\n    annotations:\n      flo:\n        explicit_bucket_boundaries: [1, 2]"), marker: 'flo:', occurrence: 2, message: /which is a counter/ },
  { rule: 'bucket-order', text: broken('[0.1, 1, 10]', '[0.1, 10, 1]'), marker: 'flo:', occurrence: 2, message: /strictly increase/ },
  { rule: 'duplicate-ref', text: broken('      - ref: demo.mode\n  - id: metric.demo.runs', '      - ref: demo.mode\n      - ref: demo.mode\n  - id: metric.demo.runs'), marker: 'ref: demo.mode', occurrence: 2, message: /listed twice/ },
  { rule: 'duplicate-metric-name', text: broken('metric_name: demo.duration', 'metric_name: demo.runs'), marker: 'id: metric.demo.duration', message: /metric name "demo.runs" is already defined at .*:\d+:\d+/ },
  { rule: 'duplicate-id', text: broken('- id: metric.demo.duration', '- id: metric.demo.runs'), marker: '- id: metric.demo.runs', occurrence: 2, message: /group id "metric.demo.runs"/ },
  { rule: 'on-error-type', text: broken('        examples: [fast]', '        examples: [fast]\n        annotations:\n          flo:\n            on_error: type'), marker: 'id: demo.mode', message: /on_error but is not of type string/ },
  { rule: 'empty-enum', text: broken('          members:\n            - id: fast', '          members: []\n          _was:\n            - id: fast'), marker: 'members: []', message: /no members/ },
  { rule: 'cyclic-reference', text: `${VALID_SPEC}  - id: registry.a\n    type: attribute_group\n    brief: A.\n    extends: registry.b\n  - id: registry.b\n    type: attribute_group\n    brief: B.\n    extends: registry.a\n`, marker: 'extends: registry.b', message: /extends or refines itself/ },
  { rule: 'unknown-key', text: broken('      - ref: demo.name\n  - id: metric.demo.duration', '      - ref_group: registry.demo\n  - id: metric.demo.duration'), marker: 'ref_group: registry.demo', message: /only valid in files with `file_format: definition\/2`/ },
  { rule: 'unmatched-import', text: `${VALID_SPEC}imports:\n  metrics:\n    - nope.*\n`, marker: '- nope.*', message: /imports.metrics "nope.\*" matches nothing/ },
  { rule: 'unknown-file-format', text: `file_format: definition/9\n${VALID_SPEC}`, marker: 'file_format', message: /"definition\/9"/ },
  // Events: their body (Weaver's AnyValue specification) and the severity the kit's own events name.
  { rule: 'unknown-type', text: withEvent('    body: { id: demo.body, type: object, requirement_level: recommended }\n'), marker: 'body:', message: /"type" of the body of event group "event.demo.seen" is "object", expected one of: boolean, int/ },
  { rule: 'unknown-key', text: withEvent('    body: { id: demo.body, type: string, fields: [] }\n'), marker: 'body:', message: /"fields" of the body of event group "event.demo.seen" belong to a map or map\[\] only, not to a string/ },
  { rule: 'missing-key', text: withEvent('    body: { id: demo.body, type: map, fields: [{ id: text, type: string }, { type: int }] }\n'), marker: 'body:', message: /field "\?" of the body of event group "event.demo.seen" is missing "id"/ },
  { rule: 'empty-enum', text: withEvent('    body: { id: demo.body, type: enum, members: [] }\n'), marker: 'body:', message: /the body of event group "event.demo.seen" is an enum with no members/ },
  { rule: 'unknown-key', text: broken('    span_kind: internal\n', '    span_kind: internal\n    body: { id: demo.body, type: string }\n'), marker: 'body:', message: /"body" of span group "span.demo.run" belongs to events only/ },
  { rule: 'wrong-type', text: withEvent('    annotations: { flo: { severity: LOUD } }\n'), marker: 'severity: LOUD', message: /annotations.flo.severity of event "event.demo.seen" is "LOUD": give a severity name \(TRACE, DEBUG, INFO, WARN, ERROR, FATAL/ },
  { rule: 'unknown-key', text: withEvent('    annotations: { flo: { severty: WARN } }\n'), marker: 'severty: WARN', message: /unknown key "severty" in annotations.flo of event "event.demo.seen" \(allowed: severity, records\)/ },
];

/** The valid fixture with one event, `extra` lines added to its group. */
function withEvent(extra: string): string {
  return `${VALID_SPEC}  - id: event.demo.seen\n    type: event\n    name: demo.seen\n    brief: Seen.\n    stability: development\n${extra}    attributes:\n      - ref: demo.name\n`;
}

describe('spec validation rules', () => {
  it.each(cases)('$rule names the file and line', ({ rule, text, marker, occurrence, message, severity = 'error' }) => {
    const problems = problemsOf({ 'demo.yaml': text });
    const match = problems.find((problem) => problem.rule === rule);
    expect(match, `rules reported: ${problems.map((p) => p.rule).join(', ')}`).toBeDefined();
    expect(match?.severity).toBe(severity);
    expect(match?.location.file).toMatch(/demo\.yaml$/);
    expect(match?.location.line).toBe(lineOf(text, marker, occurrence));
    expect(match?.location.column).toBeGreaterThan(0);
    expect(match?.message).toMatch(message);
    // A warning alone lets the registry generate; --strict makes it an error.
    if (severity === 'warning') {
      expect(problems.filter((problem) => problem.severity === 'error')).toEqual([]);
      expect(problemsOf({ 'demo.yaml': text }, true).find((problem) => problem.rule === rule)?.severity).toBe('error');
    }
  });

  it('accepts the valid fixture', () => {
    expect(problemsOf({ 'demo.yaml': VALID_SPEC })).toEqual([]);
  });

  it('reports an attribute id defined in two files, pointing at the second', () => {
    const other = 'groups:\n  - id: registry.other\n    type: attribute_group\n    brief: Other.\n    stability: development\n    attributes:\n      - id: demo.name\n        type: string\n        brief: Again.\n';
    const problems = problemsOf({ 'demo.yaml': VALID_SPEC, 'other.yaml': other });
    expect(problems.map((problem) => problem.rule)).toEqual(['duplicate-id']);
    expect(problems[0]).toMatchObject({ rule: 'duplicate-id', location: { line: 7 } });
    expect(problems[0]?.location.file).toMatch(/other\.yaml$/);
    expect(problems[0]?.message).toMatch(/demo\.yaml:7:/);
  });

  it('reports generated constants that would collide, suggesting code_name', () => {
    const clash = broken('  - id: span.demo.run', '      - id: demo_name\n        type: string\n        brief: Flat twin.\n        stability: development\n  - id: span.demo.run');
    const problems = problemsOf({ 'demo.yaml': clash });
    expect(problems.map((problem) => problem.rule)).toEqual(['name-collision']);
    expect(problems[0]?.message).toMatch(/code_name/);
    expect(problems[0]?.location.line).toBe(lineOf(clash, 'id: demo_name'));
  });

  it('reports a missing manifest, and takes no other file for one', () => {
    expect(problemsOf({ 'manifest.yaml': null, 'demo.yaml': VALID_SPEC }).map((p) => p.rule)).toEqual(['missing-manifest']);
    const renamed = problemsOf({ 'manifest.yaml': null, 'old_registry_manifest.yaml': MANIFEST, 'demo.yaml': VALID_SPEC });
    expect(renamed.map((p) => p.rule)).toContain('missing-manifest');
  });

  it('reports an empty or comment-only manifest instead of naming the scope "?"', () => {
    const problems = problemsOf({ 'manifest.yaml': '# nothing here\n', 'demo.yaml': VALID_SPEC });
    expect(problems.map((p) => p.rule)).toEqual(['invalid-manifest']);
    expect(problems[0]?.message).toMatch(/needs at least "schema_url"/);
  });

  it('reads the legacy manifest name, and derives the scope from schema_url', () => {
    const dir = writeSpec({ 'manifest.yaml': null, 'registry_manifest.yaml': 'schema_url: https://example.com/schemas/legacy_lib/2.0.1\n', 'demo.yaml': VALID_SPEC });
    dirs.push(dir);
    expect(loadSpec(dir).scope).toEqual({ name: 'legacy_lib', version: '2.0.1', schemaUrl: 'https://example.com/schemas/legacy_lib/2.0.1' });
  });

  it('names the scope as docs/spec-format.md says: options, then the manifest\'s name and version keys, then schema_url, each on its own', () => {
    const dir = writeSpec({ 'manifest.yaml': 'schema_url: https://example.com/schemas/from_url/3.0.0\nname: acme\n', 'demo.yaml': VALID_SPEC });
    dirs.push(dir);
    expect(loadSpec(dir).scope).toMatchObject({ name: 'acme', version: '3.0.0' });
    expect(loadSpec(dir, { scopeName: 'cli', scopeVersion: '9' }).scope).toMatchObject({ name: 'cli', version: '9' });
    const documented = readFileSync(join(import.meta.dirname, '../../docs/spec-format.md'), 'utf8').replace(/\s+/g, ' ');
    expect(documented).toContain('from the manifest\'s own `name` and `version` keys (or the legacy `semconv_version`), when it has them; else from `schema_url`');
  });

  it('refuses remote and missing dependencies, naming the manifest line', () => {
    const manifest = `${MANIFEST}dependencies:\n  - name: otel\n    schema_url: https://opentelemetry.io/schemas/1.41.1\n    registry_path: https://github.com/open-telemetry/semantic-conventions.git[model]\n  - name: local\n    schema_url: https://example.com/schemas/dep/1.0.0\n    registry_path: ../no-such-folder\n`;
    const problems = problemsOf({ 'manifest.yaml': manifest, 'demo.yaml': VALID_SPEC });
    expect(problems.map((p) => [p.rule, p.location.line])).toEqual([['remote-dependency', 5], ['missing-dependency', 8]]);
    expect(problems[0]?.message).toMatch(/vendor the registry/);
    expect(problems[1]?.message).toMatch(/dependency local: "\.\.\/no-such-folder" is a folder neither relative to the manifest's folder \(.*\/no-such-folder\) nor to the working directory \(.*\/no-such-folder\)/);
  });

  it('lists a dependency that cannot be read first, before the references it leaves unresolved, which name it', () => {
    const manifest = `${MANIFEST}dependencies:\n  - name: otel\n    schema_url: https://opentelemetry.io/schemas/1.41.1\n    registry_path: ../no-such-folder\n`;
    const user = VALID_SPEC.replace('      - ref: demo.name\n  - id: metric.demo.duration', '      - ref: demo.name\n      - ref: error.type\n  - id: metric.demo.duration');
    // a.yaml sorts before manifest.yaml: by file alone, its follow-on error would come first.
    const problems = problemsOf({ 'manifest.yaml': manifest, 'a.yaml': user });
    expect(problems.map((p) => p.rule)).toEqual(['missing-dependency', 'undefined-ref']);
    expect(problems[1]?.message).toMatch(/"error.type", which no attribute group .* defines; the dependency otel could not be read \(see the first error\)$/);
  });

  it('suggests the known attribute nearest to a misspelt reference, comparing whole ids', () => {
    const known = (id: string) => `      - id: ${id}\n        type: string\n        brief: Known.\n        stability: development\n        examples: [x]\n`;
    const text = VALID_SPEC.replace('  - id: span.demo.run', `${known('gen_ai.data_source.id')}${known('app.installation.id')}  - id: span.demo.run`).replace(
      '      - ref: demo.name\n  - id: metric.demo.duration',
      '      - ref: demo.name\n      - ref: gen_ai.datasource.id\n      - ref: demo.nmae\n      - ref: totally.different\n  - id: metric.demo.duration',
    );
    const messages = problemsOf({ 'demo.yaml': text }).map((p) => p.message);
    expect(messages).toEqual([
      expect.stringMatching(/"gen_ai.datasource.id", .* defines \(did you mean "gen_ai.data_source.id"\?\)$/),
      expect.stringMatching(/"demo.nmae", .* defines \(did you mean "demo.name"\?\)$/),
      expect.stringMatching(/"totally.different", .* defines$/),
    ]);
  });

  it('resolves a dependency against the manifest folder, from any working directory', () => {
    const dependency = 'groups:\n  - id: registry.dep\n    type: attribute_group\n    brief: Dep.\n    stability: development\n    attributes:\n      - id: dep.code\n        type: int\n        brief: A code.\n        stability: development\n';
    const manifest = `${MANIFEST}dependencies:\n  - name: dep\n    schema_url: https://example.com/schemas/dep/1.0.0\n    registry_path: .deps/dep\n`;
    const user = VALID_SPEC.replace('      - ref: demo.name\n  - id: metric.demo.duration', '      - ref: demo.name\n      - ref: dep.code\n  - id: metric.demo.duration');
    const dir = writeSpec({ 'manifest.yaml': manifest, 'demo.yaml': user, '.deps/dep/dep.yaml': dependency });
    dirs.push(dir);
    const spec = loadSpec(dir);
    const code = spec.metrics.find((m) => m.metricName === 'demo.runs')?.attributes.find((u) => u.attribute.id === 'dep.code');
    expect(code?.attribute).toMatchObject({ type: 'int', dependency: 'https://example.com/schemas/dep/1.0.0' });
    // The hidden dependency folder is not read as part of the registry itself.
    expect(spec.attributes.filter((a) => a.dependency === undefined).map((a) => a.id)).toEqual(['demo.name', 'demo.mode']);
  });

  it('accepts a deprecated enum alias that shares its value with the member replacing it', () => {
    const alias = broken('            - id: slow\n', '            - id: slow_old\n              value: slow\n              stability: development\n              deprecated:\n                reason: renamed\n                renamed_to: slow\n            - id: slow\n');
    expect(problemsOf({ 'demo.yaml': alias })).toEqual([]);
  });

  it('reports a missing parent once, however many fields the group inherits from it', () => {
    const text = broken('    span_kind: internal\n    brief: A demo run.\n', '    span_kind: internal\n    extends: registry.nope\n');
    const problems = problemsOf({ 'demo.yaml': text });
    // The brief it would have inherited is missing too: said once, beside the missing parent.
    expect(problems.map((p) => p.rule)).toEqual(['missing-brief', 'undefined-ref']);
    expect(problems[1]?.location.line).toBe(lineOf(text, 'extends: registry.nope'));
  });

  it('reports every problem of one metric, an unknown instrument not hiding an undefined reference', () => {
    const text = broken('instrument: counter', 'instrument: meter').replace('      - ref: demo.name\n  - id: metric.demo.duration', '      - ref: demo.nam\n  - id: metric.demo.duration');
    expect(problemsOf({ 'demo.yaml': text }).map((p) => p.rule).sort()).toEqual(['undefined-ref', 'unknown-instrument']);
  });

  it('reports every problem of every file in one run, sorted by file and line', () => {
    const first = broken('instrument: counter', 'instrument: meter').replace('span_kind: internal', 'span_kind: inner');
    const second = 'groups:\n  - id: metric.more\n    type: metric\n    metric_name: more\n    instrument: counter\n    brief: No unit.\n';
    const problems = problemsOf({ 'a.yaml': first, 'b.yaml': second });
    expect(problems.map((problem) => problem.rule)).toEqual(['unknown-span-kind', 'unknown-instrument', 'missing-unit']);
    expect(problems[2]?.location.file).toMatch(/b\.yaml$/);
  });
});
