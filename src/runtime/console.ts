/**
 * The compact console format: what a person reads while developing. Each
 * batch of spans prints as an indented tree per trace, one line per span
 * (name, duration, status, attributes); each metric export prints, under a
 * header, one line per data point whose value changed since the previous
 * export, so a point recorded once is printed once. Numbers keep four
 * significant digits (0.4 ms is `0.0004 s`, not `0 s`). `consoleFormat:
 * 'raw'` prints the SDK console exporters' objects instead.
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
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { ALL_SPANS } from '../generated/spans.ts';
import type { SpanDescriptor } from './spans.ts';

/** A key of the spec that carries, on spans, the same value as a GenAI key (times `scale`). */
interface Twin {
  readonly key: string;
  readonly scale?: number;
}

/**
 * Each GenAI key an attribute of the spec is also written under (its equivalent, docs/attributes.md,
 * GenAI mapping), with the keys written beside it: with both conventions a span carries such pairs.
 * Read from the spans' generated key tables, the same the spans are written by.
 */
const TWINS: ReadonlyMap<string, readonly Twin[]> = twinsOf(ALL_SPANS);

function twinsOf(spans: readonly SpanDescriptor<never>[]): Map<string, Twin[]> {
  const twins = new Map<string, Twin[]>();
  for (const span of spans) {
    for (const selection of span.conventions ?? []) {
      selection.writes.forEach((writes, index) => {
        const own = span.fields[index]?.spec.key;
        for (const write of writes) {
          if (own === undefined || write.key === own) continue;
          const list = twins.get(write.key) ?? [];
          if (!list.some((twin) => twin.key === own)) list.push({ key: own, scale: write.scale });
          twins.set(write.key, list);
        }
      });
    }
  }
  return twins;
}

/**
 * Span lines leave out a GenAI key only where it is a true twin: a key of the spec on the same span
 * names it as its equivalent and holds the same value. A GenAI key without one on the span
 * (`gen_ai.operation.name`, `gen_ai.data_source.id`) is shown; `raw` shows everything.
 */
function shownAttributes(attributes: ReadableSpan['attributes']): (key: string) => boolean {
  return (key) => !(TWINS.get(key) ?? []).some((twin) => twin.key in attributes && sameValue(attributes[twin.key], attributes[key], twin.scale));
}

function sameValue(own: AttributeValue | undefined, equivalent: AttributeValue | undefined, scale: number | undefined): boolean {
  if (scale !== undefined && typeof own === 'number' && typeof equivalent === 'number') return Math.abs(own * scale - equivalent) <= 1e-9 * Math.max(1, Math.abs(equivalent));
  return JSON.stringify(own) === JSON.stringify(equivalent);
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
  return `${span.name}  ${significant(milliseconds)} ms${statusText(span)}  ${formatAttributes(span.attributes, shownAttributes(span.attributes))}`.trimEnd();
}

/**
 * `ERROR(message)`; when the message is withheld (the error-message policy keeps application text
 * out), the error's type, from the exception event or `error.type`, so the line still says what failed.
 */
function statusText(span: ReadableSpan): string {
  if (span.status.code !== SpanStatusCode.ERROR) return '';
  if (span.status.message) return `  ERROR(${span.status.message})`;
  const exception = span.events.find((event) => event.name === 'exception')?.attributes?.['exception.type'];
  const type = exception ?? span.attributes['error.type'];
  return type === undefined ? '  ERROR' : `  ERROR(${String(type)})`;
}

/** One line per data point, every point. */
export function formatMetrics(metrics: readonly MetricData[]): string[] {
  return metricLines(metrics).map((line) => line.text);
}

/** A data point's line, and the series it belongs to (name and attributes), to tell whether it changed. */
interface MetricLine {
  readonly series: string;
  readonly text: string;
}

function metricLines(metrics: readonly MetricData[]): MetricLine[] {
  return [...metrics]
    .sort((a, b) => a.descriptor.name.localeCompare(b.descriptor.name))
    .flatMap((metric) =>
      metric.dataPoints.map((point) => {
        const unit = metric.descriptor.unit;
        let value: string;
        if (metric.dataPointType === DataPointType.HISTOGRAM || metric.dataPointType === DataPointType.EXPONENTIAL_HISTOGRAM) {
          const histogram = point.value as { count: number; sum?: number };
          value = `count=${histogram.count} sum=${significant(histogram.sum ?? 0)} ${unit}`;
        } else {
          value = `${typeof point.value === 'number' ? significant(point.value) : String(point.value)} ${unit}`;
        }
        const series = `${metric.descriptor.name} {${formatAttributes(point.attributes, () => true)}}`;
        return { series, text: `${series} ${value}`.trimEnd() };
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
  if (typeof value === 'number') return significant(value);
  if (typeof value === 'string') return /[\s"=]/.test(value) || value === '' ? JSON.stringify(value) : value;
  // Arrays, and the maps log records carry structured (an event's messages), as JSON.
  return typeof value === 'object' && value !== null ? JSON.stringify(value, bytesAsLength) : String(value);
}

/** Whole numbers as they are; others to four significant digits: `38.87`, `0.0004123`, `1235`. */
function significant(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
}

/**
 * One line per log record: `event` and its name (or `log`), the severity, the span it belongs to
 * (`span <trace id>/<span id>`, the ids the span tree prints), its attributes, and its body.
 */
export function formatLogRecords(records: readonly ReadableLogRecord[]): string[] {
  return records.map((record) => {
    const what = record.eventName ? `event ${record.eventName}` : 'log';
    const severity = record.severityText ?? (record.severityNumber === undefined ? '' : `severity ${record.severityNumber}`);
    const span = record.spanContext === undefined ? '' : `span ${record.spanContext.traceId}/${record.spanContext.spanId}`;
    const body = record.body === undefined ? '' : `body=${typeof record.body === 'string' ? formatValue(record.body) : JSON.stringify(record.body, bytesAsLength)}`;
    return [what, severity, span, formatAttributes(record.attributes, () => true), body].filter((part) => part !== '').join('  ');
  });
}

function bytesAsLength(_key: string, value: unknown): unknown {
  return value instanceof Uint8Array ? `<${value.byteLength} bytes>` : value;
}

/** Prints each batch of log records, one line each, through `console.log`. */
export class CompactConsoleLogRecordExporter implements LogRecordExporter {
  export(records: ReadableLogRecord[], resultCallback: (result: ExportResult) => void): void {
    resultCallback(printed(() => formatLogRecords(records)));
  }

  async shutdown(): Promise<void> {}

  async forceFlush(): Promise<void> {}
}

/** Prints each batch of spans as a tree, through `console.log`. */
export class CompactConsoleSpanExporter implements SpanExporter {
  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    resultCallback(printed(() => formatSpanTree(spans)));
  }

  async shutdown(): Promise<void> {}

  async forceFlush(): Promise<void> {}
}

/** Prints the lines `format` gives, if any, as one `console.log`; a failure is the export's result, never a throw. */
function printed(format: () => readonly string[]): ExportResult {
  try {
    const lines = format();
    if (lines.length > 0) console.log(lines.join('\n'));
    return { code: ExportResultCode.SUCCESS };
  } catch (error) {
    return { code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) };
  }
}

/**
 * Prints, through `console.log`, a header and one line per metric data point whose value changed
 * since the previous export. Values are cumulative, like the SDK's console exporter, so without
 * that each export (the periodic one, forceFlush, shutdown) would print every running total again.
 */
export class CompactConsoleMetricExporter implements PushMetricExporter {
  /** The line last printed for each series. */
  readonly #printed = new Map<string, string>();

  export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
    resultCallback(printed(() => this.#changedLines(metrics)));
  }

  /** A header and the lines of the points that changed; none when nothing did. */
  #changedLines(metrics: ResourceMetrics): string[] {
    const lines = metricLines(metrics.scopeMetrics.flatMap((scope) => scope.metrics));
    const changed = lines.filter((line) => this.#printed.get(line.series) !== line.text);
    for (const line of changed) this.#printed.set(line.series, line.text);
    if (changed.length === 0) return [];
    return [`metrics: ${changed.length} of ${lines.length} data points changed since the last export (cumulative values)`, ...changed.map((line) => line.text)];
  }

  selectAggregationTemporality(): AggregationTemporality {
    return AggregationTemporality.CUMULATIVE;
  }

  async forceFlush(): Promise<void> {}

  async shutdown(): Promise<void> {}
}
