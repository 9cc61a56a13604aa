/**
 * Emission is safe for every input the validator accepts: text with comment
 * delimiters, quotes, backslashes, template syntax, control characters and
 * Unicode line separators, and ids that are not identifiers, all land in
 * generated code that compiles, keeps the text's value, and in docs whose
 * tables keep their shape. Property-based: random registries the validator
 * accepts always typecheck and render; random broken ones always get located
 * errors and leave the output folders untouched.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { marked, type Token, type Tokens } from 'marked';
import { trace } from '@opentelemetry/api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { writeOutputs } from '../../scripts/codegen/output.ts';
import { main, renderOutputs } from '../../scripts/generate.ts';
import { loadSpec } from '../../scripts/semconv/load.ts';
import { SpecError } from '../../scripts/semconv/problems.ts';
import { bindProviders, unbindProviders } from '../../src/runtime/bind.ts';
import { resetReportedProblems } from '../../src/runtime/diagnostics.ts';
import { bindHarness, captureDiagnostics } from '../support/harness.ts';
import { makeTempDir, MANIFEST, removeDir, snapshotFolder } from '../support/spec-fixture.ts';
import { acceptsValue } from '../support/value-rule.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RUNTIME = join(ROOT, 'src/runtime/support.ts');
const HOSTILE = ['/*', '*/', '/**/', 'src/**/*.ts', 'image/*', "o'brien", '"q"', '\\', '`tick`', '${x}', '|', '\r', '\r\n', '\u2028', '\u2029', '\t', '\u0000', '@example', '<b>', '{*/}', 'é', '😀'];

let work = '';
beforeAll(() => {
  work = makeTempDir('emission');
  symlinkSync(join(ROOT, 'node_modules'), join(work, 'node_modules'));
  writeFileSync(join(work, 'package.json'), '{ "type": "module" }\n');
});
afterAll(() => removeDir(work));

/** Writes a registry folder under the work folder. */
function writeRegistry(name: string, registry: object): string {
  const dir = join(work, name, 'spec');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'manifest.yaml'), MANIFEST);
  writeFileSync(join(dir, 'registry.yaml'), stringify(registry, { lineWidth: 0 }));
  return dir;
}

function generateInto(name: string, spec: string): { out: string; docs: string } {
  const out = join(work, name, 'out');
  const docs = join(work, name, 'docs');
  writeOutputs(renderOutputs({ spec, out, docs, runtimeImport: RUNTIME }));
  return { out, docs };
}

/** Runs tsc over the given output folders; returns its messages ('' when everything compiles). */
function typecheck(folders: readonly string[]): string {
  const tsconfig = {
    compilerOptions: {
      target: 'ES2023', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true,
      noUncheckedIndexedAccess: true, verbatimModuleSyntax: true, allowImportingTsExtensions: true, types: ['node'],
    },
    include: folders.map((folder) => join(folder, '*.ts')),
  };
  const config = join(work, `tsconfig.${Date.now()}.json`);
  writeFileSync(config, JSON.stringify(tsconfig));
  try {
    execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', config, '--pretty', 'false'], { encoding: 'utf8', stdio: 'pipe' });
    return '';
  } catch (error) {
    return String((error as { stdout?: string }).stdout ?? error);
  }
}

/** Every table of every generated document has as many cells in each row as in its header. */
function tableShapes(docs: string): string[] {
  const wrong: string[] = [];
  for (const name of ['metrics.md', 'spans.md', 'attributes.md', 'events.md', 'entities.md']) {
    const walk = (tokens: Token[]): void => {
      for (const token of tokens) {
        if (token.type === 'table') {
          const table = token as Tokens.Table;
          for (const row of table.rows) if (row.length !== table.header.length) wrong.push(`${name}: a row of ${row.length} cells under ${table.header.length} headers`);
        }
      }
    };
    const text = readFileSync(join(docs, name), 'utf8');
    walk(marked.lexer(text));
    // A table row is one line: a raw line break inside a cell would end the table early.
    if (/[\r\u2028\u2029]/.test(text)) wrong.push(`${name}: a raw line separator`);
  }
  return wrong;
}

const member = (id: string, value: string) => ({ id, value, stability: 'development', brief: `member ${id} ${HOSTILE.join(' ')}` });

describe('text and ids from a hostile registry', () => {
  const brief = `Everything at once: ${HOSTILE.join(' ')}`;
  const registry = {
    groups: [
      {
        id: 'registry.zz', type: 'attribute_group', brief, note: brief, stability: 'development',
        attributes: [
          { id: 'zz.path', type: 'string', brief, note: brief, examples: HOSTILE, stability: 'development', requirement_level: 'required' },
          { id: 'zz.lang', type: { members: [member('c++', 'c++'), member('a/b', 'a/b'), member("o'brien", "o'brien"), member('2xx', '2xx'), member('q', '\\`${x}\r')] }, brief, stability: 'development' },
        ],
      },
      { id: 'span.zz.run', type: 'span', span_kind: 'internal', brief, note: brief, stability: 'development', annotations: { flo: { span_name: 'zz.{zz.path}.run' } }, attributes: [{ ref: 'zz.path' }, { ref: 'zz.lang', note: brief }] },
      { id: 'metric.zz.count', type: 'metric', metric_name: 'zz.count', instrument: 'counter', unit: '{*/}', brief, note: brief, stability: 'development', attributes: [{ ref: 'zz.path' }] },
      { id: 'event.zz.seen', type: 'event', name: 'zz.seen', brief, stability: 'development', attributes: [{ ref: 'zz.lang' }] },
      { id: 'entity.zz.thing', type: 'entity', name: 'zz.thing', brief, note: brief, stability: 'development', attributes: [{ ref: 'zz.path', role: 'identifying' }, { ref: 'zz.lang', role: 'descriptive', note: brief }] },
    ],
  };
  let generated: { out: string; docs: string };
  beforeAll(() => {
    generated = generateInto('hostile', writeRegistry('hostile', registry));
  });

  it('compiles', () => {
    expect(typecheck([generated.out])).toBe('');
  });

  it('keeps every value as the registry wrote it', async () => {
    const module = await import(join(generated.out, 'index.ts'));
    expect(module.ZZ_LANG_VALUE_C).toBe('c++');
    expect(module.ZZ_LANG_VALUE_A_B).toBe('a/b');
    expect(module.ZZ_LANG_VALUE_O_BRIEN).toBe("o'brien");
    expect(module.ZZ_LANG_VALUE__2XX ?? module.ZZ_LANG_VALUE_2XX).toBe('2xx');
    expect(module.ZZ_LANG_VALUE_Q).toBe('\\`${x}\r');
    expect(module.ZZ_COUNT_METRIC.description).toBe(brief);
    expect(module.ZZ_COUNT_METRIC.unit).toBe('{*/}');
    expect(module.ZZ_RUN_SPAN.name({ zzPath: 'p' })).toBe('zz.p.run');
  });

  it('renders docs whose tables keep their columns', () => {
    expect(tableShapes(generated.docs)).toEqual([]);
    expect(readFileSync(join(generated.docs, 'entities.md'), 'utf8')).toMatch(/\*\*Identifying attributes\*\*[^]*\| `zz\.path` \|[^]*\*\*Descriptive attributes\*\*[^]*\| `zz\.lang` \|/);
  });
});

describe('names that would clash or shadow are refused with their location', () => {
  const attribute = (id: string, extra: object = {}) => ({ id, type: 'string', brief: 'b', stability: 'development', examples: ['x'], ...extra });
  const problemsOf = (name: string, registry: object) => {
    try {
      loadSpec(writeRegistry(name, registry));
      return [];
    } catch (error) {
      if (error instanceof SpecError) return error.problems.map((p) => `${p.rule} ${p.location.line} ${p.message}`);
      throw error;
    }
  };

  it('two enum members with one constant', () => {
    const problems = problemsOf('members', { groups: [{ id: 'registry.zz', type: 'attribute_group', brief: 'b', stability: 'development', attributes: [{ ...attribute('zz.lang'), type: { members: [member('c', 'c'), member('c++', 'c++')] } }] }] });
    expect(problems).toEqual([expect.stringMatching(/^name-collision \d+ generated export ZZ_LANG_VALUE_C of member "c\+\+" of attribute "zz.lang" is already the name of member "c" of attribute "zz.lang" at .*:\d+:\d+/)]);
  });

  it('an enum member and a metric with one constant', () => {
    const problems = problemsOf('kinds', {
      groups: [
        { id: 'registry.zz', type: 'attribute_group', brief: 'b', stability: 'development', attributes: [{ ...attribute('zz.kind'), type: { members: [member('metric', 'metric')] } }] },
        { id: 'metric.zz.kind.value', type: 'metric', metric_name: 'zz.kind.value', instrument: 'counter', unit: '1', brief: 'b', stability: 'development', attributes: [] },
      ],
    });
    expect(problems).toEqual([expect.stringMatching(/^name-collision \d+ generated export ZZ_KIND_VALUE_METRIC of metric "zz.kind.value" is already the name of member "metric" of attribute "zz.kind" at .*:\d+:\d+/)]);
  });

  it('attributes that would be inherited object members, and a setter every span has', () => {
    const problems = problemsOf('inherited', {
      groups: [
        { id: 'registry.zz', type: 'attribute_group', brief: 'b', stability: 'development', attributes: [attribute('constructor'), attribute('to_string'), attribute('checked')] },
        { id: 'span.zz', type: 'span', span_kind: 'internal', brief: 'b', stability: 'development', attributes: [{ ref: 'constructor' }, { ref: 'to_string' }, { ref: 'checked' }] },
      ],
    });
    expect(problems.map((p) => p.split(' ').slice(0, 1)[0])).toEqual(['reserved-name', 'reserved-name', 'reserved-name']);
    expect(problems.join('\n')).toMatch(/"constructor", which every JavaScript object inherits/);
    expect(problems.join('\n')).toMatch(/"toString", which every JavaScript object inherits/);
    expect(problems.join('\n')).toMatch(/setter setChecked, which every span already has/);
  });

  it('a span whose class would shadow the runtime class it extends', () => {
    const problems = problemsOf('shadow', { groups: [{ id: 'span.instrumented', type: 'span', span_kind: 'internal', brief: 'b', stability: 'development', attributes: [] }] });
    expect(problems).toEqual([expect.stringMatching(/^name-collision \d+ name InstrumentedSpan in spans.ts of span "span.instrumented" is already an import/)]);
  });
});

describe('recorders of every instrument kind and value type', () => {
  const kinds = [
    ['counter', 'int'],
    ['updowncounter', 'int'],
    ['histogram', 'double'],
    ['gauge', 'double'],
    ['counter', 'double'],
    ['gauge', 'int'],
  ] as const;
  const metrics = kinds.map(([instrument, valueType]) => ({
    id: `metric.zz.${instrument}.${valueType}`, type: 'metric', metric_name: `zz.${instrument}.${valueType}`, instrument, unit: '1', brief: 'b', stability: 'development',
    annotations: { code_generation: { metric_value_type: valueType } }, attributes: [{ ref: 'zz.path', requirement_level: 'required' }],
  }));
  const registry = { groups: [{ id: 'registry.zz', type: 'attribute_group', brief: 'b', stability: 'development', attributes: [{ id: 'zz.path', type: 'string', brief: 'b', stability: 'development', examples: ['x'] }] }, ...metrics] };
  type Recorder = (value: number, attributes: { zzPath: string }) => void;
  let recorders: Array<{ name: string; instrument: string; valueType: string; record: Recorder }> = [];
  let out = '';
  beforeAll(async () => {
    out = generateInto('instruments', writeRegistry('instruments', registry)).out;
    const module = (await import(join(out, 'index.ts'))) as Record<string, unknown>;
    const pascal = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
    recorders = kinds.map(([instrument, valueType]) => ({ name: `zz.${instrument}.${valueType}`, instrument, valueType, record: module[`recordZz${pascal(instrument)}${pascal(valueType)}`] as Recorder }));
  });
  afterEach(() => unbindProviders());

  it('compile, and each records into its instrument of the real SDK, the set repeated on its own path', async () => {
    expect(typecheck([out])).toBe('');
    const harness = bindHarness();
    try {
      for (const { record } of recorders) {
        record(-2, { zzPath: 'a' });
        record(-2, { zzPath: 'a' });
        record(3, { zzPath: 'a' });
        record(3, { zzPath: 'a' });
      }
      const recorded = Object.fromEntries(
        await Promise.all(recorders.map(async ({ name }) => [name, (await harness.metric(name))?.dataPoints.map((point) => [point.attributes, point.value])] as const)),
      );
      const histogram = (values: number[]) => expect.objectContaining({ count: values.length, sum: values.reduce((a, b) => a + b, 0) });
      expect(recorded).toEqual({
        'zz.counter.int': [[{ 'zz.path': 'a' }, 6]],
        'zz.counter.double': [[{ 'zz.path': 'a' }, 6]],
        'zz.updowncounter.int': [[{ 'zz.path': 'a' }, 2]],
        'zz.histogram.double': [[{ 'zz.path': 'a' }, histogram([3, 3])]],
        'zz.gauge.double': [[{ 'zz.path': 'a' }, 3]],
        'zz.gauge.int': [[{ 'zz.path': 'a' }, 3]],
      });
    } finally {
      await harness.shutdown();
    }
  });

  it('take or drop a value recorded with the set recorded last exactly as the runtime does', () => {
    const diagnostics = captureDiagnostics();
    let handed: number[] = [];
    const keep = (value: number) => void handed.push(value);
    const meter = { createCounter: () => ({ add: keep }), createUpDownCounter: () => ({ add: keep }), createHistogram: () => ({ record: keep }), createGauge: () => ({ record: keep }) };
    try {
      const values = fc.oneof(fc.double(), fc.integer({ min: -5, max: 5 }), fc.constantFrom(Number.NaN, Infinity, -Infinity, -0, 0.5, -1.5, 2 ** 53));
      fc.assert(
        fc.property(fc.constantFrom(...recorders), values, ({ name, instrument, valueType, record }, value) => {
          bindProviders({ tracerProvider: trace.getTracerProvider(), meterProvider: { getMeter: () => meter as never } });
          handed = [];
          diagnostics.messages.length = 0;
          resetReportedProblems();
          record(1, { zzPath: 'a' });
          record(value, { zzPath: 'a' });
          if (acceptsValue(instrument, valueType, value)) {
            expect(handed).toEqual([1, value]);
            expect(diagnostics.messages).toEqual([]);
          } else {
            expect(handed).toEqual([1]);
            expect(diagnostics.messages).toEqual([expect.stringContaining(`${name}: dropped a measurement`)]);
          }
        }),
        { numRuns: 600 },
      );
    } finally {
      diagnostics.restore();
    }
  });
});

// ---------------------------------------------------------------- property-based

const wordArb = fc.stringMatching(/^[a-z][a-z0-9_]{0,6}$/);
const idArb = fc.array(wordArb, { minLength: 1, maxLength: 3 }).map((words) => words.join('.'));
const textArb = fc.array(fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ maxLength: 6 }), fc.string({ unit: 'grapheme', maxLength: 4 })), { maxLength: 6 }).map((parts) => parts.join(' '));
const briefArb = textArb.filter((text) => text.trim() !== '');
const typeArb = fc.constantFrom('string', 'int', 'double', 'boolean', 'string[]', 'int[]', 'any');
const enumArb = fc.uniqueArray(fc.tuple(fc.string({ minLength: 1, maxLength: 6 }), fc.string({ maxLength: 6 })), { minLength: 1, maxLength: 4, selector: ([id]) => id });

interface RandomRegistry {
  readonly attributes: ReadonlyArray<{ id: string; type: string | { members: Array<{ id: string; value: string }> }; brief: string; note: string }>;
  readonly unit: string;
}

const registryArb: fc.Arbitrary<RandomRegistry> = fc.record({
  attributes: fc.uniqueArray(
    fc.record({
      id: idArb,
      type: fc.oneof(typeArb, enumArb.map((members) => ({ members: members.map(([id, value]) => ({ id, value })) }))),
      brief: briefArb,
      note: textArb,
    }),
    { minLength: 1, maxLength: 5, selector: (attribute) => attribute.id },
  ),
  unit: fc.constantFrom('1', 's', 'ms', 'By/s', '{token}', '{*/}', '%', '{a b}'),
});

function registryOf(random: RandomRegistry): object {
  const attributes = random.attributes.map((a) => ({
    id: a.id,
    type: typeof a.type === 'string' ? a.type : { members: a.type.members.map((m) => ({ ...m, stability: 'development', brief: m.value })) },
    brief: a.brief,
    ...(a.note.trim() ? { note: a.note } : {}),
    stability: 'development',
  }));
  const refs = random.attributes.map((a) => ({ ref: a.id }));
  return {
    groups: [
      { id: 'registry.random', type: 'attribute_group', brief: 'Random.', stability: 'development', attributes },
      { id: 'span.random.run', type: 'span', span_kind: 'client', brief: random.attributes[0]?.brief ?? 'b', stability: 'development', attributes: refs },
      { id: 'metric.random.count', type: 'metric', metric_name: 'random.count', instrument: 'histogram', unit: random.unit, brief: random.attributes[0]?.note || 'b', stability: 'development', attributes: refs },
      { id: 'event.random.seen', type: 'event', name: 'random.seen', brief: 'Seen.', stability: 'development', attributes: refs },
    ],
  };
}

describe('random registries', () => {
  it('the ones the validator accepts generate code that typechecks and docs that render', () => {
    const samples = fc.sample(registryArb, { numRuns: 40, seed: 20261125 });
    const accepted: string[] = [];
    for (const [index, sample] of samples.entries()) {
      const spec = writeRegistry(`random-${index}`, registryOf(sample));
      try {
        loadSpec(spec);
      } catch (error) {
        if (error instanceof SpecError) continue;
        throw error;
      }
      const { out, docs } = generateInto(`random-${index}`, spec);
      expect(tableShapes(docs), `sample ${index}`).toEqual([]);
      accepted.push(out);
    }
    // Most samples are valid: the property is not checked on nothing.
    expect(accepted.length).toBeGreaterThan(samples.length / 2);
    expect(typecheck(accepted)).toBe('');
  }, 120_000);

  it('broken ones get errors located in the file and leave the output folders untouched', () => {
    const breakages: ReadonlyArray<(text: string) => string> = [
      (text) => text.replace('instrument: histogram', 'instrument: meter'),
      (text) => text.replace(/ref: (\S+)/, 'ref: $1.missing'),
      (text) => text.replace('type: attribute_group', 'type: attribute_grup'),
      (text) => text.replace('span_kind: client', 'span_kind: inner'),
      (text) => text.replace('metric_name: random.count', 'metric_name: 9random.count'),
      (text) => text.replace('stability: development', 'stability: 7'),
      (text) => `${text}\n  - [unclosed`,
    ];
    fc.assert(
      fc.property(registryArb, fc.integer({ min: 0, max: breakages.length - 1 }), (random, which) => {
        const dir = join(work, `broken-${which}-${Math.random().toString(36).slice(2)}`);
        const spec = join(dir, 'spec');
        mkdirSync(spec, { recursive: true });
        writeFileSync(join(spec, 'manifest.yaml'), MANIFEST);
        const text = (breakages[which] as (t: string) => string)(stringify(registryOf(random), { lineWidth: 0 }));
        writeFileSync(join(spec, 'registry.yaml'), text);
        const out = join(dir, 'out');
        const docs = join(dir, 'docs');
        mkdirSync(out);
        mkdirSync(docs);
        writeFileSync(join(out, 'index.ts'), '// Generated by scripts/generate.ts from the semantic-convention spec: do not edit.\nold\n');
        const before = [snapshotFolder(out), snapshotFolder(docs)];
        const errors: string[] = [];
        const log = console.error;
        console.error = (line: string) => errors.push(String(line));
        let code: number;
        try {
          code = main(['--spec', spec, '--out', out, '--docs', docs, '--runtime-import', RUNTIME]);
        } finally {
          console.error = log;
        }
        expect(code).toBe(1);
        const located = errors.filter((line) => /registry\.yaml:\d+:\d+: error \[[a-z-]+\] /.test(line));
        expect(located.length).toBeGreaterThan(0);
        expect(errors.at(-1)).toMatch(/\d+ errors?( and \d+ warnings?)? in .*; nothing was written/);
        expect([snapshotFolder(out), snapshotFolder(docs)]).toEqual(before);
        expect(existsSync(join(out, 'metrics.ts'))).toBe(false);
      }),
      { numRuns: 60, seed: 20261125 },
    );
  }, 120_000);
});
