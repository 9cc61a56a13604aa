/**
 * Turns what exporters and backends hand back into the observed shapes the
 * conformance check reads: the SDK's in-memory exporters (spans, metrics, log
 * records), and Jaeger's HTTP query API.
 */
import { SpanKind } from '@opentelemetry/api';
import { DataPointType, type MetricData, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type { InstrumentKind } from '../runtime/metrics.ts';
import type { SpanKindName } from '../runtime/spans.ts';
import type { ObservedEvent, ObservedMetric, ObservedSpan } from './check.ts';

const KIND_NAMES: Record<SpanKind, SpanKindName> = {
  [SpanKind.INTERNAL]: 'internal',
  [SpanKind.SERVER]: 'server',
  [SpanKind.CLIENT]: 'client',
  [SpanKind.PRODUCER]: 'producer',
  [SpanKind.CONSUMER]: 'consumer',
};

export function fromReadableSpans(spans: readonly ReadableSpan[]): ObservedSpan[] {
  return spans.map((span) => ({
    name: span.name,
    kind: KIND_NAMES[span.kind],
    scope: span.instrumentationScope.name,
    attributes: span.attributes,
  }));
}

/** The events among log records: those with an event name (plain log lines are no events). */
export function fromReadableLogRecords(records: readonly ReadableLogRecord[]): ObservedEvent[] {
  return records.flatMap((record) =>
    record.eventName === undefined || record.eventName === ''
      ? []
      : [{ name: record.eventName, scope: record.instrumentationScope.name, severityNumber: record.severityNumber, attributes: record.attributes, hasBody: record.body !== undefined }],
  );
}

function instrumentOf(metric: MetricData): InstrumentKind {
  if (metric.dataPointType === DataPointType.SUM) return metric.isMonotonic ? 'counter' : 'updowncounter';
  if (metric.dataPointType === DataPointType.GAUGE) return 'gauge';
  return 'histogram';
}

export function fromResourceMetrics(batches: readonly ResourceMetrics[]): ObservedMetric[] {
  return batches.flatMap((batch) =>
    batch.scopeMetrics.flatMap((scopeMetrics) =>
      scopeMetrics.metrics.map((metric) => ({
        name: metric.descriptor.name,
        unit: metric.descriptor.unit,
        instrument: instrumentOf(metric),
        scope: scopeMetrics.scope.name,
        points: metric.dataPoints.map((point) => point.attributes),
      })),
    ),
  );
}

/** A span as Jaeger's `/api/traces` returns it. */
export interface JaegerSpan {
  readonly operationName: string;
  readonly tags: ReadonlyArray<{ readonly key: string; readonly type: string; readonly value: unknown }>;
}

/** Tags Jaeger derives from the OTLP span itself rather than from its attributes. */
const JAEGER_SYNTHETIC_TAGS = new Set([
  'span.kind',
  'otel.scope.name',
  'otel.scope.version',
  'otel.status_code',
  'otel.status_description',
  'error',
  'internal.span.format',
]);

export function fromJaegerSpans(spans: readonly JaegerSpan[]): ObservedSpan[] {
  return spans.map((span) => {
    const tag = (key: string) => span.tags.find((candidate) => candidate.key === key)?.value;
    const attributes = Object.fromEntries(span.tags.filter((candidate) => !JAEGER_SYNTHETIC_TAGS.has(candidate.key)).map((candidate) => [candidate.key, candidate.value]));
    const kind = tag('span.kind');
    return {
      name: span.operationName,
      kind: typeof kind === 'string' ? (kind as SpanKindName) : 'internal',
      scope: typeof tag('otel.scope.name') === 'string' ? (tag('otel.scope.name') as string) : undefined,
      attributes,
    };
  });
}
