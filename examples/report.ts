/**
 * Keeps a copy of what the demo emits, through the public SDK API only (an
 * extra span processor, metric reader and log record processor handed to
 * configureTelemetry), and prints it compactly: an indented span tree per
 * trace, one line per metric data point and one per event.
 */
import { InMemoryLogRecordExporter, SimpleLogRecordProcessor, type LogRecordProcessor, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { MetricReader, type MetricData } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan, type SpanProcessor } from '@opentelemetry/sdk-trace';

/** Collects on demand; exports nowhere. */
class SnapshotReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

export interface Snapshot {
  readonly spans: readonly ReadableSpan[];
  readonly metrics: readonly MetricData[];
  readonly logs: readonly ReadableLogRecord[];
}

export class TelemetryReport {
  readonly #exporter = new InMemorySpanExporter();
  readonly spanProcessor: SpanProcessor = new SimpleSpanProcessor({ exporter: this.#exporter });
  readonly metricReader = new SnapshotReader();
  readonly #logs = new InMemoryLogRecordExporter();
  readonly logRecordProcessor: LogRecordProcessor = new SimpleLogRecordProcessor({ exporter: this.#logs });

  /** Call before shutting telemetry down: shutdown empties the in-memory exporter. */
  async snapshot(): Promise<Snapshot> {
    await this.spanProcessor.forceFlush();
    const { resourceMetrics } = await this.metricReader.collect();
    return {
      spans: [...this.#exporter.getFinishedSpans()],
      metrics: resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics),
      logs: [...this.#logs.getFinishedLogRecords()],
    };
  }
}

// The same compact format the kit's console export prints (consoleFormat: 'compact').
export { formatLogRecords, formatMetrics, formatSpanTree } from '../src/runtime/console.ts';
