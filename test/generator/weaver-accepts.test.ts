/**
 * What OpenTelemetry Weaver 0.25.1 accepts, the generator accepts: registries of other projects
 * use fractional numeric enum members, units outside UCUM (`USD`, `microseconds`) and metric
 * names the OpenTelemetry API takes (`mq.onqtime.1`). They generate code that compiles under
 * strict TypeScript in a `nodenext` and in a `bundler` project; what only the semantic
 * conventions advise is a warning at the line that breaks it, an error under `--strict`.
 *
 * The registries are checked with Weaver itself (test/support/weaver.ts: skipped without it,
 * failing in CI). The one thing Weaver accepts that the generator refuses on purpose is two
 * names that would become one identifier (`a.b_c`, `a_b.c`): `annotations.flo.code_name`
 * separates them, so the random registries keep their names apart.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { writeOutputs } from '../../scripts/codegen/output.ts';
import { renderOutputs } from '../../scripts/generate.ts';
import { loadSpec } from '../../scripts/semconv/load.ts';
import { SpecError, type Problem } from '../../scripts/semconv/problems.ts';
import { bindHarness } from '../support/harness.ts';
import { unbindProviders } from '../../src/runtime/bind.ts';
import { makeTempDir, MANIFEST, removeDir } from '../support/spec-fixture.ts';
import { availableWeaver, weaverCheck } from '../support/weaver.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RUNTIME = join(ROOT, 'src/runtime/support.ts');
const BIN = join(ROOT, 'scripts/bin.ts');
const weaver = availableWeaver();

let work = '';
beforeAll(() => {
  work = makeTempDir('weaver-accepts');
  symlinkSync(join(ROOT, 'node_modules'), join(work, 'node_modules'));
  writeFileSync(join(work, 'package.json'), '{ "type": "module" }\n');
});
afterAll(() => removeDir(work));

/** A registry folder (manifest and one file) under the work folder. */
function writeRegistry(name: string, text: string): string {
  const dir = join(work, name, 'spec');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'manifest.yaml'), MANIFEST);
  writeFileSync(join(dir, 'registry.yaml'), text);
  return dir;
}

/** Whether Weaver reports no error on the registry (warnings allowed: it exits 0 on them too). */
function weaverAccepts(dir: string): { accepted: boolean; report: string } {
  const check = weaverCheck(weaver as string, join(dir, '..'), 'spec');
  const errors = check.diagnostics.filter((d) => (d.diagnostic.severity ?? 'Error') !== 'Warning');
  return { accepted: check.status === 0 && errors.length === 0, report: check.output };
}

function generateInto(name: string, spec: string): { out: string; docs: string; warnings: Problem[] } {
  const out = join(work, name, 'out');
  const docs = join(work, name, 'docs');
  const report = { warnings: [] as Problem[], notes: [] as string[] };
  writeOutputs(renderOutputs({ spec, out, docs, runtimeImport: RUNTIME }, 'npx flo-semconv', report));
  return { out, docs, warnings: report.warnings };
}

/**
 * Runs strict tsc (unused imports rejected too, as some projects do) over the output folders as a project of each module setting would compile them;
 * returns its messages by setting ('' when everything compiles).
 */
function typecheck(folders: readonly string[]): Record<'nodenext' | 'bundler', string> {
  const settings = {
    nodenext: { module: 'NodeNext', moduleResolution: 'NodeNext' },
    bundler: { module: 'ESNext', moduleResolution: 'Bundler' },
  } as const;
  const result = { nodenext: '', bundler: '' };
  for (const [name, modules] of Object.entries(settings) as Array<[keyof typeof settings, (typeof settings)[keyof typeof settings]]>) {
    const tsconfig = {
      compilerOptions: {
        target: 'ES2023', ...modules, strict: true, noEmit: true, skipLibCheck: true, noUncheckedIndexedAccess: true, noUnusedLocals: true,
        verbatimModuleSyntax: true, allowImportingTsExtensions: true, types: ['node'],
      },
      include: folders.map((folder) => join(folder, '*.ts')),
    };
    const config = join(work, `tsconfig.${name}.${Date.now()}.json`);
    writeFileSync(config, JSON.stringify(tsconfig));
    const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', config, '--pretty', 'false'], { encoding: 'utf8' });
    result[name] = tsc.status === 0 ? '' : `${tsc.stdout}${tsc.stderr}`;
  }
  return result;
}

const lineOf = (text: string, marker: string): number => text.split('\n').findIndex((line) => line.includes(marker)) + 1;

/** A registry as other projects write them: Weaver accepts every line of it. */
const PROJECT_REGISTRY = `groups:
  - id: registry.zz
    type: attribute_group
    brief: Queue attributes.
    stability: development
    attributes:
      - id: zz.queue.name
        type: string
        brief: The queue.
        stability: development
        examples: [orders]
      - id: zz.level
        type:
          members:
            - id: low
              value: 1
              brief: Low.
              stability: development
            - id: half
              value: 1.5
              brief: Half way.
              stability: development
        brief: A level, fractional for some members.
        stability: development
        examples: [1.5]
  - id: metric.zz.onqtime.1
    type: metric
    metric_name: zz.onqtime.1
    instrument: gauge
    unit: USD
    brief: Cost of the time on the queue, in dollars.
    stability: development
    attributes:
      - ref: zz.queue.name
        requirement_level: required
      - ref: zz.level
        requirement_level: required
`;

describe.skipIf(!weaver)('a registry Weaver checks clean, with a fractional enum, a USD unit and the metric zz.onqtime.1', () => {
  let spec = '';
  beforeAll(() => {
    spec = writeRegistry('project', PROJECT_REGISTRY);
  });
  afterAll(() => unbindProviders());

  it('is clean for Weaver: no error and no warning', () => {
    const check = weaverCheck(weaver as string, join(spec, '..'), 'spec');
    expect(check.diagnostics.map((d) => d.diagnostic.message)).toEqual([]);
    expect(check.status).toBe(0);
  });

  it('generates with one warning, at the unit: line, and compiles as a nodenext and as a bundler project', () => {
    const { out, warnings } = generateInto('project', spec);
    expect(warnings.map((w) => [w.severity, w.rule, w.location.line])).toEqual([['warning', 'unit-format', lineOf(PROJECT_REGISTRY, 'unit: USD')]]);
    expect(warnings[0]?.message).toMatch(/unit "USD" of metric "zz.onqtime.1" is not a UCUM code/);
    expect(typecheck([out])).toEqual({ nodenext: '', bundler: '' });
  });

  it('records the fractional member as a double attribute of the gauge', async () => {
    const { out } = generateInto('project-run', spec);
    const harness = bindHarness();
    try {
      const generated = await import(join(out, 'index.ts'));
      expect(generated.SPEC_ZZ_LEVEL.kind).toBe('double');
      generated.recordZzOnqtime1(2.5, { zzQueueName: 'orders', zzLevel: generated.ZZ_LEVEL_VALUE_HALF });
      const metric = await harness.metric('zz.onqtime.1');
      expect(metric?.descriptor.unit).toBe('USD');
      expect(metric?.dataPoints.map((point) => [point.attributes, point.value])).toEqual([[{ 'zz.queue.name': 'orders', 'zz.level': 1.5 }, 2.5]]);
    } finally {
      await harness.shutdown();
    }
  });

  it('through the command: the warning printed, exit 0; with --strict the same line is an error, exit 1 and nothing written', () => {
    const out = join(work, 'project-cli', 'out');
    const docs = join(work, 'project-cli', 'docs');
    const flo = (...extra: string[]) => spawnSync(process.execPath, [BIN, '--spec', spec, '--out', out, '--docs', docs, ...extra], { encoding: 'utf8' });
    const relaxed = flo();
    expect(relaxed.status).toBe(0);
    expect(relaxed.stderr).toMatch(new RegExp(`registry\\.yaml:${lineOf(PROJECT_REGISTRY, 'unit: USD')}:\\d+: warning \\[unit-format\\] unit "USD"`));
    const strictOut = join(work, 'project-strict', 'out');
    const strict = spawnSync(process.execPath, [BIN, '--spec', spec, '--out', strictOut, '--docs', join(work, 'project-strict', 'docs'), '--strict'], { encoding: 'utf8' });
    expect(strict.status).toBe(1);
    expect(strict.stderr).toMatch(/registry\.yaml:\d+:\d+: error \[unit-format\] unit "USD"/);
    expect(strict.stderr).toMatch(/1 error in .*; nothing was written/);
    expect(() => readFileSync(join(strictOut, 'index.ts'))).toThrow();
  });
});

// ---------------------------------------------------------------- random registries Weaver accepts

const word = fc.stringMatching(/^[a-z][a-z0-9_]{0,5}[a-z0-9]$/);
/** Parts that break the semantic conventions' naming rule, which Weaver does not enforce. */
const oddPart = fc.constantFrom('Upper', 'with-dash', 'x2nd', 'trail_', 'a__b', '7');
const attributeId = fc
  .tuple(word, fc.array(fc.oneof({ weight: 4, arbitrary: word }, { weight: 1, arbitrary: oddPart }), { maxLength: 2 }))
  .map(([first, rest]) => [first, ...rest].join('.'));
/** Two ids the generator would name alike (`a.b_c`, `a_b.c`, `Ab`, `ab`) need a code_name: kept apart here. */
const identity = (id: string): string => id.toLowerCase().replace(/[^a-z0-9]+/g, '_');
const INHERITED = new Set(Object.getOwnPropertyNames(Object.prototype).map((name) => name.toLowerCase()));
const nameable = (id: string): boolean => !INHERITED.has(identity(id).replace(/_/g, '')) && identity(id).replace(/_/g, '') !== 'checked';

const primitive = fc.constantFrom('string', 'int', 'double', 'boolean', 'string[]', 'int[]', 'double[]', 'boolean[]');
const members = fc.oneof(
  fc.uniqueArray(word, { minLength: 1, maxLength: 4, selector: identity }).map((ids) => ids.map((id) => ({ id, value: id }))),
  fc.uniqueArray(fc.integer({ min: -5, max: 50 }), { minLength: 1, maxLength: 4 }).map((values) => values.map((value) => ({ id: `n${value < 0 ? 'm' : ''}${Math.abs(value)}`, value }))),
  fc.uniqueArray(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 4 }).map((values) => values.map((value) => ({ id: `d${value}`, value: value / 4 }))),
);
const attribute = fc.record({
  id: attributeId,
  type: fc.oneof(primitive, members.map((list) => ({ members: list.map((member) => ({ ...member, brief: `Member ${member.id}.`, stability: 'development' })) }))),
  requirement_level: fc.constantFrom('required', 'recommended', 'opt_in'),
});
const metric = fc.record({
  metric_name: fc.constantFrom('rnd.count', 'rnd.onqtime.1', 'Rnd.Upper-Case', 'rnd.wait/s', 'rnd.v2.total'),
  instrument: fc.constantFrom('counter', 'updowncounter', 'histogram', 'gauge'),
  unit: fc.constantFrom('1', 's', 'ms', 'By', '{token}', '%', 'USD', 'microseconds', 'mib', '{a b}'),
  value_type: fc.constantFrom('int', 'double'),
});
const randomRegistry = fc.record({
  attributes: fc.uniqueArray(attribute, { minLength: 1, maxLength: 5, selector: (a) => identity(a.id) }).filter((list) => list.every((a) => nameable(a.id))),
  metric,
  spanKind: fc.constantFrom('client', 'server', 'internal', 'producer', 'consumer'),
});

type RandomRegistry = typeof randomRegistry extends fc.Arbitrary<infer T> ? T : never;

function registryText(random: RandomRegistry): string {
  const attributes = random.attributes.map((a) => ({ id: a.id, type: a.type, brief: `Attribute ${a.id}.`, stability: 'development' }));
  const refs = random.attributes.map((a) => ({ ref: a.id, requirement_level: a.requirement_level }));
  const { metric: m } = random;
  return stringify(
    {
      groups: [
        { id: 'registry.rnd', type: 'attribute_group', brief: 'Random attributes.', stability: 'development', attributes },
        { id: 'span.rnd.run', type: 'span', span_kind: random.spanKind, brief: 'A run.', stability: 'development', attributes: refs },
        {
          id: `metric.${m.metric_name}`, type: 'metric', metric_name: m.metric_name, instrument: m.instrument, unit: m.unit, brief: 'A measure.', stability: 'development',
          annotations: { code_generation: { metric_value_type: m.value_type } }, attributes: refs,
        },
        { id: 'event.rnd.seen', type: 'event', name: 'rnd.seen', brief: 'Seen.', stability: 'development', attributes: refs },
      ],
    },
    { lineWidth: 0 },
  );
}

describe.skipIf(!weaver)('random registries', () => {
  it('every one Weaver accepts generates, and compiles as a nodenext and as a bundler project', () => {
    const samples = fc.sample(randomRegistry, { numRuns: 30, seed: 20260425 });
    const generated: string[] = [];
    const refusedByWeaver: string[] = [];
    const warned = new Set<string>();
    for (const [index, sample] of samples.entries()) {
      const text = registryText(sample);
      const spec = writeRegistry(`random-${index}`, text);
      const weaverVerdict = weaverAccepts(spec);
      if (!weaverVerdict.accepted) {
        refusedByWeaver.push(weaverVerdict.report);
        continue;
      }
      try {
        loadSpec(spec);
      } catch (error) {
        if (error instanceof SpecError) throw new Error(`Weaver accepts sample ${index}, the generator refuses it:\n${error.message}\n\n${text}`);
        throw error;
      }
      const { out, warnings } = generateInto(`random-${index}`, spec);
      for (const warning of warnings) warned.add(warning.rule);
      generated.push(out);
    }
    // The property is not checked on nothing: most samples are registries Weaver accepts.
    expect(generated.length, refusedByWeaver.join('\n')).toBeGreaterThan(samples.length / 2);
    // Among them, names and units that break what the semantic conventions only advise.
    expect([...warned].sort()).toEqual(['name-format', 'unit-format']);
    expect(typecheck(generated)).toEqual({ nodenext: '', bundler: '' });
  }, 180_000);
});
