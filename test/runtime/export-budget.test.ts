/**
 * Export requests a collector accepts, and failures that never block the
 * queue. A scripted collector encodes every request with the OTLP exporters'
 * own protobuf serializer and, like a gRPC server with its default limit,
 * refuses one above its receive limit with RESOURCE_EXHAUSTED.
 */
import { DiagLogLevel, diag, type DiagLogger } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { ProtobufLogsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import { RetryingLogRecordExporter, RetryingSpanExporter, collectorLimit, type ItemExporter } from '../../src/runtime/retry-queue.ts';

const MiB = 1024 * 1024;

function spans(count: number, attributes: (index: number) => Record<string, string | string[]> = () => ({})): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: memory })], spanLimits: { attributeCountLimit: 100_000 } });
  const tracer = provider.getTracer('test');
  for (let index = 0; index < count; index += 1) tracer.startSpan(String(index), { attributes: attributes(index) }).end();
  return memory.getFinishedSpans();
}

/** Text of `length` characters, different for every `seed`, so no two spans share a string. */
function prose(length: number, seed: number): string {
  return `${seed} `.padEnd(length, 'The customer asks about invoice INV-1042. ');
}

/** A collector with a receive limit, as gRPC servers have (4 MiB unless configured otherwise). */
class LimitedCollector implements SpanExporter {
  readonly requests: number[] = [];
  readonly received: ReadableSpan[] = [];
  refused = 0;
  /** Whether a refusal names the limit, as grpc-go and grpc-js servers do. */
  statesLimit = true;
  /** Fail every request with this gRPC code instead, while set. */
  failWith: number | undefined;
  /** Never answer, while set. */
  silent = false;
  attempts = 0;
  readonly limit: number;

  constructor(limit: number) {
    this.limit = limit;
  }

  export(batch: ReadableSpan[], callback: (result: ExportResult) => void): void {
    this.attempts += 1;
    if (this.silent) return;
    const bytes = ProtobufTraceSerializer.serializeRequest(batch)?.length ?? 0;
    setImmediate(() => {
      if (this.failWith !== undefined) {
        callback({ code: ExportResultCode.FAILED, error: Object.assign(new Error(`${this.failWith} failure`), { code: this.failWith }) });
      } else if (bytes > this.limit) {
        this.refused += 1;
        const details = this.statesLimit ? `Received message larger than max (${bytes} vs. ${this.limit})` : 'message too large';
        callback({ code: ExportResultCode.FAILED, error: Object.assign(new Error(`8 RESOURCE_EXHAUSTED: ${details}`), { code: 8 }) });
      } else {
        this.requests.push(bytes);
        this.received.push(...batch);
        callback({ code: ExportResultCode.SUCCESS });
      }
    });
  }

  async shutdown(): Promise<void> {}
}

function accept<T>(queue: ItemExporter<T>, batch: T[]): Promise<ExportResult> {
  return new Promise((resolve) => queue.export(batch, resolve));
}

const options = { maxSpans: 10_000, maxBytes: 1024 * MiB, maxBatchSize: 512, maxRequestBytes: 3 * MiB, initialBackoffMillis: 1, maxBackoffMillis: 5 };

/** Everything the kit logs through diag at warn and above, while a test runs. */
const logged: string[] = [];
const capture: DiagLogger = {
  error: (message) => logged.push(`error: ${message}`),
  warn: (message) => logged.push(`warn: ${message}`),
  info: () => {},
  debug: () => {},
  verbose: () => {},
};
afterEach(() => {
  diag.disable();
  logged.length = 0;
});
function captureDiag(): void {
  diag.setLogger(capture, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
}

describe('export requests within a byte budget', () => {
  it('never sends a request above the budget, measured as the exporter encodes it, and delivers every span', async () => {
    const collector = new LimitedCollector(4 * MiB);
    const queue = new RetryingSpanExporter(collector, { ...options, maxRequestBytes: 3 * MiB });
    // 1000 LLM spans with a 4000-character prompt and completion: 512 of them encode to about 4.2 MB.
    const all = spans(1000, (index) => ({ 'llm.request.content': prose(4000, index), 'llm.response.content': prose(4000, -index) }));
    for (let start = 0; start < all.length; start += 512) await accept(queue, all.slice(start, start + 512));
    await queue.forceFlush();
    expect(collector.received).toHaveLength(1000);
    expect(collector.refused).toBe(0);
    expect(Math.max(...collector.requests)).toBeLessThanOrEqual(3 * MiB);
    // Budgeted, not needlessly small: requests come close to the budget.
    expect(Math.max(...collector.requests)).toBeGreaterThan(2.5 * MiB);
    await queue.shutdown();
  });

  it('learns the limit of a collector that refuses a request, and sends the same spans again in smaller requests at once', async () => {
    captureDiag();
    const collector = new LimitedCollector(1 * MiB);
    const queue = new RetryingSpanExporter(collector, { ...options, maxRequestBytes: 3 * MiB, initialBackoffMillis: 60_000 });
    const all = spans(600, (index) => ({ 'llm.request.content': prose(4000, index) }));
    await accept(queue, all);
    await queue.forceFlush();
    expect(collector.received.map((span) => span.name)).toEqual(all.map((span) => span.name));
    expect(collector.refused).toBe(1);
    expect(queue.stats.requestBytes).toBeLessThanOrEqual(1 * MiB);
    expect(Math.max(...collector.requests)).toBeLessThanOrEqual(1 * MiB);
    expect(logged.filter((line) => line.includes('refused a request'))).toHaveLength(1);
    expect(logged.join('\n')).toContain('it accepts 1.0 MiB');
    await queue.shutdown();
  });

  it('halves the requests when a refusal does not state the limit', async () => {
    const collector = new LimitedCollector(600 * 1024);
    collector.statesLimit = false;
    const queue = new RetryingSpanExporter(collector, { ...options, maxRequestBytes: 3 * MiB, initialBackoffMillis: 60_000 });
    const all = spans(600, (index) => ({ 'llm.request.content': prose(4000, index) }));
    await accept(queue, all);
    await queue.forceFlush();
    expect(collector.received).toHaveLength(600);
    expect(collector.refused).toBeGreaterThanOrEqual(1);
    expect(queue.stats.dropped).toEqual({ queueFull: 0, rejected: 0, failed: 0, tooLarge: 0, shutdown: 0 });
    await queue.shutdown();
  });

  it('cuts the longest values of a span that alone exceeds the budget, as an attribute value length limit would, and delivers it', async () => {
    captureDiag();
    const collector = new LimitedCollector(4 * MiB);
    const queue = new RetryingSpanExporter(collector, { ...options, maxRequestBytes: 256 * 1024 });
    const [huge] = spans(1, () => ({ 'llm.request.content': prose(600_000, 1), 'llm.model': 'gpt-4o', 'tags': ['a', prose(300_000, 2)] }));
    await accept(queue, [huge as ReadableSpan]);
    await queue.forceFlush();
    expect(collector.received).toHaveLength(1);
    const sent = collector.received[0] as ReadableSpan;
    expect(collector.requests[0]).toBeLessThanOrEqual(256 * 1024);
    expect(sent.attributes['llm.model']).toBe('gpt-4o');
    const prompt = sent.attributes['llm.request.content'] as string;
    expect(prompt.length).toBeGreaterThan(100_000);
    expect(prose(600_000, 1).startsWith(prompt)).toBe(true);
    expect((sent.attributes['tags'] as string[])[0]).toBe('a');
    expect(sent.spanContext().spanId).toBe((huge as ReadableSpan).spanContext().spanId);
    expect(queue.stats.truncated).toBe(1);
    await queue.shutdown();
  });

  it('drops a span that cannot fit even with its values cut, counts it as too_large, and delivers the rest', async () => {
    captureDiag();
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
    const meterProvider = new MeterProvider({ readers: [reader] });
    const collector = new LimitedCollector(4 * MiB);
    const queue = new RetryingSpanExporter(collector, { ...options, maxRequestBytes: 64 * 1024, meterProvider });
    const manyKeys = Object.fromEntries(Array.from({ length: 5000 }, (_, index) => [`key.${index}`, 'v']));
    const batch = [...spans(1, () => manyKeys), ...spans(3)];
    await accept(queue, batch);
    await queue.forceFlush();
    expect(collector.received.map((span) => span.name)).toEqual(['0', '1', '2']);
    expect(queue.stats.dropped.tooLarge).toBe(1);
    await reader.forceFlush();
    const points = exporter.getMetrics().flatMap((data) => data.scopeMetrics.flatMap((scope) => scope.metrics)).find((metric) => metric.descriptor.name === 'otel.sdk.processor.span.processed')?.dataPoints ?? [];
    expect(points.find((point) => point.attributes['error.type'] === 'too_large')?.value).toBe(1);
    expect(logged.join('\n')).toContain('cannot fit an export request');
    await queue.shutdown();
    await meterProvider.shutdown();
  });

  it('reads the limit a gRPC server states', () => {
    expect(collectorLimit(new Error('8 RESOURCE_EXHAUSTED: Received message larger than max (8390123 vs. 4194304)'))).toBe(4194304);
    expect(collectorLimit(new Error('8 RESOURCE_EXHAUSTED: grpc: received message larger than max (5000000 vs. 4194304)'))).toBe(4194304);
    expect(collectorLimit(new Error('8 RESOURCE_EXHAUSTED: quota exceeded'))).toBeUndefined();
    expect(collectorLimit(Object.create(null))).toBeUndefined();
  });
});

describe('failures never block the queue', () => {
  it('sets a request that fails for its own reasons aside with its own backoff, while later spans are delivered; drops it after a few attempts', async () => {
    captureDiag();
    const collector = new LimitedCollector(4 * MiB);
    const queue = new RetryingSpanExporter(collector, { ...options, maxBatchSize: 5 });
    const first = spans(5);
    // DATA_LOSS for the first request only.
    const realExport = collector.export.bind(collector);
    collector.export = (batch, callback) => {
      if (batch.some((span) => first.includes(span))) {
        collector.attempts += 1;
        setImmediate(() => callback({ code: ExportResultCode.FAILED, error: Object.assign(new Error('15 DATA_LOSS'), { code: 15 }) }));
      } else realExport(batch, callback);
    };
    await accept(queue, first);
    await new Promise((resolve) => setImmediate(resolve));
    const later = spans(10);
    await accept(queue, later);
    await new Promise((resolve) => setTimeout(resolve, 20));
    // Delivered while the first request waits on its own backoff.
    expect(collector.received).toHaveLength(10);
    await queue.forceFlush();
    expect(queue.stats.dropped.failed).toBe(5);
    expect(logged.join('\n')).toContain('failed 6 times');
    await queue.shutdown();
  });

  it('gives up on a request the collector does not answer within the export deadline, cancels its call, and retries', async () => {
    const collector = new LimitedCollector(4 * MiB);
    collector.silent = true;
    let resets = 0;
    const queue = new RetryingSpanExporter(collector, {
      ...options,
      maxRequestBytes: 3 * MiB,
      exportTimeoutMillis: 30,
      onCollectorAway: () => {
        resets += 1;
        collector.silent = false;
      },
    });
    await accept(queue, spans(3));
    await queue.forceFlush();
    expect(resets).toBe(1);
    expect(collector.received).toHaveLength(3);
    expect(queue.stats.retries).toBe(1);
    await queue.shutdown();
  });

  it('warns once per outage that the queue is full, then gives the total when the collector answers again', async () => {
    captureDiag();
    const collector = new LimitedCollector(4 * MiB);
    collector.failWith = 14;
    const queue = new RetryingSpanExporter(collector, { ...options, maxSpans: 10, maxBatchSize: 5 });
    await accept(queue, spans(5));
    await new Promise((resolve) => setTimeout(resolve, 5));
    for (let round = 0; round < 10; round += 1) await accept(queue, spans(5));
    const full = logged.filter((line) => line.includes('retry queue full'));
    expect(full).toHaveLength(1);
    expect(full[0]).toContain('while the collector does not answer');
    collector.failWith = undefined;
    await queue.forceFlush();
    const dropped = queue.stats.dropped.queueFull;
    expect(dropped).toBeGreaterThan(0);
    expect(logged.filter((line) => line.includes(`${dropped} spans in all were dropped`))).toHaveLength(1);
    expect(logged.filter((line) => line.includes('export failed'))).toHaveLength(1);
    await queue.shutdown();
  });

  it('says how many spans shutdown leaves undelivered, the request in flight included', async () => {
    captureDiag();
    const collector = new LimitedCollector(4 * MiB);
    collector.silent = true;
    const queue = new RetryingSpanExporter(collector, { ...options, maxBatchSize: 2, exportTimeoutMillis: 60_000 });
    await accept(queue, spans(5));
    queue.abandon();
    expect(logged).toContain('warn: telemetry retry queue: 5 spans not delivered before shutdown were dropped (2 of them in a request the collector had not answered)');
    expect(queue.stats.dropped.shutdown).toBe(3);
  });
});

describe('log records go the same way', () => {
  /** A logs collector with a receive limit, measuring with the logs serializer. */
  class LogsCollector implements ItemExporter<ReadableLogRecord> {
    readonly requests: number[] = [];
    readonly received: ReadableLogRecord[] = [];
    readonly limit: number;

    constructor(limit: number) {
      this.limit = limit;
    }

    export(records: ReadableLogRecord[], callback: (result: ExportResult) => void): void {
      const bytes = ProtobufLogsSerializer.serializeRequest(records)?.length ?? 0;
      setImmediate(() => {
        if (bytes > this.limit) {
          callback({ code: ExportResultCode.FAILED, error: Object.assign(new Error(`8 RESOURCE_EXHAUSTED: Received message larger than max (${bytes} vs. ${this.limit})`), { code: 8 }) });
          return;
        }
        this.requests.push(bytes);
        this.received.push(...records);
        callback({ code: ExportResultCode.SUCCESS });
      });
    }

    async shutdown(): Promise<void> {}
  }

  function records(count: number, body: (index: number) => unknown): ReadableLogRecord[] {
    const memory = new InMemoryLogRecordExporter();
    const logger = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter: memory })] }).getLogger('test');
    for (let index = 0; index < count; index += 1) logger.emit({ eventName: 'gen_ai.client.inference.operation.details', body: body(index) as never });
    return memory.getFinishedLogRecords();
  }

  it('keeps requests within the budget, and cuts the strings inside a body too large for any request', async () => {
    const collector = new LogsCollector(4 * MiB);
    const queue = new RetryingLogRecordExporter(collector, { ...options, maxRequestBytes: 256 * 1024 });
    const batch = [
      ...records(100, (index) => ({ input: [{ role: 'user', parts: [{ type: 'text', content: prose(4000, index) }] }] })),
      ...records(1, () => ({ input: [{ role: 'user', parts: [{ type: 'text', content: prose(1_000_000, 7) }] }], model: 'gpt-4o' })),
    ];
    await accept(queue, batch);
    await queue.forceFlush();
    expect(collector.received).toHaveLength(101);
    expect(Math.max(...collector.requests)).toBeLessThanOrEqual(256 * 1024);
    const cut = collector.received.at(-1)?.body as { input: Array<{ parts: Array<{ content: string }> }>; model: string };
    expect(cut.model).toBe('gpt-4o');
    expect(cut.input[0]?.parts[0]?.content.length).toBeGreaterThan(100_000);
    expect(cut.input[0]?.parts[0]?.content.length).toBeLessThan(1_000_000);
    expect(queue.stats.truncated).toBe(1);
    await queue.shutdown();
  });
});
