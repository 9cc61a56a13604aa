/**
 * The conventions tables (scripts/codegen/conventions.ts) and the emitters generated from them
 * (scripts/codegen/emitter.ts): a small registry with a dependency stands for the kit's spec and
 * semantic conventions; an opt-in registry stands for the GenAI development conventions.
 *
 * - the key rule: which keys each span attribute is written under in each selection;
 * - observations: which metrics record them in each selection, with what value, when, and with
 *   which attributes; units converted as the spec's units say, never by a factor written in it;
 * - the opt-in: its own names, its renamed attributes, its metrics generated beside the spec's;
 * - every mistake in the annotations is a located problem, and nothing is generated.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { buildConventions, type ConventionsModel, type Recording } from '../../scripts/codegen/conventions.ts';
import { renderDocs } from '../../scripts/codegen/docs.ts';
import { renderTypeScript } from '../../scripts/codegen/typescript.ts';
import { recordableUses } from '../../scripts/semconv/generated-names.ts';
import { loadSpec } from '../../scripts/semconv/load.ts';
import { SpecError } from '../../scripts/semconv/problems.ts';
import { SELECTIONS, selectionIndex, selectionName } from '../../src/runtime/rules.ts';
import { removeDir, writeSpec } from '../support/spec-fixture.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) removeDir(dir);
});

/** The "semantic conventions": a GenAI-like span, its attributes and a duration metric in seconds. */
const DEPENDENCY = `groups:
  - id: registry.gen
    type: attribute_group
    brief: Gen attributes.
    stability: development
    attributes:
      - { id: gen.model, type: string, brief: The model., stability: development }
      - { id: gen.first_chunk, type: double, brief: Seconds to the first chunk., stability: development }
      - { id: gen.cache_creation, type: int, brief: Tokens written to a cache., stability: development }
      - { id: gen.kind, type: string, brief: A kind of token., stability: development }
  - id: span.gen.call
    type: span
    span_kind: client
    brief: A call.
    stability: development
    attributes:
      - ref: gen.model
      - ref: gen.first_chunk
  - id: metric.gen.duration
    type: metric
    metric_name: gen.duration
    instrument: histogram
    unit: s
    brief: Call duration.
    stability: development
    attributes:
      - ref: gen.model
        requirement_level: required
  - id: metric.gen.tokens
    type: metric
    metric_name: gen.tokens
    instrument: histogram
    unit: '{token}'
    brief: Tokens.
    stability: development
    annotations: { code_generation: { metric_value_type: int } }
    attributes:
      - ref: gen.model
      - ref: gen.kind
        requirement_level: required
  - id: event.gen.failed
    type: event
    name: gen.failed
    brief: A call failed.
    note: Instrumentations SHOULD set the severity to WARN (severity number 13) when recording this event.
    stability: development
    attributes:
      - ref: gen.model
        requirement_level: required
      - ref: gen.cache_creation
`;

/** The "development registry" of the opt-in: the same call under new names. */
const LATEST = `file_format: definition/2
attributes:
  - { key: gen.model, type: string, brief: The model., stability: development }
  - { key: gen.first_chunk, type: double, brief: Seconds to the first chunk., stability: development }
  - { key: gen.cache_write, type: int, brief: Tokens written to a cache., stability: development }
spans:
  - type: gen.inference
    kind: client
    brief: An inference.
    stability: development
    name: { note: '{gen.model}' }
    attributes:
      - ref: gen.model
      - ref: gen.first_chunk
      - ref: gen.cache_write
metrics:
  - name: gen.inference.duration
    instrument: histogram
    unit: s
    brief: Inference duration.
    stability: development
    attributes:
      - ref: gen.model
        requirement_level: required
events:
  - name: gen.failed
    brief: A call failed.
    note: Instrumentations SHOULD set the severity to WARN (severity number 13) when recording this event.
    stability: development
    attributes:
      - ref: gen.model
      - ref: gen.cache_write
`;

const MANIFEST = (extra = '') => `schema_url: https://example.com/schemas/kit/1.0.0
dependencies:
  - name: gen
    schema_url: https://example.com/schemas/gen/1.0.0
    registry_path: .deps/gen
annotations:
  flo:
    observations:
      call: { unit: ms, brief: A call ended. }
      call.tokens: { unit: '{token}', brief: Tokens of a call. }
      call.opened: { brief: A call was opened. }
      call.failed: { brief: A call failed. }
    gen_ai:
      metrics:
        - metric: gen.duration
          records: call
          explicit_bucket_boundaries: [0.5, 1]
        - metric: gen.tokens
          records: call.tokens
          attributes: { gen.kind: input }
          explicit_bucket_boundaries: [1, 4]
      events:
        - event: gen.failed
          records: call.failed
      opt_in:
        gen_ai_latest_experimental:
          registry_path: .deps/latest
          attributes:
            gen.cache_creation: gen.cache_write
          metrics:
            - metric: gen.inference.duration
              records: call
              explicit_bucket_boundaries: [0.5, 1]
          events:
            - event: gen.failed
              records: call.failed
${extra}`;

const KIT = (metricAnnotations = `      flo:\n        records:\n          - { observation: call, value: count }\n          - { observation: call.opened, value: count }\n`) => `imports:
  metrics: [gen.duration, gen.tokens]
  spans: [span.gen.call]
  events: [gen.failed]
groups:
  - id: registry.kit
    type: attribute_group
    brief: Kit attributes.
    stability: development
    attributes:
      - id: kit.model
        type: string
        brief: The model.
        stability: development
        requirement_level: required
        annotations: { flo: { equivalent: gen.model } }
      - id: kit.first_chunk_ms
        type: double
        brief: Milliseconds to the first chunk.
        stability: development
        annotations: { flo: { unit: ms, equivalent: { key: gen.first_chunk, unit: s } } }
      - id: kit.only
        type: int
        brief: flo_ai's only.
        stability: development
      - id: status
        type:
          members:
            - { id: success, value: success, stability: development }
            - { id: error, value: error, stability: development }
        brief: Outcome.
        stability: development
        requirement_level: required
        annotations: { flo: { closed: true } }
  - id: span.kit.call
    type: span
    span_kind: client
    brief: A call.
    stability: development
    annotations:
      flo:
        span_name: kit.{kit.model}.call
        equivalent:
          span: span.gen.call
          span_name: 'call {gen.model}'
          opt_in:
            gen_ai_latest_experimental: { span: span.gen.inference, span_name: 'infer {gen.model}' }
    attributes:
      - ref: kit.model
      - ref: kit.first_chunk_ms
      - ref: kit.only
      - ref: gen.cache_creation
  - id: span.kit.step
    type: span
    span_kind: internal
    brief: A step, with no GenAI counterpart.
    stability: development
    annotations: { flo: { span_name: kit.step } }
    attributes:
      - ref: kit.model
  - id: metric.kit.calls
    type: metric
    metric_name: kit.calls
    instrument: counter
    unit: '{call}'
    brief: Calls.
    stability: development
    annotations:
      code_generation: { metric_value_type: int }
${metricAnnotations}    attributes:
      - ref: kit.model
      - ref: status
  - id: metric.kit.duration
    type: metric
    metric_name: kit.duration
    instrument: histogram
    unit: ms
    brief: Successful call duration.
    stability: development
    annotations:
      flo:
        records: { observation: call, where: { status: success } }
    attributes:
      - ref: kit.model
`;

function spec(files: { manifest?: string; kit?: string; dependency?: string } = {}) {
  const dir = writeSpec({
    'manifest.yaml': files.manifest ?? MANIFEST(),
    'kit.yaml': files.kit ?? KIT(),
    '.deps/gen/gen.yaml': files.dependency ?? DEPENDENCY,
    '.deps/latest/manifest.yaml': 'schema_url: https://example.com/schemas/latest/2.0.0-dev\n',
    '.deps/latest/latest.yaml': LATEST,
  });
  dirs.push(dir);
  return dir;
}

function model(dir = spec()): ConventionsModel {
  const built = buildConventions(loadSpec(dir)).model;
  if (built === undefined) throw new Error('no model');
  return built;
}

function problems(files: { manifest?: string; kit?: string; dependency?: string }): Array<[string, string]> {
  try {
    buildConventions(loadSpec(spec(files)));
  } catch (error) {
    if (error instanceof SpecError) return error.problems.map((problem) => [problem.rule, problem.message]);
    throw error;
  }
  return [];
}

const describeRecording = (recording: Recording) =>
  [
    `${recording.observation.name} → ${recording.metric.metricName}`,
    recording.count ? 'count' : recording.scale === undefined ? 'value' : `value × ${recording.scale}`,
    ...(recording.where === undefined ? [] : [`if ${recording.where.attribute.id}=${String(recording.where.value)}`]),
    ...recording.fixed.map((fixed) => `${fixed.attribute.id}=${String(fixed.value)}`),
  ].join(' ');

const BY_NAME = Object.fromEntries(SELECTIONS.map((selection, index) => [selectionName(selection), index]));

describe('the key rule: the keys each span attribute is written under', () => {
  it('on a span with a GenAI equivalent: flo_ai’s vocabulary, the GenAI one, or both; converted between the units the spec gives', () => {
    const built = model();
    const [span, tables] = [...built.spans].find(([candidate]) => candidate.groupId === 'span.kit.call')!;
    const fields = recordableUses(span.attributes).map((use) => use.attribute.id);
    const keys = (selection: string) =>
      Object.fromEntries(fields.map((id, index) => [id, tables[BY_NAME[selection]!]!.writes[index]!.map((write) => (write.scale === undefined ? write.key : `${write.key} × ${write.scale}`))]));
    expect(keys('flo')).toEqual({ 'kit.model': ['kit.model'], 'kit.first_chunk_ms': ['kit.first_chunk_ms'], 'kit.only': ['kit.only'], 'gen.cache_creation': [] });
    expect(keys('gen_ai')).toEqual({ 'kit.model': ['gen.model'], 'kit.first_chunk_ms': ['gen.first_chunk × 0.001'], 'kit.only': [], 'gen.cache_creation': ['gen.cache_creation'] });
    expect(keys('both')).toEqual({
      'kit.model': ['kit.model', 'gen.model'],
      'kit.first_chunk_ms': ['kit.first_chunk_ms', 'gen.first_chunk × 0.001'],
      'kit.only': ['kit.only'],
      'gen.cache_creation': ['gen.cache_creation'],
    });
    // Under the opt-in, the dependency's attribute goes by the name the opt-in's registry gives it.
    expect(keys('gen_ai+gen_ai_latest_experimental')['gen.cache_creation']).toEqual(['gen.cache_write']);
    expect(tables.map((table) => table.equivalentName?.template)).toEqual([undefined, 'call {gen.model}', 'call {gen.model}', 'infer {gen.model}', 'infer {gen.model}']);
  });

  it('on a span without one: its own keys, and no span at all when only GenAI names are emitted', () => {
    const [, tables] = [...model().spans].find(([candidate]) => candidate.groupId === 'span.kit.step')!;
    expect(tables.map((table) => [table.emitted, table.writes])).toEqual(SELECTIONS.map((selection) => [selection.conventions !== 'gen_ai', [[{ key: 'kit.model' }]]]));
  });

  it('the dependency’s own spans are GenAI names already: emitted under their keys in every selection', () => {
    const [, tables] = [...model().spans].find(([candidate]) => candidate.groupId === 'span.gen.call')!;
    expect(tables.every((table) => table.emitted && table.writes.every((writes, index) => writes.length === 1 && writes[0]!.key === ['gen.model', 'gen.first_chunk'][index]))).toBe(true);
  });
});

describe('observations and the metrics that record them', () => {
  it('each selection records exactly its vocabulary’s metrics, values converted from the observation’s unit', () => {
    const recordings = (selection: string) => model().selections[BY_NAME[selection]!]!.recordings.map(describeRecording).sort();
    expect(recordings('flo')).toEqual(['call → kit.calls count', 'call → kit.duration value if status=success', 'call.opened → kit.calls count']);
    expect(recordings('gen_ai')).toEqual(['call → gen.duration value × 0.001', 'call.tokens → gen.tokens value gen.kind=input']);
    expect(recordings('both')).toEqual([...recordings('flo'), ...recordings('gen_ai')].sort());
    expect(recordings('gen_ai+gen_ai_latest_experimental')).toEqual(['call → gen.inference.duration value × 0.001']);
  });

  it('the factor comes from the units: a metric in minutes gets 1/60000, one in ms none', () => {
    const inMinutes = model(spec({ kit: KIT().replace("    unit: ms\n    brief: Successful call duration.", "    unit: min\n    brief: Successful call duration.") }));
    const recording = inMinutes.own.find((candidate) => candidate.metric.metricName === 'kit.duration')!;
    expect(recording.scale).toBeCloseTo(1 / 60000, 15);
    expect(model().own.find((candidate) => candidate.metric.metricName === 'kit.duration')!.scale).toBeUndefined();
  });

  it('the facts of an observation are the attributes its metrics read, required where a metric always needs them', () => {
    const facts = model().facts;
    const of = (name: string) =>
      [...facts].find(([observation]) => observation.name === name)![1].map((fact) => `${fact.attribute.id}${fact.required ? '!' : ''}`).sort();
    expect(of('call')).toEqual(['gen.model!', 'kit.model!', 'status!']);
    expect(of('call.tokens')).toEqual(['gen.model']);
  });

  it('the generated emitters call the generated recorders, dividing by 1000 where the units say so, and one object per selection', () => {
    const dir = spec();
    const { spec: loaded, model: built } = buildConventions(loadSpec(dir));
    const code = renderTypeScript(loaded, { runtimeImport: '../runtime/support.ts' }, built).get('conventions.ts')!;
    expect(code).toContain('recordGenDuration(value / 1000, facts as GenDurationAttributes)');
    expect(code).toContain("if (value !== undefined && facts.status === 'success') recordKitDuration(value, facts as KitDurationAttributes);");
    expect(code).toContain("recordGenTokens(value, { genModel: facts.genModel, genKind: 'input' } as GenTokensAttributes)");
    expect(code).toContain('export const EMITTERS: readonly ConventionsEmitter[] = [FLO, GEN_AI, BOTH, GEN_AI_GEN_AI_LATEST_EXPERIMENTAL, BOTH_GEN_AI_LATEST_EXPERIMENTAL];');
    // The bucket advice of the GenAI row lands on the imported metric.
    expect(loaded.metrics.find((metric) => metric.metricName === 'gen.duration')?.explicitBucketBoundaries).toEqual([0.5, 1]);
  });

  it('a span attribute of a fixed value: written by the generated builders under each key, no property of the start attributes, no setter', () => {
    const dir = spec({ kit: KIT().replace('      - ref: kit.only\n', '      - ref: kit.only\n        annotations: { flo: { value: 7 } }\n') });
    const { spec: loaded, model: built } = buildConventions(loadSpec(dir));
    const code = renderTypeScript(loaded, { runtimeImport: '../runtime/support.ts' }, built).get('spans.ts')!;
    expect(code).toContain("built['kit.only'] = 7;");
    expect(code).toContain("{ spec: SPEC_KIT_ONLY, property: 'kitOnly', required: false, fixed: 7 }");
    expect(code).not.toContain('readonly kitOnly?');
    expect(code).not.toContain('setKitOnly(');
  });

  it('the migration document maps each name of the dependency to the opt-in’s', () => {
    const dir = spec();
    const { spec: loaded, model: built } = buildConventions(loadSpec(dir));
    const doc = renderDocs(loaded, {}, built).get('gen-ai-migration.md')!;
    expect(doc).toContain('| `gen.cache_creation` | **`gen.cache_write`** |');
    expect(doc).toContain('| `gen.duration` | `call` | **`gen.inference.duration`** |');
    expect(doc).toContain('| `gen.tokens` `gen.kind=input` | `call.tokens` | not recorded |');
    expect(doc).toContain('| `span.gen.call`: `call {gen.model}` | **`span.gen.inference`**: `infer {gen.model}` |');
    // A name the opt-in keeps is not marked as renamed; a target without a schema URL names none.
    expect(doc).toContain('| `gen.model` | the same |');
    expect(doc).not.toContain('Schema URL ``');
  });
});

describe('observations and the events that record them', () => {
  const events = (selection: string) =>
    model().selections[BY_NAME[selection]!]!.events.map((recording) => `${recording.observation.name} → ${recording.event.eventName}${recording.optIn === undefined ? '' : ` (${recording.optIn})`}`);

  it('each selection emits the events of its GenAI conventions, and flo_ai’s names none', () => {
    expect(events('flo')).toEqual([]);
    expect(events('gen_ai')).toEqual(['call.failed → gen.failed']);
    expect(events('both')).toEqual(['call.failed → gen.failed']);
    expect(events('gen_ai+gen_ai_latest_experimental')).toEqual(['call.failed → gen.failed (gen_ai_latest_experimental)']);
  });

  it('the facts are the events’ attributes; one the opt-in renamed is read from the dependency’s name', () => {
    const [, facts] = [...model().facts].find(([observation]) => observation.name === 'call.failed')!;
    expect(facts.map((fact) => `${fact.attribute.id}${fact.required ? '!' : ''}`).sort()).toEqual(['gen.cache_creation', 'gen.model!']);
  });

  it('the emitters call the generated event recorders with the options (the context), and records says which selections emit', () => {
    const { spec: loaded, model: built } = buildConventions(loadSpec(spec()));
    const code = renderTypeScript(loaded, { runtimeImport: '../runtime/support.ts' }, built).get('conventions.ts')!;
    expect(code).toContain('callFailed(facts: CallFailedFacts, options?: EventRecordOptions): void;');
    expect(code).toContain('recordGenFailedEvent(facts as GenFailedEventAttributes, options);');
    expect(code).toContain('recordGenFailedEventGenAiLatestExperimental({ ...facts, genCacheWrite: facts.genCacheCreation } as GenFailedEventAttributesGenAiLatestExperimental, options);');
    expect(code).toMatch(/const FLO: ConventionsEmitter = \{\n  records: \{[^}]*callFailed: false[\s\S]*?  callFailed\(\) \{\},/);
    // The opt-in's event is generated beside its metrics.
    expect(built!.targets[1]!.events.map((recording) => recording.event.severity)).toEqual([{ number: 13, text: 'WARN' }]);
  });

  it('events.md maps each observation to its events in every selection, and says what each event records', () => {
    const { spec: loaded, model: built } = buildConventions(loadSpec(spec()));
    const doc = renderDocs(loaded, {}, built).get('events.md')!;
    expect(doc).toContain('| `call.failed` | A call failed. | `gen.failed` | `gen.failed` |');
    expect(doc).toMatch(/\| WARN \(13\) \| development \| `recordGenFailedEvent\(attributes, options\?\)` \| `EVENT_GEN_FAILED` \| `call.failed` \|/);
  });
});

describe('mistakes in the annotations are located problems', () => {
  it.each([
    ['an unknown observation', { kit: KIT(`      flo:\n        records: nope\n`) }, 'undefined-ref', /"nope" is not an observation/],
    ['an observation without a value measured', { kit: KIT(`      flo:\n        records: call.opened\n`) }, 'unit-mismatch', /can only count it/],
    ['units that do not convert', { manifest: MANIFEST().replace("call.tokens: { unit: '{token}'", "call.tokens: { unit: 'ms'") }, 'unit-mismatch', /"ms", which does not convert to "\{token\}"/],
    ['a where on a fact no metric carries', { kit: KIT().replace('where: { status: success }', 'where: { kit.only: 3 }') }, 'undefined-ref', /filters on "kit.only"/],
    ['a fixed value outside a closed enum', { kit: KIT(`      flo:\n        records: { observation: call, value: count, attributes: { status: maybe } }\n`) }, 'wrong-type', /"maybe" does not fit attribute "status"/],
    ['an opt-in the runtime does not know', { manifest: MANIFEST().replace('gen_ai_latest_experimental:\n          registry_path', 'gen_ai_next:\n          registry_path') }, 'unknown-opt-in', /knows the GenAI opt-ins gen_ai_latest_experimental only/],
    ['an attribute the opt-in’s registry lacks', { manifest: MANIFEST().replace('            gen.cache_creation: gen.cache_write\n', '') }, 'undefined-ref', /"gen.cache_creation" of span "span.kit.call" is not in the gen_ai_latest_experimental registry/],
    ['an event row naming no event', { manifest: MANIFEST().replace('        - event: gen.failed\n          records: call.failed\n      opt_in', '        - event: gen.lost\n          records: call.failed\n      opt_in') }, 'undefined-ref', /the row of annotations.flo.gen_ai.events for event "gen.lost": no such event \(import it from the dependency/],
    ['an event recording an unknown observation', { manifest: MANIFEST().replace('          records: call.failed\n      opt_in', '          records: call.lost\n      opt_in') }, 'undefined-ref', /"call.lost" is not an observation of the manifest/],
    ['an unknown key in an event row', { manifest: MANIFEST().replace('        - event: gen.failed\n          records: call.failed\n      opt_in', '        - event: gen.failed\n          severity: WARN\n          records: call.failed\n      opt_in') }, 'unknown-key', /unknown key "severity" in the row of annotations.flo.gen_ai.events for event "gen.failed" \(allowed: event, records\)/],
    ['conflicting bucket advice', { manifest: MANIFEST().replace("          explicit_bucket_boundaries: [1, 4]\n", "          explicit_bucket_boundaries: [1, 4]\n        - metric: gen.duration\n          records: call\n          explicit_bucket_boundaries: [2]\n") }, 'equivalent-advice-conflict', /differs/],
    [
      'a recorded GenAI histogram without bucket advice (the SDK default would apply)',
      { manifest: MANIFEST().replace('              records: call\n              explicit_bucket_boundaries: [0.5, 1]\n', '              records: call\n') },
      'missing-bucket-advice',
      /histogram "gen.inference.duration" is recorded \(annotations.flo.gen_ai.opt_in.gen_ai_latest_experimental.metrics\) without bucket advice/,
    ],
    [
      'a span lowering a level its GenAI equivalent sets',
      { dependency: DEPENDENCY.replace('      - ref: gen.first_chunk\n', '      - ref: gen.first_chunk\n        requirement_level: required\n') },
      'requirement-level-lowered',
      /span "span.kit.call" declares "kit.first_chunk_ms" recommended, but its GenAI equivalent "span.gen.call" \(the dependency\) makes "gen.first_chunk" required/,
    ],
    [
      'a span without an attribute its GenAI equivalent requires',
      { dependency: DEPENDENCY.replace('      - ref: gen.first_chunk\n', '      - ref: gen.first_chunk\n      - ref: gen.kind\n        requirement_level: required\n') },
      'requirement-level-lowered',
      /span "span.kit.call" lacks "gen.kind", which its GenAI equivalent "span.gen.call" \(the dependency\) requires/,
    ],
    [
      'a fixed value of the wrong type',
      { kit: KIT().replace('      - ref: kit.only\n', '      - ref: kit.only\n        annotations: { flo: { value: three } }\n') },
      'fixed-value-type',
      /annotations.flo.value "three" of "kit.only" on span "span.kit.call" does not fit the attribute \(number\)/,
    ],
    [
      'a fixed value on a metric',
      { kit: KIT().replace('    attributes:\n      - ref: kit.model\n      - ref: status\n', '    attributes:\n      - ref: kit.model\n        annotations: { flo: { value: m } }\n      - ref: status\n') },
      'fixed-value-type',
      /only span attributes take a fixed value/,
    ],
  ] as const)('%s', (_, files, rule, message) => {
    const found = problems(files);
    expect(found.map(([r]) => r)).toContain(rule);
    expect(found.find(([r]) => r === rule)?.[1]).toMatch(message);
  });
});

describe('the kit’s own spec', () => {
  it('maps every observation the helpers make in every selection, the opt-in included', () => {
    const kit = buildConventions(loadSpec('semconv')).model!;
    const latest = kit.selections[selectionIndex('gen_ai', 'gen_ai_latest_experimental')]!.recordings.map((recording) => recording.metric.metricName);
    expect([...new Set(latest)].sort()).toEqual([
      'gen_ai.client.inference.duration',
      'gen_ai.client.inference.time_per_output_chunk',
      'gen_ai.client.inference.time_to_first_chunk',
      'gen_ai.client.inference.usage.cache_read.input_tokens',
      'gen_ai.client.inference.usage.cache_write.input_tokens',
      'gen_ai.client.inference.usage.input_tokens',
      'gen_ai.client.inference.usage.output_tokens',
      'gen_ai.client.inference.usage.reasoning.output_tokens',
      'gen_ai.execute_tool.duration',
      'gen_ai.invocation.duration',
    ]);
  });
});
