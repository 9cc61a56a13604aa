/**
 * Decodes OTLP export requests for tests. @opentelemetry/otlp-transformer
 * only encodes, and no .proto files ship in node_modules, so the few OTLP
 * messages a test needs are declared here (field numbers from
 * opentelemetry-proto v1: common, resource, trace, metrics, collector).
 * Fields left out are skipped by protobufjs as unknown fields.
 */
import protobuf from 'protobufjs';

const OTLP_PROTO = `
syntax = "proto3";
package otlp;

message AnyValue {
  oneof value {
    string string_value = 1;
    bool bool_value = 2;
    int64 int_value = 3;
    double double_value = 4;
    ArrayValue array_value = 5;
    KeyValueList kvlist_value = 6;
    bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message InstrumentationScope { string name = 1; string version = 2; repeated KeyValue attributes = 3; }
message Resource { repeated KeyValue attributes = 1; }

message Status { string message = 2; int32 code = 3; }
message Span {
  bytes trace_id = 1;
  bytes span_id = 2;
  bytes parent_span_id = 4;
  string name = 5;
  int32 kind = 6;
  fixed64 start_time_unix_nano = 7;
  fixed64 end_time_unix_nano = 8;
  repeated KeyValue attributes = 9;
  Status status = 15;
}
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }

message NumberDataPoint {
  repeated KeyValue attributes = 7;
  fixed64 time_unix_nano = 3;
  oneof value { double as_double = 4; sfixed64 as_int = 6; }
}
message HistogramDataPoint {
  repeated KeyValue attributes = 9;
  fixed64 count = 4;
  optional double sum = 5;
}
message Gauge { repeated NumberDataPoint data_points = 1; }
message Sum { repeated NumberDataPoint data_points = 1; int32 aggregation_temporality = 2; bool is_monotonic = 3; }
message Histogram { repeated HistogramDataPoint data_points = 1; int32 aggregation_temporality = 2; }
message Metric {
  string name = 1;
  string description = 2;
  string unit = 3;
  oneof data { Gauge gauge = 5; Sum sum = 7; Histogram histogram = 9; }
}
message ScopeMetrics { InstrumentationScope scope = 1; repeated Metric metrics = 2; }
message LogRecord {
  fixed64 time_unix_nano = 1;
  int32 severity_number = 2;
  string severity_text = 3;
  AnyValue body = 5;
  repeated KeyValue attributes = 6;
  bytes trace_id = 9;
  bytes span_id = 10;
  string event_name = 12;
}
message ScopeLogs { InstrumentationScope scope = 1; repeated LogRecord log_records = 2; }
message ResourceLogs { Resource resource = 1; repeated ScopeLogs scope_logs = 2; }
message ExportLogsServiceRequest { repeated ResourceLogs resource_logs = 1; }
message ResourceMetrics { Resource resource = 1; repeated ScopeMetrics scope_metrics = 2; }
message ExportMetricsServiceRequest { repeated ResourceMetrics resource_metrics = 1; }
`;

const root = protobuf.parse(OTLP_PROTO, { keepCase: false }).root;
const traceRequest = root.lookupType('otlp.ExportTraceServiceRequest');
const metricsRequest = root.lookupType('otlp.ExportMetricsServiceRequest');
const logsRequest = root.lookupType('otlp.ExportLogsServiceRequest');
const TO_OBJECT: protobuf.IConversionOptions = { longs: Number, bytes: String, defaults: false, oneofs: true };

export type DecodedAttributes = Record<string, unknown>;

export interface ReceivedSpan {
  readonly name: string;
  readonly traceId: string;
  readonly attributes: DecodedAttributes;
  readonly resource: DecodedAttributes;
  readonly scope: { readonly name: string; readonly version: string };
}

export interface ReceivedLogRecord {
  readonly eventName: string;
  readonly severityNumber: number;
  readonly severityText: string;
  readonly body: unknown;
  readonly attributes: DecodedAttributes;
  /** Hex, empty when the record belongs to no span. */
  readonly traceId: string;
  readonly spanId: string;
  readonly resource: DecodedAttributes;
  readonly scope: { readonly name: string; readonly version: string };
}

export interface ReceivedDataPoint {
  readonly attributes: DecodedAttributes;
  /** Sum and gauge points: the value. Histogram points: the sum. */
  readonly value: number | undefined;
  /** Histogram points only. */
  readonly count: number | undefined;
}

export interface ReceivedMetric {
  readonly name: string;
  readonly unit: string;
  readonly kind: 'sum' | 'gauge' | 'histogram' | 'unknown';
  readonly dataPoints: readonly ReceivedDataPoint[];
  readonly resource: DecodedAttributes;
  readonly scope: { readonly name: string; readonly version: string };
}

// The shapes protobufjs' toObject() produces for the messages above.
interface KeyValueObject { key?: string; value?: AnyValueObject }
interface AnyValueObject {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: number;
  doubleValue?: number;
  bytesValue?: string;
  arrayValue?: { values?: AnyValueObject[] };
  kvlistValue?: { values?: KeyValueObject[] };
}
interface ScopeObject { name?: string; version?: string }
interface PointObject { attributes?: KeyValueObject[]; asDouble?: number; asInt?: number; count?: number; sum?: number }
interface MetricObject {
  name?: string;
  unit?: string;
  sum?: { dataPoints?: PointObject[] };
  gauge?: { dataPoints?: PointObject[] };
  histogram?: { dataPoints?: PointObject[] };
}
interface TraceRequestObject {
  resourceSpans?: Array<{
    resource?: { attributes?: KeyValueObject[] };
    scopeSpans?: Array<{ scope?: ScopeObject; spans?: Array<{ name?: string; traceId?: string; attributes?: KeyValueObject[] }> }>;
  }>;
}
interface LogsRequestObject {
  resourceLogs?: Array<{
    resource?: { attributes?: KeyValueObject[] };
    scopeLogs?: Array<{
      scope?: ScopeObject;
      logRecords?: Array<{ eventName?: string; severityNumber?: number; severityText?: string; body?: AnyValueObject; attributes?: KeyValueObject[]; traceId?: string; spanId?: string }>;
    }>;
  }>;
}
interface MetricsRequestObject {
  resourceMetrics?: Array<{
    resource?: { attributes?: KeyValueObject[] };
    scopeMetrics?: Array<{ scope?: ScopeObject; metrics?: MetricObject[] }>;
  }>;
}

export function decodeTraceRequest(body: Uint8Array): ReceivedSpan[] {
  const request = traceRequest.toObject(traceRequest.decode(body), TO_OBJECT) as TraceRequestObject;
  return (request.resourceSpans ?? []).flatMap((resourceSpans) => {
    const resource = attributesOf(resourceSpans.resource?.attributes);
    return (resourceSpans.scopeSpans ?? []).flatMap((scopeSpans) =>
      (scopeSpans.spans ?? []).map((span) => ({
        name: span.name ?? '',
        traceId: Buffer.from(span.traceId ?? '', 'base64').toString('hex'),
        attributes: attributesOf(span.attributes),
        resource,
        scope: scopeOf(scopeSpans.scope),
      })),
    );
  });
}

export function decodeLogsRequest(body: Uint8Array): ReceivedLogRecord[] {
  const request = logsRequest.toObject(logsRequest.decode(body), TO_OBJECT) as LogsRequestObject;
  return (request.resourceLogs ?? []).flatMap((resourceLogs) => {
    const resource = attributesOf(resourceLogs.resource?.attributes);
    return (resourceLogs.scopeLogs ?? []).flatMap((scopeLogs) =>
      (scopeLogs.logRecords ?? []).map((record) => ({
        eventName: record.eventName ?? '',
        severityNumber: record.severityNumber ?? 0,
        severityText: record.severityText ?? '',
        body: valueOf(record.body),
        attributes: attributesOf(record.attributes),
        traceId: Buffer.from(record.traceId ?? '', 'base64').toString('hex'),
        spanId: Buffer.from(record.spanId ?? '', 'base64').toString('hex'),
        resource,
        scope: scopeOf(scopeLogs.scope),
      })),
    );
  });
}

export function decodeMetricsRequest(body: Uint8Array): ReceivedMetric[] {
  const request = metricsRequest.toObject(metricsRequest.decode(body), TO_OBJECT) as MetricsRequestObject;
  return (request.resourceMetrics ?? []).flatMap((resourceMetrics) => {
    const resource = attributesOf(resourceMetrics.resource?.attributes);
    return (resourceMetrics.scopeMetrics ?? []).flatMap((scopeMetrics) =>
      (scopeMetrics.metrics ?? []).map((metric) => ({
        name: metric.name ?? '',
        unit: metric.unit ?? '',
        ...dataOf(metric),
        resource,
        scope: scopeOf(scopeMetrics.scope),
      })),
    );
  });
}

function dataOf(metric: MetricObject): Pick<ReceivedMetric, 'kind' | 'dataPoints'> {
  if (metric.sum) return { kind: 'sum', dataPoints: (metric.sum.dataPoints ?? []).map(numberPoint) };
  if (metric.gauge) return { kind: 'gauge', dataPoints: (metric.gauge.dataPoints ?? []).map(numberPoint) };
  if (metric.histogram) {
    const points = (metric.histogram.dataPoints ?? []).map((point) => ({
      attributes: attributesOf(point.attributes),
      value: point.sum,
      count: point.count ?? 0,
    }));
    return { kind: 'histogram', dataPoints: points };
  }
  return { kind: 'unknown', dataPoints: [] };
}

function numberPoint(point: PointObject): ReceivedDataPoint {
  return { attributes: attributesOf(point.attributes), value: point.asDouble ?? point.asInt ?? 0, count: undefined };
}

function scopeOf(scope: ScopeObject | undefined): { name: string; version: string } {
  return { name: scope?.name ?? '', version: scope?.version ?? '' };
}

function attributesOf(keyValues: KeyValueObject[] | undefined): DecodedAttributes {
  return Object.fromEntries((keyValues ?? []).map((kv) => [kv.key ?? '', valueOf(kv.value)]));
}

function valueOf(value: AnyValueObject | undefined): unknown {
  if (value === undefined) return undefined;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return value.intValue;
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.bytesValue !== undefined) return value.bytesValue;
  if (value.arrayValue !== undefined) return (value.arrayValue.values ?? []).map(valueOf);
  if (value.kvlistValue !== undefined) return attributesOf(value.kvlistValue.values);
  return undefined;
}
