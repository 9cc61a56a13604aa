/**
 * Real SDK providers with in-memory exporters, bound the way configureTelemetry
 * binds its own, so tests see exactly what the generated code emits.
 */
import { context, diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type MetricData,
} from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { fromReadableLogRecords, fromReadableSpans, fromResourceMetrics, type Telemetry } from '../../src/conformance/index.ts';
import { bindProviders, unbindProviders } from '../../src/runtime/bind.ts';
import { resetReportedProblems } from '../../src/runtime/diagnostics.ts';

export interface Harness {
  readonly tracerProvider: TracerProvider;
  readonly meterProvider: MeterProvider;
  readonly loggerProvider: LoggerProvider;
  /** Spans ended so far (after flushing the span processor). */
  spans(): Promise<ReadableSpan[]>;
  /** Every metric collected so far, cumulative. */
  metrics(): Promise<MetricData[]>;
  /** The one metric of that name, or undefined. */
  metric(name: string): Promise<MetricData | undefined>;
  /** Names of the instrumentation scopes metrics were exported under. */
  metricScopes(): Promise<string[]>;
  /** Log records (events) emitted so far, oldest first. */
  logs(): ReadableLogRecord[];
  /** Everything exported so far, in the shape the conformance check reads. */
  telemetry(): Promise<Telemetry>;
  shutdown(): Promise<void>;
}

let contextManager: AsyncLocalStorageContextManager | undefined;

/** Registers an AsyncLocalStorage context manager once, as the Node SDK does. */
export function ensureContextManager(): void {
  if (contextManager !== undefined) return;
  contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
}

export function createProviders() {
  const spanExporter = new InMemorySpanExporter();
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 });
  const tracerProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spanExporter })] });
  const meterProvider = new MeterProvider({ readers: [reader] });
  const logExporter = new InMemoryLogRecordExporter();
  const loggerProvider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter: logExporter })] });
  const collectBatches = async () => {
    metricExporter.reset();
    await reader.forceFlush();
    return metricExporter.getMetrics();
  };
  const collect = async () => (await collectBatches()).flatMap((resource) => resource.scopeMetrics);
  const spans = async () => {
    await tracerProvider.forceFlush();
    return spanExporter.getFinishedSpans();
  };
  const metrics = async (): Promise<MetricData[]> => (await collect()).flatMap((scope) => scope.metrics);
  return {
    tracerProvider,
    meterProvider,
    loggerProvider,
    spans,
    logs: () => [...logExporter.getFinishedLogRecords()],
    metrics,
    metric: async (name: string) => (await metrics()).find((metric) => metric.descriptor.name === name),
    metricScopes: async () => (await collect()).map((scope) => scope.scope.name),
    telemetry: async () => ({ spans: fromReadableSpans(await spans()), metrics: fromResourceMetrics(await collectBatches()), events: fromReadableLogRecords(logExporter.getFinishedLogRecords()) }),
    shutdown: async () => {
      await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown(), loggerProvider.shutdown()]);
    },
  };
}

/** Creates providers and binds every generated recorder to them. */
export function bindHarness(): Harness {
  ensureContextManager();
  const harness = createProviders();
  // Error messages as thrown: these tests check how errors are recorded; test/instrumentation/privacy.test.ts checks the default policy.
  bindProviders({ ...harness, errorMessages: 'always' });
  return {
    ...harness,
    shutdown: async () => {
      unbindProviders();
      await harness.shutdown();
    },
  };
}

/** Collects what the kit reports through the OpenTelemetry diagnostic logger. */
export function captureDiagnostics(): { messages: string[]; restore: () => void } {
  const messages: string[] = [];
  const record = (message: string) => messages.push(message);
  const logger: DiagLogger = { error: record, warn: record, info: record, debug: () => {}, verbose: () => {} };
  resetReportedProblems();
  diag.setLogger(logger, { logLevel: DiagLogLevel.INFO, suppressOverrideMessage: true });
  return { messages, restore: () => diag.disable() };
}
