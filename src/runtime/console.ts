/**
 * The compact console format: what a person reads while developing. Each
 * batch of spans prints as an indented tree per trace, one line per span
 * (name, duration, status, attributes); each metric export prints one line
 * per data point. `consoleFormat: 'raw'` prints the SDK console exporters'
 * objects instead.
 */
import { SpanStatusCode, type Attributes, type AttributeValue } from '@opentelemetry/api';
import { ExportResultCode, hrTimeToMilliseconds, type ExportResult } from '@opentelemetry/core';
import {
  AggregationTemporality,
  DataPointType,
  type MetricData,
  type PushMetricExporter,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';

/**
 * With both conventions a span carries GenAI duplicates of flo keys (same value, see
 * docs/attributes.md): span lines leave them out when flo keys are there; `raw` shows them.
 */
const HIDDEN_SPAN_PREFIX = 'gen_ai.';

function shownAttributes(attributes: ReadableSpan['attributes']): (key: string) => boolean {
  const hasFloKeys = Object.keys(attributes).some((key) => !key.startsWith(HIDDEN_SPAN_PREFIX) && !key.startsWith('server.') && key !== 'error.type');
  return hasFloKeys ? (key) => !key.startsWith(HIDDEN_SPAN_PREFIX) : () => true;
}

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
  let trace: string | undefined;
  for (const root of (children.get(undefined) ?? []).sort((a, b) => a.spanContext().traceId.localeCompare(b.spanContext().traceId) || byStart(a, b))) {
    if (root.spanContext().traceId !== trace) {
      trace = root.spanContext().traceId;
      lines.push(`trace ${trace}`);
    }
    walk(root, 1);
  }
  return lines;
}

function describeSpan(span: ReadableSpan): string {
  const milliseconds = hrTimeToMilliseconds(span.duration);
  const status = span.status.code === SpanStatusCode.ERROR ? `  ERROR(${span.status.message ?? ''})` : '';
  return `${span.name}  ${milliseconds.toFixed(1)} ms${status}  ${formatAttributes(span.attributes, shownAttributes(span.attributes))}`.trimEnd();
}

export function formatMetrics(metrics: readonly MetricData[]): string[] {
  return [...metrics]
    .sort((a, b) => a.descriptor.name.localeCompare(b.descriptor.name))
    .flatMap((metric) =>
      metric.dataPoints.map((point) => {
        const unit = metric.descriptor.unit;
        let value: string;
        if (metric.dataPointType === DataPointType.HISTOGRAM || metric.dataPointType === DataPointType.EXPONENTIAL_HISTOGRAM) {
          const histogram = point.value as { count: number; sum?: number };
          value = `count=${histogram.count} sum=${round(histogram.sum ?? 0)} ${unit}`;
        } else {
          value = `${String(point.value)} ${unit}`;
        }
        return `${metric.descriptor.name} {${formatAttributes(point.attributes, () => true)}} ${value}`.trimEnd();
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
  if (typeof value === 'string') return /[\s"=]/.test(value) || value === '' ? JSON.stringify(value) : value;
  return Array.isArray(value) ? JSON.stringify(value) : String(value);
}

function round(value: number): number {
  return Number.isInteger(value) ? value : Math.round(value * 1000) / 1000;
}

/** Prints each batch of spans as a tree, through `console.log`. */
export class CompactConsoleSpanExporter implements SpanExporter {
  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    try {
      const lines = formatSpanTree(spans);
      if (lines.length > 0) console.log(lines.join('\n'));
      resultCallback({ code: ExportResultCode.SUCCESS });
    } catch (error) {
      resultCallback({ code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) });
    }
  }

  async shutdown(): Promise<void> {}

  async forceFlush(): Promise<void> {}
}

/** Prints one line per metric data point, through `console.log`. Cumulative, like the SDK's console exporter. */
export class CompactConsoleMetricExporter implements PushMetricExporter {
  export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
    try {
      const lines = formatMetrics(metrics.scopeMetrics.flatMap((scope) => scope.metrics));
      if (lines.length > 0) console.log(lines.join('\n'));
      resultCallback({ code: ExportResultCode.SUCCESS });
    } catch (error) {
      resultCallback({ code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) });
    }
  }

  selectAggregationTemporality(): AggregationTemporality {
    return AggregationTemporality.CUMULATIVE;
  }

  async forceFlush(): Promise<void> {}

  async shutdown(): Promise<void> {}
}
