/**
 * The kit's metric exporter behind the periodic reader: collections are
 * accepted at once and sent one at a time with the kit's deadline; only the
 * newest cumulative collection waits, delta ones wait up to a bound.
 */
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, MetricReader, type PushMetricExporter, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { BackgroundMetricExporter } from '../../src/runtime/metric-export.ts';

class CollectingReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** Real collections of one counter, with the temporality asked for. */
async function collections(count: number, temporality: AggregationTemporality): Promise<ResourceMetrics[]> {
  const reader = new CollectingReader({ aggregationTemporalitySelector: () => temporality });
  const counter = new MeterProvider({ readers: [reader] }).getMeter('test').createCounter('requests');
  const collected: ResourceMetrics[] = [];
  for (let index = 0; index < count; index += 1) {
    counter.add(1, { round: index });
    collected.push((await reader.collect()).resourceMetrics);
  }
  return collected;
}

/** An exporter that holds every export until `release()`, or never answers. */
class HeldExporter implements PushMetricExporter {
  readonly exported: ResourceMetrics[] = [];
  #pending: Array<() => void> = [];

  export(metrics: ResourceMetrics, callback: (result: ExportResult) => void): void {
    this.#pending.push(() => {
      this.exported.push(metrics);
      callback({ code: ExportResultCode.SUCCESS });
    });
  }

  release(): void {
    const pending = this.#pending;
    this.#pending = [];
    for (const answer of pending) answer();
  }

  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}

function accept(exporter: PushMetricExporter, metrics: ResourceMetrics): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(metrics, resolve));
}

describe('the background metric exporter', () => {
  it('answers the reader at once, sends one request at a time, and keeps only the newest cumulative collection waiting', async () => {
    const inner = new HeldExporter();
    const exporter = new BackgroundMetricExporter(inner, { timeoutMillis: 60_000 });
    const [first, second, third] = await collections(3, AggregationTemporality.CUMULATIVE);
    for (const metrics of [first, second, third]) expect((await accept(exporter, metrics as ResourceMetrics)).code).toBe(ExportResultCode.SUCCESS);
    inner.release();
    await new Promise((resolve) => setImmediate(resolve));
    inner.release();
    await exporter.forceFlush();
    expect(inner.exported).toEqual([first, third]);
  });

  it('keeps delta collections, each carrying its own points, up to its bound', async () => {
    const inner = new HeldExporter();
    const exporter = new BackgroundMetricExporter(inner, { timeoutMillis: 60_000 });
    const deltas = await collections(12, AggregationTemporality.DELTA);
    for (const metrics of deltas) await accept(exporter, metrics);
    for (let round = 0; round < 12; round += 1) {
      inner.release();
      await new Promise((resolve) => setImmediate(resolve));
    }
    // The first was in flight; of the eleven after it, the newest eight waited.
    expect(inner.exported).toEqual([deltas[0], ...deltas.slice(4)]);
  });

  it('gives up on a request at its deadline, cancels its call, and sends the next', async () => {
    const inner = new HeldExporter();
    let resets = 0;
    const exporter = new BackgroundMetricExporter(inner, { timeoutMillis: 20, onFailure: () => (resets += 1) });
    const [stuck, next] = await collections(2, AggregationTemporality.DELTA);
    await accept(exporter, stuck as ResourceMetrics);
    await accept(exporter, next as ResourceMetrics);
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(resets).toBe(1);
    inner.release();
    await exporter.forceFlush();
    // The stuck request's late answer changes nothing; the next one went out after the deadline.
    expect(inner.exported).toContain(next);
  });

  it('keeps the temporality and aggregation the exporter chose', () => {
    const inner = new InMemoryMetricExporter(AggregationTemporality.DELTA);
    const exporter = new BackgroundMetricExporter(inner, { timeoutMillis: 1000 });
    expect(exporter.selectAggregationTemporality?.(0 as never)).toBe(AggregationTemporality.DELTA);
  });
});
