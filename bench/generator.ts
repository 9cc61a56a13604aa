/**
 * What regeneration costs: the kit's own spec, and synthetic specs of 10,
 * 100 and 1000 metrics, rendered in memory (ts-morph and the docs), which is
 * all `npm run generate` does besides writing the files; then real and large
 * registries (the released semantic conventions, synthetic ones up to 10,000
 * attributes, the scale goal of DESIGN.md), each in a process of its own so
 * its peak memory is measured, started with the heap settings the flo-semconv
 * bin uses (and the largest once more with V8's defaults, to show why).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderAll } from '../scripts/codegen/output.ts';
import { renderOutputs } from '../scripts/generate.ts';
import { GENERATOR_V8_FLAGS } from '../scripts/heap-settings.ts';

export interface GeneratorTiming {
  readonly label: string;
  readonly metrics: number;
  readonly medianMs: number;
}

const RUNS = 5;

function medianMs(work: () => void): number {
  const times: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    const started = performance.now();
    work();
    times.push(performance.now() - started);
  }
  return times.toSorted((a, b) => a - b)[Math.floor(RUNS / 2)] as number;
}

function render(spec: string): void {
  for (const folder of renderOutputs({ spec, out: 'generated', docs: 'docs', runtimeImport: '@flo-ai/telemetry-kit/runtime' })) renderAll(folder.files);
}

/** A spec folder with `count` metrics over two shared attributes, alternating counters and histograms. */
function syntheticSpec(count: number): string {
  const dir = mkdtempSync(join(tmpdir(), `flo-bench-spec-${count}-`));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'manifest.yaml'), 'schema_url: https://example.com/schemas/bench/0.0.1\ndescription: Synthetic spec for the generator benchmark.\n');
  const metrics = Array.from({ length: count }, (_, index) => {
    const histogram = index % 2 === 1;
    return [
      `  - id: metric.bench.m${index}`,
      '    type: metric',
      `    metric_name: bench.m${index}${histogram ? '.duration' : '.total'}`,
      `    instrument: ${histogram ? 'histogram' : 'counter'}`,
      `    unit: ${histogram ? 'ms' : "'{call}'"}`,
      `    brief: Synthetic metric number ${index}.`,
      '    attributes:',
      '      - ref: bench.model',
      '      - ref: bench.status',
    ].join('\n');
  });
  const registry = [
    'groups:',
    '  - id: registry.bench',
    '    type: attribute_group',
    '    brief: Attributes of the synthetic metrics.',
    '    attributes:',
    '      - id: bench.model',
    '        type: string',
    '        brief: A model name.',
    '        examples: [gpt-4o]',
    '        requirement_level: required',
    '      - id: bench.status',
    '        type:',
    '          members:',
    '            - id: ok',
    '              value: ok',
    '            - id: failed',
    '              value: failed',
    '        brief: The outcome.',
    '        examples: [ok]',
    '        requirement_level: required',
    '',
    ...metrics,
    '',
  ].join('\n');
  writeFileSync(join(dir, 'bench.yaml'), registry);
  return dir;
}

export function measureGenerator(kitSpec: string, kitMetricCount: number): GeneratorTiming[] {
  const timings: GeneratorTiming[] = [{ label: 'kit spec (semconv/)', metrics: kitMetricCount, medianMs: medianMs(() => render(kitSpec)) }];
  for (const count of [10, 100, 1000]) {
    const dir = syntheticSpec(count);
    try {
      timings.push({ label: `synthetic, ${count} metrics`, metrics: count, medianMs: medianMs(() => render(dir)) });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return timings;
}

export interface RegistryRun {
  readonly label: string;
  readonly attributes: number;
  readonly loadMs: number;
  readonly loadMaxRssMb: number;
  /** The bin's generator process: load, TypeScript and docs, written; with the bin's heap settings. */
  readonly generateMs: number;
  readonly generateMaxRssMb: number;
  /** Generating, and loading, with V8's default heap settings, for the largest registry only. */
  readonly defaultHeap?: { readonly ms: number; readonly maxRssMb: number; readonly loadMaxRssMb: number };
}

const CHILD = new URL('./generator-child.ts', import.meta.url).pathname;

interface ChildResult {
  readonly ms: number;
  readonly maxRssMb: number;
  readonly attributes?: number;
}

/** Median time of 3 runs of one mode, each in a fresh process; the largest peak RSS among them. */
function childRuns(mode: 'load' | 'generate', registry: string, v8Flags: readonly string[]): ChildResult {
  const runs = Array.from({ length: 3 }, () => {
    const output = execFileSync(process.execPath, [...v8Flags, CHILD, mode, registry], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
    return JSON.parse(output.trim().split('\n').at(-1) as string) as ChildResult;
  });
  const times = runs.map((run) => run.ms).toSorted((a, b) => a - b);
  return { ms: times[1] as number, maxRssMb: Math.max(...runs.map((run) => run.maxRssMb)), attributes: runs[0]?.attributes };
}

function measureRegistry(label: string, registry: string, withDefaultHeap = false): RegistryRun {
  const load = childRuns('load', registry, GENERATOR_V8_FLAGS);
  const generate = childRuns('generate', registry, GENERATOR_V8_FLAGS);
  const defaults = withDefaultHeap ? childRuns('generate', registry, []) : undefined;
  const defaultLoad = withDefaultHeap ? childRuns('load', registry, []) : undefined;
  return {
    label,
    attributes: load.attributes ?? 0,
    loadMs: load.ms,
    loadMaxRssMb: load.maxRssMb,
    generateMs: generate.ms,
    generateMaxRssMb: generate.maxRssMb,
    ...(defaults === undefined || defaultLoad === undefined ? {} : { defaultHeap: { ms: defaults.ms, maxRssMb: defaults.maxRssMb, loadMaxRssMb: defaultLoad.maxRssMb } }),
  };
}

/** A registry of `count` attributes in files of 500, with a histogram and a span over every ten. */
export function syntheticRegistry(count: number): string {
  const dir = mkdtempSync(join(tmpdir(), `flo-bench-registry-${count}-`));
  writeFileSync(join(dir, 'manifest.yaml'), 'schema_url: https://example.com/schemas/synthetic/1.0.0\n');
  const perFile = 500;
  for (let file = 0; file * perFile < count; file += 1) {
    const first = file * perFile;
    const last = Math.min(count, first + perFile);
    const lines = ['groups:', `  - id: registry.syn${file}`, '    type: attribute_group', `    brief: Synthetic attributes ${file}.`, '    stability: development', '    attributes:'];
    for (let i = first; i < last; i += 1) {
      const type = ['string', 'int', 'double'][i % 3] as string;
      lines.push(`      - id: syn${file}.attr${i}`, `        type: ${type}`, `        brief: Attribute ${i}.`, '        stability: development', `        examples: [${type === 'string' ? "'x'" : '1'}]`);
    }
    for (let i = first; i < last; i += 10) {
      const refs = Array.from({ length: Math.min(5, last - i) }, (_, k) => `      - ref: syn${file}.attr${i + k}`);
      lines.push(`  - id: metric.syn${file}.m${i}`, '    type: metric', `    metric_name: syn${file}.m${i}`, '    instrument: histogram', '    unit: s', `    brief: Metric ${i}.`, '    stability: development', '    attributes:', ...refs);
      lines.push(`  - id: span.syn${file}.s${i}`, '    type: span', '    span_kind: internal', `    brief: Span ${i}.`, '    stability: development', '    attributes:', ...refs);
    }
    writeFileSync(join(dir, `syn${file}.yaml`), `${lines.join('\n')}\n`);
  }
  return dir;
}

/** The released semantic conventions (when ../shared is beside the checkout), then synthetic registries. */
export function measureRegistries(releasedRegistry: string): RegistryRun[] {
  const runs: RegistryRun[] = [];
  if (existsSync(releasedRegistry)) runs.push(measureRegistry('semantic conventions v1.41.1, every domain', releasedRegistry));
  for (const count of [1000, 3000, 10000]) {
    const dir = syntheticRegistry(count);
    try {
      runs.push(measureRegistry(`synthetic, ${count} attributes`, dir, count === 10000));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return runs;
}
