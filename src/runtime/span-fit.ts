/**
 * Export requests within a byte budget: which spans fit one request, and a
 * span that does not fit any cut down until it does.
 *
 * A request's size is the sum of its spans' wire sizes plus, once per
 * resource and once per instrumentation scope it carries, the wrappers the
 * OTLP encoding puts around them (otlp-size.ts): an upper bound of what the
 * exporter sends.
 */
import type { Attributes, AttributeValue } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace';
import { resourceOverheadBytes, scopeOverheadBytes, spanSize, type ScopeLike } from './otlp-size.ts';
import { truncate } from './strings.ts';

/** The budget never drops below this, whatever a collector says: a span of prompts alone needs tens of KB. */
export const MIN_REQUEST_BYTES = 64 * 1024;

/** A span with its sizes, computed once. */
export interface SizedSpan {
  readonly span: ReadableSpan;
  readonly wire: number;
  readonly held: number;
}

export function sizedSpan(span: ReadableSpan): SizedSpan {
  const size = spanSize(span);
  return { span, wire: size.wire, held: size.held };
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

/** What a request holding only this span carries besides the span. */
function aloneOverhead(span: ReadableSpan): number {
  return resourceOverhead(span.resource) + scopeOverhead(span.instrumentationScope);
}

/** The encoded bytes an export request may carry: configured, and lowered when a collector refuses less. */
export class RequestBudget {
  #bytes: number;

  constructor(bytes: number) {
    this.#bytes = bytes;
  }

  get bytes(): number {
    return this.#bytes;
  }

  fitsAlone(entry: SizedSpan): boolean {
    return aloneOverhead(entry.span) + entry.wire <= this.#bytes;
  }

  /** The wire bytes one span may take in a request of its own. */
  spanRoom(span: ReadableSpan): number {
    return this.#bytes - aloneOverhead(span);
  }

  /** The bound of a request carrying exactly `entries`. */
  requestBytes(entries: readonly SizedSpan[]): number {
    const request = new RequestBuilder(Infinity);
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

  open(): RequestBuilder {
    return new RequestBuilder(this.#bytes);
  }
}

/** One request being filled: its bound so far, with each resource and scope counted once. */
export class RequestBuilder {
  readonly #limit: number;
  readonly #resources = new Set<Resource>();
  readonly #scopes = new Set<ScopeLike>();
  #bytes = 0;
  #spans = 0;

  constructor(limit: number) {
    this.#limit = limit;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Adds the span when it fits; the first span of a request is always taken (the caller made it fit alone). */
  add(entry: SizedSpan): boolean {
    const { resource, instrumentationScope: scope } = entry.span;
    let cost = entry.wire;
    if (!this.#resources.has(resource)) cost += resourceOverhead(resource);
    if (!this.#scopes.has(scope)) cost += scopeOverhead(scope);
    if (this.#spans > 0 && this.#bytes + cost > this.#limit) return false;
    this.#resources.add(resource);
    this.#scopes.add(scope);
    this.#bytes += cost;
    this.#spans += 1;
    return true;
  }
}

/**
 * The span with its string values (attributes, event attributes, the status
 * message) cut to the longest length that lets it take at most `room` wire
 * bytes, as the SDK's attribute value length limit cuts them; undefined when
 * even empty values do not fit (a span of thousands of attributes).
 */
export function fitSpan(span: ReadableSpan, room: number): SizedSpan | undefined {
  let longest = 0;
  forEachString(span, (text) => (longest = Math.max(longest, text.length)));
  const atMost = (limit: number): SizedSpan => sizedSpan(limit >= longest ? span : cutSpan(span, limit));
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

function forEachString(span: ReadableSpan, visit: (text: string) => void): void {
  const visitValues = (attributes: Attributes | undefined): void => {
    for (const key in attributes) {
      const value = attributes[key];
      if (typeof value === 'string') visit(value);
      else if (Array.isArray(value)) for (const item of value as readonly unknown[]) if (typeof item === 'string') visit(item);
    }
  };
  visitValues(span.attributes);
  for (const event of span.events) visitValues(event.attributes);
  if (span.status.message !== undefined) visit(span.status.message);
}

/** A copy of the span whose string values keep at most `limit` characters each; everything else is the span's own. */
function cutSpan(span: ReadableSpan, limit: number): ReadableSpan {
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
}

function cutValues(attributes: Attributes, limit: number): Attributes {
  const cut: Attributes = {};
  for (const key in attributes) cut[key] = cutValue(attributes[key], limit);
  return cut;
}

function cutValue(value: AttributeValue | undefined, limit: number): AttributeValue | undefined {
  if (typeof value === 'string') return truncate(value, limit);
  if (Array.isArray(value)) return (value as readonly unknown[]).map((item) => (typeof item === 'string' ? truncate(item, limit) : item)) as AttributeValue;
  return value;
}
