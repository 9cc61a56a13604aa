/**
 * In-memory telemetry for tests: real SDK providers (sdk-trace 3,
 * sdk-metrics 3) bound the way configureTelemetry binds its own, with
 * helpers to read back spans as a tree and metric points by attributes.
 *
 *   const telemetry = useInMemoryTelemetry();   // binds; call telemetry.shutdown() after
 *   …
 *   expect(await telemetry.counter('llm.requests.total', { status: 'success' })).toBe(1);
 */
import type { Attributes } from '@opentelemetry/api';
import type { ContentCaptureOptions, ContentDestination } from '../../src/runtime/content.ts';
import type { ErrorMessagePolicy } from '../../src/runtime/error-text.ts';
import type { Conventions } from '../../src/runtime/rules.ts';
import {
  DataPointType,
  MeterProvider,
  MetricReader,
  type HistogramMetricData,
  type MetricData,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { fromReadableLogRecords, fromReadableSpans, fromResourceMetrics, type Telemetry } from '../../src/conformance/index.ts';
import { bindProviders, unbindProviders } from '../../src/runtime/bind.ts';
import { ensureContextManager } from './harness.ts';

/** A metric reader that exports nowhere: `collect()` returns cumulative state on demand. */
class CollectingReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

export interface SpanNode {
  readonly span: ReadableSpan;
  readonly children: SpanNode[];
}

export interface MetricPoint {
  readonly attributes: Attributes;
  /** The sum for counters and gauges; for histograms, the histogram. */
  readonly value: number | { readonly count: number; readonly sum: number; readonly min?: number; readonly max?: number };
}

export interface InMemoryTelemetry {
  readonly tracerProvider: TracerProvider;
  readonly meterProvider: MeterProvider;
  readonly loggerProvider: LoggerProvider;
  /** Ended spans, oldest first (after flushing the span processor). */
  spans(): Promise<ReadableSpan[]>;
  /** The only ended span of that name; throws when there are none or several. */
  span(name: string): Promise<ReadableSpan>;
  /** Ended spans as trees: roots (spans whose parent is not among them), children in start order. */
  tree(): Promise<SpanNode[]>;
  /** Every metric collected so far (cumulative). */
  metrics(): Promise<MetricData[]>;
  /** Data points of one metric; empty when it was never recorded. */
  points(name: string): Promise<MetricPoint[]>;
  /** Sum of the counter's points whose attributes include `match`. */
  counter(name: string, match?: Attributes): Promise<number>;
  /** Count and sum over the histogram's points whose attributes include `match`. */
  histogram(name: string, match?: Attributes): Promise<{ count: number; sum: number }>;
  /** Log records (events) emitted so far, oldest first. */
  logs(): ReadableLogRecord[];
  /** Everything, in the shape the conformance matcher reads: `expect(await t.telemetry()).toConformToSpec()`. */
  telemetry(): Promise<Telemetry>;
  /** Unbinds and shuts both providers down. */
  shutdown(): Promise<void>;
}

export interface InMemoryOptions {
  /** Added before the in-memory exporter's processor, e.g. a faulty one. */
  readonly spanProcessors?: readonly SpanProcessor[];
  /** Bind the recorders to these providers (default true). */
  readonly bind?: boolean;
  /** The error-message policy of the binding (default `always`). */
  readonly errorMessages?: ErrorMessagePolicy;
  /** The conventions of the binding (default: the settings table's). */
  readonly conventions?: Conventions;
  readonly semconvStabilityOptIn?: readonly string[];
  /** Content capture of the binding (default off), and where GenAI content goes. */
  readonly captureContent?: ContentCaptureOptions | boolean;
  readonly captureContentIn?: ContentDestination;
}

export function useInMemoryTelemetry(options: InMemoryOptions = {}): InMemoryTelemetry {
  ensureContextManager();
  const exporter = new InMemorySpanExporter();
  const reader = new CollectingReader();
  const tracerProvider = new TracerProvider({
    spanProcessors: [...(options.spanProcessors ?? []), new SimpleSpanProcessor({ exporter })],
  });
  const meterProvider = new MeterProvider({ readers: [reader] });
  const logExporter = new InMemoryLogRecordExporter();
  const loggerProvider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter: logExporter })] });
  // Error messages as thrown unless a test asks for a policy: test/instrumentation/privacy.test.ts checks the default one.
  if (options.bind !== false) {
    bindProviders({ tracerProvider, meterProvider, loggerProvider, errorMessages: options.errorMessages ?? 'always', conventions: options.conventions, semconvStabilityOptIn: options.semconvStabilityOptIn, captureContent: options.captureContent, captureContentIn: options.captureContentIn });
  }

  const collect = async (): Promise<ResourceMetrics> => (await reader.collect()).resourceMetrics;
  const spans = async () => {
    await tracerProvider.forceFlush();
    return exporter.getFinishedSpans();
  };
  const metrics = async () => (await collect()).scopeMetrics.flatMap((scope) => scope.metrics);
  const points = async (name: string) => pointsOf((await metrics()).find((metric) => metric.descriptor.name === name));

  return {
    tracerProvider,
    meterProvider,
    loggerProvider,
    spans,
    logs: () => [...logExporter.getFinishedLogRecords()],
    span: async (name) => {
      const found = (await spans()).filter((span) => span.name === name);
      if (found.length !== 1) throw new Error(`expected one span named ${name}, found ${found.length}: ${(await spans()).map((span) => span.name).join(', ')}`);
      return found[0] as ReadableSpan;
    },
    tree: async () => buildTree(await spans()),
    metrics,
    points,
    counter: async (name, match = {}) =>
      (await points(name)).filter((point) => includes(point.attributes, match)).reduce((total, point) => total + (typeof point.value === 'number' ? point.value : 0), 0),
    histogram: async (name, match = {}) => {
      const matching = (await points(name)).filter((point) => includes(point.attributes, match));
      return matching.reduce(
        (total, point) => (typeof point.value === 'number' ? total : { count: total.count + point.value.count, sum: total.sum + point.value.sum }),
        { count: 0, sum: 0 },
      );
    },
    telemetry: async () => ({ spans: fromReadableSpans(await spans()), metrics: fromResourceMetrics([await collect()]), events: fromReadableLogRecords(logExporter.getFinishedLogRecords()) }),
    shutdown: async () => {
      if (options.bind !== false) unbindProviders();
      await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown(), loggerProvider.shutdown()]);
    },
  };
}

function pointsOf(metric: MetricData | undefined): MetricPoint[] {
  if (metric === undefined) return [];
  if (metric.dataPointType === DataPointType.HISTOGRAM) {
    return (metric as HistogramMetricData).dataPoints.map((point) => ({
      attributes: point.attributes,
      value: { count: point.value.count, sum: point.value.sum ?? 0, min: point.value.min, max: point.value.max },
    }));
  }
  return metric.dataPoints.map((point) => ({ attributes: point.attributes, value: point.value as number }));
}

function includes(attributes: Attributes, match: Attributes): boolean {
  return Object.entries(match).every(([key, value]) => attributes[key] === value);
}

export function buildTree(spans: readonly ReadableSpan[]): SpanNode[] {
  const nodes = new Map(spans.map((span) => [span.spanContext().spanId, { span, children: [] as SpanNode[] }]));
  const roots: SpanNode[] = [];
  const byStart = (a: SpanNode, b: SpanNode) => a.span.startTime[0] - b.span.startTime[0] || a.span.startTime[1] - b.span.startTime[1];
  for (const node of nodes.values()) {
    const parent = node.span.parentSpanContext ? nodes.get(node.span.parentSpanContext.spanId) : undefined;
    (parent ? parent.children : roots).push(node);
  }
  for (const node of nodes.values()) node.children.sort(byStart);
  return roots.sort(byStart);
}

/** `name` lines indented by depth, for readable assertions and failure messages. */
export function formatTree(roots: readonly SpanNode[], depth = 0): string[] {
  return roots.flatMap((node) => [`${'  '.repeat(depth)}${node.span.name}`, ...formatTree(node.children, depth + 1)]);
}

/** The tree of names only, for `toEqual`: `{ name, children }` recursively. */
export interface NameTree {
  readonly name: string;
  readonly children: NameTree[];
}

export function nameTree(node: SpanNode): NameTree {
  return { name: node.span.name, children: node.children.map(nameTree) };
}
