/**
 * The export pipeline: span processors and metric readers for OTLP gRPC and
 * the console, built from a resolved configuration.
 *
 * Every path out of the process is bounded: spans wait in a queue of fixed
 * size (overflow is dropped and counted, never buffered without limit), each
 * export has a deadline, and metric exports end before the next one starts.
 */
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
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
import {
  BatchSpanProcessor,
  ConsoleSpanExporter,
  NoopSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import type { ResolvedTelemetryConfig } from './options.ts';

/**
 * Bounds of every batch span processor the kit creates. Memory for spans
 * waiting to be exported is at most `maxQueueSize` spans per exporter; a
 * span that finds the queue full is dropped (and reported through diag).
 */
export const SPAN_BATCH_LIMITS = Object.freeze({
  maxQueueSize: 2048,
  maxExportBatchSize: 512,
  scheduledDelayMillis: 1000,
  exportTimeoutMillis: 10_000,
});

export interface ExportPipeline {
  readonly spanProcessors: readonly SpanProcessor[];
  readonly metricReaders: readonly IMetricReader[];
  /** False when no telemetry leaves the process: no OTLP, no console, nothing from the caller. */
  readonly exportsAnything: boolean;
}

/**
 * Builds processors and readers. When nothing exports, the pipeline still
 * ends in a no-op processor and a never-collected reader, so the SDK creates
 * real providers: spans get real ids (context propagation, log correlation)
 * and custom instruments work, they are just not sent anywhere.
 */
export function buildExportPipeline(config: ResolvedTelemetryConfig): ExportPipeline {
  const spanExporters: SpanExporter[] = [];
  const metricExporters: PushMetricExporter[] = [];
  if (config.otlpEndpoint !== undefined) {
    spanExporters.push(otlpTraceExporter(config.otlpEndpoint, config.otlpHeaders));
    metricExporters.push(otlpMetricExporter(config.otlpEndpoint, config.otlpHeaders));
  }
  if (config.consoleExport) {
    spanExporters.push(new ConsoleSpanExporter());
    metricExporters.push(new ConsoleMetricExporter());
  }
  const spanProcessors = [...spanExporters.map(batchSpanProcessor), ...config.spanProcessors];
  const metricReaders = [
    ...metricExporters.map((exporter) => periodicMetricReader(exporter, config)),
    ...config.metricReaders,
  ];
  const exportsAnything = spanProcessors.length > 0 || metricReaders.length > 0;
  if (spanProcessors.length === 0) spanProcessors.push(new NoopSpanProcessor());
  if (metricReaders.length === 0) metricReaders.push(new UnexportedMetricReader());
  return { spanProcessors, metricReaders, exportsAnything };
}

/**
 * The exporters pick the channel credentials from the URL scheme: http:// is
 * plaintext, https:// is TLS (with OTEL_EXPORTER_OTLP_CERTIFICATE,
 * ..._CLIENT_KEY and ..._CLIENT_CERTIFICATE when set). They also add the
 * OTEL_EXPORTER_OTLP_*HEADERS entries to the metadata, below ours.
 */
function otlpTraceExporter(url: string, headers: Readonly<Record<string, string>>): OTLPTraceExporter {
  return new OTLPTraceExporter({ url, metadata: grpcMetadata(headers) });
}

function otlpMetricExporter(url: string, headers: Readonly<Record<string, string>>): OTLPMetricExporter {
  return new OTLPMetricExporter({ url, metadata: grpcMetadata(headers) });
}

function grpcMetadata(headers: Readonly<Record<string, string>>): ReturnType<typeof createEmptyMetadata> {
  const metadata = createEmptyMetadata();
  for (const [name, value] of Object.entries(headers)) metadata.set(name, value);
  return metadata;
}

function batchSpanProcessor(exporter: SpanExporter): SpanProcessor {
  return new BatchSpanProcessor({ exporter, ...SPAN_BATCH_LIMITS });
}

function periodicMetricReader(exporter: PushMetricExporter, config: ResolvedTelemetryConfig): IMetricReader {
  return new PeriodicExportingMetricReader({
    exporter,
    exportIntervalMillis: config.metricExportIntervalMillis,
    exportTimeoutMillis: config.metricExportTimeoutMillis,
  });
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
