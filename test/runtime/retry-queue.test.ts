/**
 * The retry queue between the batch processor and the OTLP exporter, with a
 * scripted exporter standing in for the collector: what it delivers, when it
 * retries, what it drops (oldest first) and how every drop is counted.
 */
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { TracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { RetryingSpanExporter, isRetryable } from '../../src/runtime/retry-queue.ts';
import { spanSize } from '../../src/runtime/otlp-size.ts';

/** Real ReadableSpans, named 0, 1, 2, … */
function spans(count: number, attributes: Record<string, string> = {}): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: memory })] });
  const tracer = provider.getTracer('test');
  for (let index = 0; index < count; index += 1) tracer.startSpan(String(index), { attributes }).end();
  return memory.getFinishedSpans();
}

/** A collector that fails while `down` is set, with `error`, and remembers what it received. */
class ScriptedCollector implements SpanExporter {
  down = false;
  error: Error & { code?: number } = Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14 });
  attempts = 0;
  readonly received: string[] = [];

  export(batch: ReadableSpan[], callback: (result: ExportResult) => void): void {
    this.attempts += 1;
    setImmediate(() => {
      if (this.down) callback({ code: ExportResultCode.FAILED, error: this.error });
      else {
        this.received.push(...batch.map((span) => span.name));
        callback({ code: ExportResultCode.SUCCESS });
      }
    });
  }

  async shutdown(): Promise<void> {}
}

function accept(queue: RetryingSpanExporter, batch: ReadableSpan[]): Promise<ExportResult> {
  return new Promise((resolve) => queue.export(batch, resolve));
}

const fast = { maxBatchSize: 4, maxRequestBytes: 3 * 1024 * 1024, initialBackoffMillis: 1, maxBackoffMillis: 5 };

describe('retry queue', () => {
  it('accepts at once, and delivers everything once the collector is back, in order', async () => {
    const collector = new ScriptedCollector();
    collector.down = true;
    const queue = new RetryingSpanExporter(collector, { ...fast, maxSpans: 100, maxBytes: 1e9 });
    expect(await accept(queue, spans(10))).toEqual({ code: ExportResultCode.SUCCESS });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(collector.attempts).toBeGreaterThan(1);
    expect(queue.stats.retries).toBeGreaterThan(0);
    collector.down = false;
    await queue.forceFlush();
    expect(collector.received).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(queue.stats).toMatchObject({ accepted: 10, delivered: 10, queued: 0, queuedBytes: 0, dropped: { queueFull: 0, rejected: 0, failed: 0, tooLarge: 0, shutdown: 0 } });
    await queue.shutdown();
  });

  it('drops the oldest spans beyond maxSpans, and counts each', async () => {
    const collector = new ScriptedCollector();
    collector.down = true;
    const queue = new RetryingSpanExporter(collector, { ...fast, maxSpans: 6, maxBytes: 1e9 });
    const all = spans(20);
    for (let start = 0; start < 20; start += 5) await accept(queue, all.slice(start, start + 5));
    // Waiting spans within the bound, plus the one request in flight.
    expect(queue.stats.queued).toBeLessThanOrEqual(6 + 4);
    // Let the request in flight fail: it goes back to the front, and is the first dropped.
    await new Promise((resolve) => setTimeout(resolve, 20));
    collector.down = false;
    await queue.forceFlush();
    expect(queue.stats.dropped.queueFull).toBe(14);
    expect(queue.stats.delivered).toBe(6);
    expect(collector.received).toEqual(['14', '15', '16', '17', '18', '19']);
    await queue.shutdown();
  });

  it('bounds the queue by estimated bytes too', async () => {
    const collector = new ScriptedCollector();
    collector.down = true;
    const big = spans(10, { prompt: 'x'.repeat(10_000) });
    const perSpan = spanSize(big[0] as ReadableSpan).held;
    const queue = new RetryingSpanExporter(collector, { ...fast, maxSpans: 1000, maxBytes: perSpan * 3 });
    await accept(queue, big);
    expect(queue.stats.queuedBytes).toBeLessThanOrEqual(perSpan * 3);
    expect(queue.stats.queued).toBeLessThanOrEqual(3);
    expect(queue.stats.dropped.queueFull).toBeGreaterThanOrEqual(7);
    queue.abandon();
  });

  it('does not retry what the collector rejects for good, and counts it', async () => {
    const collector = new ScriptedCollector();
    collector.down = true;
    collector.error = Object.assign(new Error('16 UNAUTHENTICATED'), { code: 16 });
    const queue = new RetryingSpanExporter(collector, { ...fast, maxSpans: 100, maxBytes: 1e9 });
    await accept(queue, spans(3));
    await queue.forceFlush();
    expect(collector.attempts).toBe(1);
    expect(queue.stats.dropped.rejected).toBe(3);
    expect(isRetryable(collector.error)).toBe(false);
    expect(isRetryable(new Error('Concurrent export limit reached'))).toBe(true);
    await queue.shutdown();
  });

  it('counts what shutdown leaves behind, and accepts nothing after', async () => {
    const collector = new ScriptedCollector();
    collector.down = true;
    const queue = new RetryingSpanExporter(collector, { ...fast, maxSpans: 100, maxBytes: 1e9, initialBackoffMillis: 60_000 });
    await accept(queue, spans(5));
    await new Promise((resolve) => setImmediate(resolve));
    queue.abandon();
    await new Promise((resolve) => setImmediate(resolve));
    expect(queue.stats.dropped.shutdown).toBe(5);
    expect((await accept(queue, spans(1))).code).toBe(ExportResultCode.FAILED);
  });

  it('reports otel.sdk.processor.span.* metrics: queue size and capacity, delivered and dropped spans by error.type', async () => {
    const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 });
    const meterProvider = new MeterProvider({ readers: [reader] });
    const collector = new ScriptedCollector();
    collector.down = true;
    const queue = new RetryingSpanExporter(collector, { ...fast, maxSpans: 4, maxBytes: 1e9, meterProvider });
    await accept(queue, spans(10));
    collector.down = false;
    await queue.forceFlush();
    await reader.forceFlush();
    const metrics = metricExporter.getMetrics().flatMap((batch) => batch.scopeMetrics.flatMap((scope) => scope.metrics));
    const points = (name: string) => metrics.find((metric) => metric.descriptor.name === name)?.dataPoints ?? [];
    const processed = points('otel.sdk.processor.span.processed');
    expect(processed.find((point) => point.attributes['error.type'] === 'queue_full')?.value).toBe(queue.stats.dropped.queueFull);
    expect(processed.find((point) => point.attributes['error.type'] === undefined)?.value).toBe(queue.stats.delivered);
    expect(points('otel.sdk.processor.span.queue.capacity')[0]?.value).toBe(4);
    expect(points('otel.sdk.processor.span.queue.size')[0]?.attributes['otel.component.type']).toBe('flo_retry_queue');
    await queue.shutdown();
    await meterProvider.shutdown();
  });

  it('passes batches straight through when turned off (maxSpans 0)', async () => {
    const collector = new ScriptedCollector();
    collector.down = true;
    const queue = new RetryingSpanExporter(collector, { ...fast, maxSpans: 0, maxBytes: 1e9 });
    expect((await accept(queue, spans(2))).code).toBe(ExportResultCode.FAILED);
    expect(collector.attempts).toBe(1);
  });
});
