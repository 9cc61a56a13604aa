/**
 * What regeneration costs: the kit's own spec, and synthetic specs of 10,
 * 100 and 1000 metrics, rendered in memory (ts-morph and the docs), which is
 * all `npm run generate` does besides writing the files.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderOutputs } from '../scripts/generate.ts';

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
  renderOutputs({ spec, out: 'generated', docs: 'docs', runtimeImport: '@flo-ai/telemetry-kit/runtime' });
}

/** A spec folder with `count` metrics over two shared attributes, alternating counters and histograms. */
function syntheticSpec(count: number): string {
  const dir = mkdtempSync(join(tmpdir(), `flo-bench-spec-${count}-`));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'registry_manifest.yaml'), 'name: bench\ndescription: Synthetic spec for the generator benchmark.\nversion: 0.0.1\n');
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
