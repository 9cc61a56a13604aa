/**
 * What the retry queue sends, spans or log records, as far as it needs to
 * know them: their sizes (otlp-size.ts), the resource and scope a request
 * wraps them in, and how to cut one that fits no request.
 *
 * A request's size is the sum of its items' wire sizes plus, once per
 * resource and once per instrumentation scope it carries, the wrappers the
 * OTLP encoding puts around them: an upper bound of what the exporter sends.
 */
import type { Attributes, AttributeValue } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace';
import { logRecordSize, resourceOverheadBytes, scopeOverheadBytes, spanSize, type ItemSize, type ScopeLike } from './otlp-size.ts';
import { truncate } from './strings.ts';

/** The budget never drops below this, whatever a collector says: a span of prompts alone needs tens of KB. */
export const MIN_REQUEST_BYTES = 64 * 1024;

/** What the queue knows about the items of one signal. */
export interface ItemModel<T> {
  /** `spans`, `log records`: how diagnostics name them. */
  readonly noun: string;
  /** The unit of the queue's `otel.sdk.*` metrics: `{span}`, `{log_record}`. */
  readonly unit: string;
  size(item: T): ItemSize;
  resource(item: T): Resource;
  scope(item: T): ScopeLike;
  /** Calls `visit` with every string value the item carries that may be cut. */
  strings(item: T, visit: (text: string) => void): void;
  /** A copy of the item whose string values keep at most `limit` characters each; everything else is the item's own. */
  cut(item: T, limit: number): T;
}

/** An item with its sizes, computed once. */
export interface SizedItem<T> {
  readonly item: T;
  readonly wire: number;
  readonly held: number;
}

export function sized<T>(model: ItemModel<T>, item: T): SizedItem<T> {
  const size = model.size(item);
  return { item, wire: size.wire, held: size.held };
}

const resourceBytes = new WeakMap<Resource, number>();
const scopeBytes = new WeakMap<ScopeLike, number>();

function resourceOverhead(resource: Resource): number {
  let bytes = resourceBytes.get(resource);
  if (bytes === undefined) resourceBytes.set(resource, (bytes = resourceOverheadBytes(resource)));
  return bytes;
}

function scopeOverhead(scope: ScopeLike): number {
  let bytes = scopeBytes.get(scope);
  if (bytes === undefined) scopeBytes.set(scope, (bytes = scopeOverheadBytes(scope)));
  return bytes;
}

/** The encoded bytes an export request may carry: configured, and lowered when a collector refuses less. */
export class RequestBudget<T> {
  readonly #model: ItemModel<T>;
  #bytes: number;

  constructor(model: ItemModel<T>, bytes: number) {
    this.#model = model;
    this.#bytes = bytes;
  }

  get bytes(): number {
    return this.#bytes;
  }

  fitsAlone(entry: SizedItem<T>): boolean {
    return this.#aloneOverhead(entry.item) + entry.wire <= this.#bytes;
  }

  /** The wire bytes one item may take in a request of its own. */
  room(item: T): number {
    return this.#bytes - this.#aloneOverhead(item);
  }

  /** The bound of a request carrying exactly `entries`. */
  requestBytes(entries: readonly SizedItem<T>[]): number {
    const request = new RequestBuilder(this.#model, Infinity);
    for (const entry of entries) request.add(entry);
    return request.bytes;
  }

  /** Lowers the budget to `bytes`, never below MIN_REQUEST_BYTES; false when that changes nothing. */
  lower(bytes: number): boolean {
    const next = Math.max(MIN_REQUEST_BYTES, Math.min(this.#bytes, bytes));
    if (next >= this.#bytes) return false;
    this.#bytes = next;
    return true;
  }

  open(): RequestBuilder<T> {
    return new RequestBuilder(this.#model, this.#bytes);
  }

  /** What a request holding only this item carries besides it. */
  #aloneOverhead(item: T): number {
    return resourceOverhead(this.#model.resource(item)) + scopeOverhead(this.#model.scope(item));
  }
}

/** One request being filled: its bound so far, with each resource and scope counted once. */
export class RequestBuilder<T> {
  readonly #model: ItemModel<T>;
  readonly #limit: number;
  readonly #resources = new Set<Resource>();
  readonly #scopes = new Set<ScopeLike>();
  #bytes = 0;
  #items = 0;

  constructor(model: ItemModel<T>, limit: number) {
    this.#model = model;
    this.#limit = limit;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Adds the item when it fits; the first item of a request is always taken (the caller made it fit alone). */
  add(entry: SizedItem<T>): boolean {
    const resource = this.#model.resource(entry.item);
    const scope = this.#model.scope(entry.item);
    let cost = entry.wire;
    if (!this.#resources.has(resource)) cost += resourceOverhead(resource);
    if (!this.#scopes.has(scope)) cost += scopeOverhead(scope);
    if (this.#items > 0 && this.#bytes + cost > this.#limit) return false;
    this.#resources.add(resource);
    this.#scopes.add(scope);
    this.#bytes += cost;
    this.#items += 1;
    return true;
  }
}

/**
 * The item with its string values cut to the longest length that lets it take at most `room` wire
 * bytes, as the SDK's attribute value length limit cuts them; undefined when even empty values do
 * not fit (an item of thousands of attributes).
 */
export function fitItem<T>(model: ItemModel<T>, item: T, room: number): SizedItem<T> | undefined {
  let longest = 0;
  model.strings(item, (text) => (longest = Math.max(longest, text.length)));
  const atMost = (limit: number): SizedItem<T> => sized(model, limit >= longest ? item : model.cut(item, limit));
  if (atMost(0).wire > room) return undefined;
  // The longest limit that fits, by bisection: sizes grow with the limit.
  let fits = 0;
  let tooLong = longest;
  while (tooLong - fits > 1) {
    const middle = Math.floor((fits + tooLong) / 2);
    if (atMost(middle).wire <= room) fits = middle;
    else tooLong = middle;
  }
  return atMost(fits);
}

// ---------------------------------------------------------------------------
// Spans: attributes, event attributes and the status message may be cut.

export const SPAN_ITEMS: ItemModel<ReadableSpan> = {
  noun: 'spans',
  unit: '{span}',
  size: spanSize,
  resource: (span) => span.resource,
  scope: (span) => span.instrumentationScope,
  strings(span, visit) {
    visitValues(span.attributes, visit);
    for (const event of span.events) visitValues(event.attributes, visit);
    if (span.status.message !== undefined) visit(span.status.message);
  },
  cut(span, limit) {
    const context = span.spanContext();
    const events: TimedEvent[] = span.events.map((event) => (event.attributes === undefined ? event : { ...event, attributes: cutValues(event.attributes, limit) }));
    return {
      name: span.name,
      kind: span.kind,
      spanContext: () => context,
      parentSpanContext: span.parentSpanContext,
      startTime: span.startTime,
      endTime: span.endTime,
      status: span.status.message === undefined ? span.status : { ...span.status, message: truncate(span.status.message, limit) },
      attributes: cutValues(span.attributes, limit),
      links: span.links,
      events,
      duration: span.duration,
      ended: span.ended,
      resource: span.resource,
      instrumentationScope: span.instrumentationScope,
      droppedAttributesCount: span.droppedAttributesCount,
      droppedEventsCount: span.droppedEventsCount,
      droppedLinksCount: span.droppedLinksCount,
    };
  },
};

// ---------------------------------------------------------------------------
// Log records: the body (a string, or strings inside its maps and arrays) and the attributes may be cut.

export const LOG_RECORD_ITEMS: ItemModel<ReadableLogRecord> = {
  noun: 'log records',
  unit: '{log_record}',
  size: logRecordSize,
  resource: (record) => record.resource,
  scope: (record) => record.instrumentationScope,
  strings(record, visit) {
    visitAny(record.body, visit);
    visitValues(record.attributes, visit);
  },
  cut(record, limit) {
    return {
      hrTime: record.hrTime,
      hrTimeObserved: record.hrTimeObserved,
      spanContext: record.spanContext,
      severityText: record.severityText,
      severityNumber: record.severityNumber,
      body: cutAny(record.body, limit) as ReadableLogRecord['body'],
      eventName: record.eventName,
      resource: record.resource,
      instrumentationScope: record.instrumentationScope,
      attributes: cutValues(record.attributes, limit),
      droppedAttributesCount: record.droppedAttributesCount,
    };
  },
};

function visitValues(attributes: Attributes | undefined, visit: (text: string) => void): void {
  for (const key in attributes) visitAny(attributes[key], visit);
}

function visitAny(value: unknown, visit: (text: string) => void): void {
  if (typeof value === 'string') visit(value);
  else if (Array.isArray(value)) for (const item of value as readonly unknown[]) visitAny(item, visit);
  else if (typeof value === 'object' && value !== null && !(value instanceof Uint8Array)) {
    for (const key in value) visitAny((value as Record<string, unknown>)[key], visit);
  }
}

function cutValues(attributes: Attributes, limit: number): Attributes {
  const cut: Attributes = {};
  for (const key in attributes) cut[key] = cutAny(attributes[key], limit) as AttributeValue | undefined;
  return cut;
}

function cutAny(value: unknown, limit: number): unknown {
  if (typeof value === 'string') return truncate(value, limit);
  if (Array.isArray(value)) return (value as readonly unknown[]).map((item) => cutAny(item, limit));
  if (typeof value === 'object' && value !== null && !(value instanceof Uint8Array)) {
    const cut: Record<string, unknown> = {};
    for (const key in value) cut[key] = cutAny((value as Record<string, unknown>)[key], limit);
    return cut;
  }
  return value;
}
