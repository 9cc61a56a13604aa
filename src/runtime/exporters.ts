/**
 * The export pipeline: span processors and metric readers for OTLP gRPC and
 * the console, built from a resolved configuration.
 *
 * Every path out of the process is bounded: spans wait in the batch
 * processor's queue, then in the retry queue while the collector is away
 * (both of fixed size; overflow is dropped and counted, never buffered
 * without limit), every span request stays under the byte budget a collector
 * accepts, each export has a deadline the kit keeps on unref'd timers, and
 * metric exports end before the next one starts. Nothing of it keeps the
 * process alive (grpc-sockets.ts).
 */
import type { MeterProvider } from '@opentelemetry/api';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
// The exporters' own helper, so the Metadata comes from the same @grpc/grpc-js copy they use.
import { createEmptyMetadata } from '@opentelemetry/otlp-grpc-exporter-base';
import {
  ConsoleMetricExporter,
  MetricReader,
  PeriodicExportingMetricReader,
  type IMetricReader,
  type PushMetricExporter,
} from '@opentelemetry/sdk-metrics';
import { BatchLogRecordProcessor, ConsoleLogRecordExporter, type LogRecordExporter, type LogRecordProcessor } from '@opentelemetry/sdk-logs';
import {
  BatchSpanProcessor,
  ConsoleSpanExporter,
  NoopSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import { CompactConsoleLogRecordExporter, CompactConsoleMetricExporter, CompactConsoleSpanExporter } from './console.ts';
import { GrpcSocketTracker } from './grpc-sockets.ts';
import { BackgroundMetricExporter } from './metric-export.ts';
import { RetryingLogRecordExporter, RetryingSpanExporter, type RetryQueueOptions } from './retry-queue.ts';
import type { ResolvedTelemetryConfig } from './settings.ts';
import { withSpecUnits } from './spec-units.ts';
// Generated from the spec (semconv/runtime.yaml), as the runtime's other names.
import { OTEL_SDK_EXPORTER_LOG_EXPORTED_METRIC, OTEL_SDK_EXPORTER_LOG_INFLIGHT_METRIC } from '../generated/metrics.ts';

/**
 * Bounds of every batch span processor the kit creates. Memory for spans
 * waiting to be handed to an exporter is at most `maxQueueSize` spans per
 * exporter; a span that finds the queue full is dropped (and counted).
 */
export const SPAN_BATCH_LIMITS = Object.freeze({
  maxQueueSize: 2048,
  maxExportBatchSize: 512,
  scheduledDelayMillis: 1000,
  exportTimeoutMillis: 10_000,
});

/** Bounds of every batch log record processor the kit creates: the span processor's. */
export const LOG_BATCH_LIMITS = SPAN_BATCH_LIMITS;

export interface MetricPipeline {
  /** Readers for the MeterProvider: never empty (a reader nobody collects when nothing exports metrics). */
  readonly readers: readonly IMetricReader[];
  readonly exportsMetrics: boolean;
}

export interface SpanPipeline {
  /** Processors for the TracerProvider: never empty (a no-op processor when nothing exports spans). */
  readonly processors: readonly SpanProcessor[];
  /** The OTLP span retry queue, when exporting over OTLP. */
  readonly retryQueue: RetryingSpanExporter | undefined;
  readonly exportsSpans: boolean;
}

export interface LogPipeline {
  /** Processors for the LoggerProvider: empty with logs off, or when nothing exports log records. */
  readonly processors: readonly LogRecordProcessor[];
  /** The OTLP log record retry queue, when exporting over OTLP. */
  readonly retryQueue: RetryingLogRecordExporter | undefined;
  readonly exportsLogs: boolean;
}

/**
 * Metric readers come first: the MeterProvider is built from them, and the
 * span processors and exporters then report their `otel.sdk.*` metrics
 * through that provider. When nothing exports, the pipelines still end in a
 * reader nobody collects and a no-op processor, so the SDK creates real
 * providers: spans get real ids (context propagation, log correlation) and
 * custom instruments work, they are just not sent anywhere.
 */
export function buildMetricPipeline(config: ResolvedTelemetryConfig, sockets: GrpcSocketTracker): MetricPipeline {
  // Metrics off: no reader at all, and the session registers no meter provider (configure.ts).
  if (!config.metrics) return { readers: [], exportsMetrics: false };
  const exporters: PushMetricExporter[] = [];
  if (config.otlpEndpoint !== undefined) {
    const { credentials, timeoutMillis } = sockets.connectionFor(config.otlpEndpoint, 'METRICS');
    // Within the reader's own timeout, so the reader never abandons an export that is still running.
    const deadline = Math.min(timeoutMillis, config.metricExportTimeoutMillis);
    const otlp = sockets.adopt(new OTLPMetricExporter({ url: config.otlpEndpoint, metadata: grpcMetadata(config.otlpHeaders), credentials, timeoutMillis: deadline }));
    exporters.push(new BackgroundMetricExporter(otlp, { timeoutMillis: deadline, onFailure: () => sockets.reconnect(otlp) }));
  }
  if (config.consoleExport) exporters.push(config.consoleFormat === 'raw' ? new ConsoleMetricExporter() : new CompactConsoleMetricExporter());
  const readers: IMetricReader[] = [
    ...exporters.map(
      (exporter) =>
        new PeriodicExportingMetricReader({
          exporter,
          exportIntervalMillis: config.metricExportIntervalMillis,
          exportTimeoutMillis: config.metricExportTimeoutMillis,
        }),
    ),
    ...config.metricReaders,
  ];
  return readers.length > 0 ? { readers, exportsMetrics: true } : { readers: [new UnexportedMetricReader()], exportsMetrics: false };
}

export function buildSpanPipeline(config: ResolvedTelemetryConfig, meterProvider: MeterProvider, sockets: GrpcSocketTracker): SpanPipeline {
  const selfObs = config.selfMetrics && config.metrics ? meterProvider : undefined;
  const processors: SpanProcessor[] = [];
  let retryQueue: RetryingSpanExporter | undefined;
  if (config.otlpEndpoint !== undefined) {
    const { credentials, timeoutMillis } = sockets.connectionFor(config.otlpEndpoint, 'TRACES');
    const otlpOptions = { url: config.otlpEndpoint, metadata: grpcMetadata(config.otlpHeaders), credentials, selfObsMeterProvider: selfObs, timeoutMillis };
    const otlp = sockets.adopt(new OTLPTraceExporter(otlpOptions));
    retryQueue = new RetryingSpanExporter(otlp, retryQueueOptions(config, timeoutMillis, () => sockets.reconnect(otlp), selfObs));
    processors.push(batchSpanProcessor(retryQueue, selfObs));
  }
  if (config.consoleExport) {
    // The console is for reading spans while developing; its processor reports no otel.sdk.* metrics.
    const exporter: SpanExporter = config.consoleFormat === 'raw' ? new ConsoleSpanExporter() : new CompactConsoleSpanExporter();
    processors.push(batchSpanProcessor(exporter, undefined));
  }
  processors.push(...config.spanProcessors);
  const exportsSpans = processors.length > 0;
  if (!exportsSpans) processors.push(new NoopSpanProcessor());
  return { processors, retryQueue, exportsSpans };
}

/**
 * Log records go as spans go: a batch processor, then, for OTLP, a retry queue with the same bounds,
 * byte budget and failure rules (retry-queue.ts), to the same endpoint with the same headers and TLS;
 * the exporter reads OTEL_EXPORTER_OTLP_LOGS_* itself.
 */
export function buildLogPipeline(config: ResolvedTelemetryConfig, meterProvider: MeterProvider, sockets: GrpcSocketTracker): LogPipeline {
  if (!config.logs) return { processors: [], retryQueue: undefined, exportsLogs: false };
  const selfObs = config.selfMetrics && config.metrics ? meterProvider : undefined;
  const processors: LogRecordProcessor[] = [];
  let retryQueue: RetryingLogRecordExporter | undefined;
  if (config.otlpEndpoint !== undefined) {
    const { credentials, timeoutMillis } = sockets.connectionFor(config.otlpEndpoint, 'LOGS');
    // The exporter's own metrics in the unit the conventions give them (spec-units.ts).
    const exporterMetrics = selfObs === undefined ? undefined : withSpecUnits(selfObs, [OTEL_SDK_EXPORTER_LOG_INFLIGHT_METRIC, OTEL_SDK_EXPORTER_LOG_EXPORTED_METRIC]);
    const otlp = sockets.adopt(new OTLPLogExporter({ url: config.otlpEndpoint, metadata: grpcMetadata(config.otlpHeaders), credentials, timeoutMillis, selfObsMeterProvider: exporterMetrics }));
    retryQueue = new RetryingLogRecordExporter(otlp, retryQueueOptions(config, timeoutMillis, () => sockets.reconnect(otlp), selfObs));
    processors.push(new BatchLogRecordProcessor({ exporter: retryQueue, ...LOG_BATCH_LIMITS, selfObsMeterProvider: selfObs }));
  }
  if (config.consoleExport) {
    const exporter: LogRecordExporter = config.consoleFormat === 'raw' ? new ConsoleLogRecordExporter() : new CompactConsoleLogRecordExporter();
    processors.push(new BatchLogRecordProcessor({ exporter, ...LOG_BATCH_LIMITS }));
  }
  processors.push(...config.logRecordProcessors);
  return { processors, retryQueue, exportsLogs: processors.length > 0 };
}

/** One signal's retry queue: the configured bounds and byte budget, the exporter's deadline. */
function retryQueueOptions(config: ResolvedTelemetryConfig, timeoutMillis: number, onCollectorAway: () => void, meterProvider: MeterProvider | undefined): RetryQueueOptions {
  return {
    maxSpans: config.retryQueueMaxSpans,
    maxBytes: config.retryQueueMaxBytes,
    maxBatchSize: SPAN_BATCH_LIMITS.maxExportBatchSize,
    maxRequestBytes: config.exportRequestMaxBytes,
    exportTimeoutMillis: timeoutMillis,
    onCollectorAway,
    meterProvider,
  };
}

function grpcMetadata(headers: Readonly<Record<string, string>>): ReturnType<typeof createEmptyMetadata> {
  const metadata = createEmptyMetadata();
  for (const [name, value] of Object.entries(headers)) metadata.set(name, value);
  return metadata;
}

function batchSpanProcessor(exporter: SpanExporter, selfObsMeterProvider: MeterProvider | undefined): SpanProcessor {
  return new BatchSpanProcessor({ exporter, ...SPAN_BATCH_LIMITS, selfObsMeterProvider });
}

/**
 * A reader nobody collects from: it gives the MeterProvider a reason to
 * exist when no exporter is configured. Memory stays bounded by the SDK's
 * cardinality limit (2000 series per instrument).
 */
class UnexportedMetricReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}
