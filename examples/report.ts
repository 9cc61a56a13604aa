/**
 * Keeps a copy of what the demo emits, through the public SDK API only (an
 * extra span processor and metric reader handed to configureTelemetry), and
 * prints it compactly: an indented span tree per trace and one line per
 * metric data point.
 */
import { SpanStatusCode, type Attributes, type AttributeValue } from '@opentelemetry/api';
import { DataPointType, MetricReader, type MetricData } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan, type SpanProcessor } from '@opentelemetry/sdk-trace';

/** Collects on demand; exports nowhere. */
class SnapshotReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

export interface Snapshot {
  readonly spans: readonly ReadableSpan[];
  readonly metrics: readonly MetricData[];
}

export class TelemetryReport {
  readonly #exporter = new InMemorySpanExporter();
  readonly spanProcessor: SpanProcessor = new SimpleSpanProcessor({ exporter: this.#exporter });
  readonly metricReader = new SnapshotReader();

  /** Call before shutting telemetry down: shutdown empties the in-memory exporter. */
  async snapshot(): Promise<Snapshot> {
    await this.spanProcessor.forceFlush();
    const { resourceMetrics } = await this.metricReader.collect();
    return {
      spans: [...this.#exporter.getFinishedSpans()],
      metrics: resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics),
    };
  }
}

/** GenAI duplicates of the flo keys (same value, see docs/attributes.md) are left out here; the exporters show them. */
const HIDDEN_PREFIX = 'gen_ai.';

export function formatSpanTree(spans: readonly ReadableSpan[]): string[] {
  const children = new Map<string | undefined, ReadableSpan[]>();
  const ids = new Set(spans.map((span) => span.spanContext().spanId));
  for (const span of spans) {
    const parent = span.parentSpanContext?.spanId;
    const key = parent !== undefined && ids.has(parent) ? parent : undefined;
    children.set(key, [...(children.get(key) ?? []), span]);
  }
  const byStart = (a: ReadableSpan, b: ReadableSpan) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1];
  const lines: string[] = [];
  const walk = (span: ReadableSpan, depth: number) => {
    lines.push(`${'  '.repeat(depth)}${describeSpan(span)}`);
    for (const child of (children.get(span.spanContext().spanId) ?? []).sort(byStart)) walk(child, depth + 1);
  };
  for (const root of (children.get(undefined) ?? []).sort(byStart)) {
    lines.push(`trace ${root.spanContext().traceId}`);
    walk(root, 1);
  }
  return lines;
}

function describeSpan(span: ReadableSpan): string {
  const milliseconds = span.duration[0] * 1000 + span.duration[1] / 1e6;
  const status = span.status.code === SpanStatusCode.ERROR ? `  ERROR(${span.status.message ?? ''})` : '';
  return `${span.name}  ${milliseconds.toFixed(1)} ms${status}  ${formatAttributes(span.attributes, (key) => !key.startsWith(HIDDEN_PREFIX))}`;
}

export function formatMetrics(metrics: readonly MetricData[]): string[] {
  return [...metrics]
    .sort((a, b) => a.descriptor.name.localeCompare(b.descriptor.name))
    .flatMap((metric) =>
      metric.dataPoints.map((point) => {
        const unit = metric.descriptor.unit;
        const value =
          metric.dataPointType === DataPointType.HISTOGRAM
            ? (() => {
                const histogram = point.value as { count: number; sum?: number };
                return `count=${histogram.count} sum=${round(histogram.sum ?? 0)} ${unit}`;
              })()
            : `${String(point.value)} ${unit}`;
        return `${metric.descriptor.name} {${formatAttributes(point.attributes, () => true)}} ${value}`;
      }),
    );
}

function formatAttributes(attributes: Attributes, shown: (key: string) => boolean): string {
  return Object.entries(attributes)
    .filter(([key]) => shown(key))
    .map(([key, value]) => `${key}=${formatValue(value)}`)
    .join(' ');
}

function formatValue(value: AttributeValue | undefined): string {
  if (typeof value === 'number') return String(round(value));
  if (typeof value === 'string') return value.includes(' ') ? JSON.stringify(value) : value;
  return String(value);
}

function round(value: number): number {
  return Number.isInteger(value) ? value : Math.round(value * 1000) / 1000;
}
