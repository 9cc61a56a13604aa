/**
 * Reading the Prometheus exporter of Jaeger's collector: the text exposition
 * format, and the names OpenTelemetry metrics get there.
 */
import type { MetricDescriptor } from '../../../src/runtime/metrics.ts';

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseExposition(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = SAMPLE_LINE.exec(line);
      if (match === null) throw new Error(`not a Prometheus sample line: ${line}`);
      const labels: Record<string, string> = {};
      for (const [, key, value] of (match[2] ?? '').matchAll(LABEL)) labels[key as string] = JSON.parse(`"${value}"`) as string;
      return { name: match[1] as string, labels, value: Number(match[3]) };
    });
}

export async function scrape(prometheusUrl: string): Promise<Sample[]> {
  const response = await fetch(`${prometheusUrl}/metrics`);
  if (!response.ok) throw new Error(`Prometheus exporter answered ${response.status}`);
  return parseExposition(await response.text());
}

/** Unit suffixes the OpenTelemetry-to-Prometheus translation appends; `{annotations}` add none. */
const UNIT_SUFFIXES: Readonly<Record<string, string>> = { ms: 'milliseconds', s: 'seconds', By: 'bytes', '1': 'ratio' };

/**
 * The Prometheus name of a spec metric: dots become underscores, the unit
 * is appended in words, counters end in `_total`.
 */
export function prometheusName(metric: Pick<MetricDescriptor, 'name' | 'unit' | 'instrument'>): string {
  const suffix = UNIT_SUFFIXES[metric.unit];
  let name = metric.name.replace(/\./g, '_');
  if (suffix !== undefined && !name.endsWith(`_${suffix}`)) name = `${name}_${suffix}`;
  if (metric.instrument === 'counter' && !name.endsWith('_total')) name = `${name}_total`;
  return name;
}

/** Metric attribute keys as Prometheus labels. */
export function labelName(key: string): string {
  return key.replace(/[^a-zA-Z0-9_]/g, '_');
}

/** Labels the exporter adds to every series (target and scope), not the data point's own attributes. */
const SERIES_LABELS = /^(instance|job|otel_scope_.*|le)$/;

/**
 * The one sample named `name` whose labels include `labels`, or with `exact` whose attribute labels
 * are exactly those (the exporter's own labels aside: a series with one more attribute is another
 * series). Fails when there is none or several.
 */
export function sampleValue(samples: readonly Sample[], name: string, labels: Readonly<Record<string, string>>, exact = false): number {
  const wanted = Object.fromEntries(Object.entries(labels).map(([key, value]) => [labelName(key), value]));
  const own = (sample: Sample) => Object.fromEntries(Object.entries(sample.labels).filter(([key]) => !SERIES_LABELS.test(key)));
  const matches = (sample: Sample) =>
    exact
      ? JSON.stringify(Object.entries(own(sample)).sort()) === JSON.stringify(Object.entries(wanted).sort())
      : Object.entries(wanted).every(([key, value]) => sample.labels[key] === value);
  const found = samples.filter((sample) => sample.name === name && matches(sample));
  if (found.length !== 1) {
    throw new Error(`expected one sample ${name}${JSON.stringify(labels)}, found ${found.length}: ${JSON.stringify(found.slice(0, 3))}`);
  }
  return (found[0] as Sample).value;
}
