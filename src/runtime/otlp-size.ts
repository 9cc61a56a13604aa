/**
 * What spans and log records weigh: on the wire, as the OTLP exporters encode
 * them (protobuf `ExportTraceServiceRequest`, `ExportLogsServiceRequest`), and
 * in memory while the kit holds them.
 *
 * The wire size is computed field by field as the OTLP protobuf encoding lays
 * a span out (the layout @opentelemetry/otlp-transformer writes), counting
 * every optional field as present, so it never falls below what the exporter
 * really sends (a property test encodes random spans with the real serializer
 * and compares: test/runtime/otlp-size.test.ts). Strings count their UTF-8
 * bytes exactly. That is what keeps every export request under a collector's
 * receive limit (gRPC servers accept 4 MiB by default).
 *
 * The held size approximates the V8 heap a finished span keeps alive: the SDK's
 * span object and its attributes (measured: about 3 KB for an LLM span of 17
 * attributes), plus each string at one byte a character when it is ASCII and
 * two otherwise (V8 stores a string with any character above U+00FF in two
 * bytes a character). The retry queue bounds what it holds by this figure.
 */
import type { Attributes } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';

/** The two sizes of one span or log record, computed once when it is queued. */
export interface ItemSize {
  /** Upper bound of the bytes the item adds to an export request, its length prefix included. */
  readonly wire: number;
  /** Estimated heap it keeps alive while held. */
  readonly held: number;
}

/** A finished span's heap cost besides its attribute values (measured with the SDK's span class; see above). */
const HELD_SPAN_BASE = 1536;
/** A log record's, likewise: fewer fields than a span. */
const HELD_LOG_RECORD_BASE = 768;
/** A key and value slot in a span's attribute object, an event or a link. */
const HELD_PER_ATTRIBUTE = 96;
const HELD_PER_EVENT = 160;
const HELD_PER_LINK = 160;
/** V8's header of a string on the heap. */
const HELD_STRING_HEADER = 16;

const TRACE_ID_BYTES = 16;
const SPAN_ID_BYTES = 8;
/** Tag, length prefix and payload of a field carrying a 64-bit fixed value (times) or a 32-bit one (flags). */
const FIXED64_FIELD = 1 + 8;
const FIXED32_FIELD = 2 + 4;
/** A varint field whose value may take its full ten bytes (negative ints). */
const MAX_VARINT_FIELD = 1 + 10;

export function spanSize(span: ReadableSpan): ItemSize {
  const counter = new SizeCounter();
  const content = spanContentBytes(span, counter);
  return { wire: lengthDelimited(2, content), held: HELD_SPAN_BASE + counter.held };
}

export function logRecordSize(record: ReadableLogRecord): ItemSize {
  const counter = new SizeCounter();
  const content = logRecordContentBytes(record, counter);
  return { wire: lengthDelimited(2, content), held: HELD_LOG_RECORD_BASE + counter.held };
}

/**
 * What one request carries besides its spans, for spans of `resource` and
 * `scope`: the ResourceSpans and ScopeSpans wrappers around them. Counted once
 * per resource, and once per scope within it, in a request.
 */
export function resourceOverheadBytes(resource: Resource): number {
  let content = lengthDelimited(1, attributesBytes(resource.attributes, undefined) + MAX_VARINT_FIELD);
  if (resource.schemaUrl) content += stringField(3, resource.schemaUrl);
  // The ResourceSpans length prefix grows with its spans: count its largest form.
  return 1 + 5 + content;
}

export interface ScopeLike {
  readonly name: string;
  readonly version?: string;
  readonly schemaUrl?: string;
  readonly attributes?: Attributes;
}

export function scopeOverheadBytes(scope: ScopeLike): number {
  let content = stringField(1, scope.name) + (scope.version ? stringField(2, scope.version) : 0);
  content += attributesBytes(scope.attributes, undefined) + MAX_VARINT_FIELD;
  content = lengthDelimited(1, content);
  if (scope.schemaUrl) content += stringField(3, scope.schemaUrl);
  return 1 + 5 + content;
}

/** UTF-8 bytes of a string as the exporters encode it (lone surrogates become U+FFFD, three bytes). */
export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

// ---------------------------------------------------------------------------
// The span message, field by field (opentelemetry/proto/trace/v1/trace.proto)

class SizeCounter {
  held = 0;
}

function spanContentBytes(span: ReadableSpan, counter: SizeCounter): number {
  const context = span.spanContext();
  let bytes = bytesField(TRACE_ID_BYTES) + bytesField(SPAN_ID_BYTES) + bytesField(SPAN_ID_BYTES);
  const traceState = context.traceState?.serialize();
  if (traceState) bytes += stringField(3, traceState);
  bytes += stringField(5, span.name, counter);
  bytes += MAX_VARINT_FIELD + 2 * FIXED64_FIELD + FIXED32_FIELD;
  bytes += attributesBytes(span.attributes, counter) + 3 * MAX_VARINT_FIELD;
  for (const event of span.events) {
    counter.held += HELD_PER_EVENT;
    bytes += lengthDelimited(11, FIXED64_FIELD + stringField(2, event.name, counter) + attributesBytes(event.attributes, counter) + MAX_VARINT_FIELD);
  }
  for (const link of span.links) {
    counter.held += HELD_PER_LINK;
    const linkState = link.context.traceState?.serialize();
    const content = bytesField(TRACE_ID_BYTES) + bytesField(SPAN_ID_BYTES) + (linkState ? stringField(3, linkState) : 0);
    bytes += lengthDelimited(13, content + attributesBytes(link.attributes, counter) + MAX_VARINT_FIELD + FIXED32_FIELD);
  }
  const message = span.status.message;
  bytes += lengthDelimited(15, (message ? stringField(2, message, counter) : 0) + MAX_VARINT_FIELD);
  return bytes;
}

/** The log record message (opentelemetry/proto/logs/v1/logs.proto), every optional field counted. */
function logRecordContentBytes(record: ReadableLogRecord, counter: SizeCounter): number {
  let bytes = 2 * FIXED64_FIELD + MAX_VARINT_FIELD + MAX_VARINT_FIELD + FIXED32_FIELD + bytesField(TRACE_ID_BYTES) + bytesField(SPAN_ID_BYTES);
  if (record.severityText) bytes += stringField(3, record.severityText, counter);
  if (record.body !== undefined) bytes += lengthDelimited(5, anyValueBytes(record.body, counter));
  bytes += attributesBytes(record.attributes, counter);
  if (record.eventName) bytes += stringField(12, record.eventName, counter);
  return bytes;
}

function attributesBytes(attributes: Attributes | undefined, counter: SizeCounter | undefined): number {
  if (attributes === undefined) return 0;
  let bytes = 0;
  for (const key in attributes) {
    if (!Object.prototype.hasOwnProperty.call(attributes, key)) continue;
    if (counter !== undefined) counter.held += HELD_PER_ATTRIBUTE;
    // Keys are the registry's: internalised and shared, so no held bytes of their own.
    bytes += lengthDelimited(9, stringField(1, key) + lengthDelimited(2, anyValueBytes(attributes[key], counter)));
  }
  return bytes;
}

/** An AnyValue: a string, boolean, number, bytes, an array of them or a map of them (log bodies nest). */
function anyValueBytes(value: unknown, counter: SizeCounter | undefined): number {
  if (typeof value === 'string') return stringField(1, value, counter);
  if (typeof value === 'boolean') return 2;
  if (typeof value === 'number') return MAX_VARINT_FIELD;
  if (value instanceof Uint8Array) {
    if (counter !== undefined) counter.held += HELD_STRING_HEADER + value.byteLength;
    return lengthDelimited(7, value.byteLength);
  }
  if (Array.isArray(value)) {
    let items = 0;
    for (const item of value as readonly unknown[]) items += lengthDelimited(1, anyValueBytes(item, counter));
    return lengthDelimited(5, items);
  }
  if (typeof value === 'object' && value !== null) {
    let entries = 0;
    for (const key in value) {
      if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
      if (counter !== undefined) counter.held += HELD_PER_ATTRIBUTE;
      entries += lengthDelimited(1, stringField(1, key, counter) + lengthDelimited(2, anyValueBytes((value as Record<string, unknown>)[key], counter)));
    }
    return lengthDelimited(6, entries);
  }
  return 0;
}

function stringField(_field: number, text: string, counter?: SizeCounter): number {
  const bytes = utf8Bytes(text);
  if (counter !== undefined) counter.held += HELD_STRING_HEADER + (bytes === text.length ? bytes : 2 * text.length);
  return lengthDelimited(_field, bytes);
}

function bytesField(length: number): number {
  return 1 + 1 + length;
}

/** A length-delimited field: its tag (fields below 16 take one byte, 16 and above two), the length varint, the payload. */
function lengthDelimited(field: number, length: number): number {
  return (field < 16 ? 1 : 2) + varintBytes(length) + length;
}

function varintBytes(value: number): number {
  let bytes = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 0x80);
    bytes += 1;
  }
  return bytes;
}
