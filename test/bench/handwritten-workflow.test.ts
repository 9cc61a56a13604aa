/**
 * The benchmark's hand-written workflow (bench/handwritten-workflow.ts) must
 * record what the kit records, in every conventions mode, or the ratio
 * `npm run bench` reports compares unlike work. Telemetry only; no timing.
 */
import type { Attributes } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import { handWrittenWorkflow } from '../../bench/handwritten-workflow.ts';
import { kitWorkflow } from '../../bench/workloads.ts';
import { setConventions } from '../../src/index.ts';
import { useInMemoryTelemetry, type InMemoryTelemetry } from '../support/in-memory.ts';

/** Values that are measured times differ from run to run; their presence and type must not. */
const TIMED = new Set(['node.execution_time_ms']);

function spanSummary(spans: readonly ReadableSpan[]) {
  const byId = new Map(spans.map((span) => [span.spanContext().spanId, span]));
  return spans
    .map((span) => ({
      name: span.name,
      kind: span.kind,
      parent: span.parentSpanContext === undefined ? undefined : byId.get(span.parentSpanContext.spanId)?.name,
      attributes: Object.fromEntries(Object.entries(span.attributes).map(([key, value]) => [key, TIMED.has(key) ? typeof value : value])),
      status: span.status.code,
      events: span.events.length,
    }))
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

async function metricSummary(telemetry: InMemoryTelemetry) {
  const all = await telemetry.metrics();
  return all
    .map((metric) => ({
      name: metric.descriptor.name,
      unit: metric.descriptor.unit,
      description: metric.descriptor.description,
      valueType: metric.descriptor.valueType,
      points: metric.dataPoints
        .map((point) => {
          const value = point.value as number | { count: number; sum?: number; buckets: { boundaries: number[] } };
          const timed = metric.descriptor.unit === 'ms' || metric.descriptor.unit === 's';
          return {
            attributes: point.attributes as Attributes,
            value: typeof value === 'number' ? value : { count: value.count, sum: timed ? 'timed' : value.sum, boundaries: value.buckets.boundaries },
          };
        })
        .sort((a, b) => JSON.stringify(a.attributes).localeCompare(JSON.stringify(b.attributes))),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

let telemetry: InMemoryTelemetry | undefined;
afterEach(async () => {
  setConventions('both');
  await telemetry?.shutdown();
  telemetry = undefined;
});

describe.each(['flo', 'gen_ai', 'both'] as const)('the hand-written workflow of the benchmark, conventions %s', (mode) => {
  it('records the same spans and metric points as the kit', async () => {
    telemetry = useInMemoryTelemetry();
    setConventions(mode);
    await kitWorkflow();
    const kitSpans = spanSummary(await telemetry.spans());
    const kitMetrics = await metricSummary(telemetry);
    await telemetry.shutdown();

    telemetry = useInMemoryTelemetry({ bind: false });
    const handWritten = handWrittenWorkflow(telemetry.tracerProvider.getTracer('bench'), telemetry.meterProvider.getMeter('bench'), mode);
    await handWritten();
    expect(spanSummary(await telemetry.spans())).toEqual(kitSpans);
    expect(await metricSummary(telemetry)).toEqual(kitMetrics);
    expect(kitSpans.length).toBe(mode === 'gen_ai' ? 16 : 21);
    expect(kitMetrics.length).toBe({ flo: 13, gen_ai: 2, both: 15 }[mode]);
  });
});
