/**
 * A bounded sending queue between the batch span processor and the OTLP
 * exporter, as the OpenTelemetry Collector's exporters have: batches the
 * processor hands over are accepted at once, held, and sent one request at a
 * time; a failed request is retried with exponential backoff until the
 * collector answers again.
 *
 * - Bounded by spans and by (estimated) bytes of the spans waiting, plus the
 *   one request in flight. When a new batch would exceed either bound, the
 *   *oldest* spans are dropped: after an outage the most recent telemetry is
 *   the most useful. A failed request goes back to the front, so its spans
 *   are the first dropped when the queue is full. Every drop is counted.
 * - Failures the collector calls permanent (gRPC INVALID_ARGUMENT,
 *   UNAUTHENTICATED, PERMISSION_DENIED, …) are not retried: the batch is
 *   dropped and counted, as the OTLP specification asks.
 * - Nothing here keeps the process alive: retry timers are unref'd, and
 *   `shutdown()` gives up at its deadline, counting what is left as dropped.
 *
 * Self-observability: with a meter provider, the queue reports the standard
 * `otel.sdk.processor.span.queue.size`, `…queue.capacity` and
 * `otel.sdk.processor.span.processed` metrics (component type
 * `flo_retry_queue`; `error.type` `queue_full` for overflow, `export_rejected`
 * for permanent failures, `shutdown` for what shutdown left behind). Retries
 * show in the exporter's own `otel.sdk.exporter.span.exported` (every failed
 * attempt, with its `error.type`).
 */
import { createNoopMeter, diag, type Attributes, type Counter, type MeterProvider } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
// Generated from the spec (semconv/runtime.yaml), instead of @opentelemetry/semantic-conventions/incubating (about 10 MB).
import { ATTR_ERROR_TYPE, ATTR_OTEL_COMPONENT_NAME, ATTR_OTEL_COMPONENT_TYPE } from '../generated/attributes.ts';
import {
  METRIC_OTEL_SDK_PROCESSOR_SPAN_PROCESSED,
  METRIC_OTEL_SDK_PROCESSOR_SPAN_QUEUE_CAPACITY,
  METRIC_OTEL_SDK_PROCESSOR_SPAN_QUEUE_SIZE,
} from '../generated/metrics.ts';

export interface RetryQueueOptions {
  /** Spans held at most; 0 turns the queue off (each batch is exported once, as without it). */
  readonly maxSpans: number;
  /** Estimated bytes held at most. */
  readonly maxBytes: number;
  /** Spans per export request. */
  readonly maxBatchSize: number;
  readonly initialBackoffMillis?: number;
  readonly maxBackoffMillis?: number;
  /** Where the queue's `otel.sdk.*` metrics go; none without. */
  readonly meterProvider?: MeterProvider;
}

/** Counts since the queue was created. */
export interface RetryQueueStats {
  /** Spans accepted from the processor. */
  readonly accepted: number;
  /** Spans the collector acknowledged. */
  readonly delivered: number;
  /** Spans dropped, by reason. */
  readonly dropped: { readonly queueFull: number; readonly rejected: number; readonly shutdown: number };
  /** Export requests that failed and were tried again later. */
  readonly retries: number;
  /** Spans waiting now, including those of the request in flight. */
  readonly queued: number;
  readonly queuedBytes: number;
}

interface Entry {
  readonly span: ReadableSpan;
  readonly bytes: number;
}

/** gRPC status codes the OTLP specification calls retryable. */
const RETRYABLE_GRPC_CODES: ReadonlySet<number> = new Set([1, 4, 8, 10, 11, 14, 15]);
const COMPONENT_TYPE = 'flo_retry_queue';
/** The meter of the kit's own component, as SDK packages name theirs (`@opentelemetry/sdk-trace`): not the spec's scope. */
export const SELF_METRICS_SCOPE = '@flo-ai/telemetry-kit';
let components = 0;

export class RetryingSpanExporter implements SpanExporter {
  readonly #inner: SpanExporter;
  readonly #maxSpans: number;
  readonly #maxBytes: number;
  readonly #batchSize: number;
  readonly #initialBackoff: number;
  readonly #maxBackoff: number;
  /** Oldest first; `#head` is the index of the oldest entry not yet dropped or sent. */
  #queue: Entry[] = [];
  #head = 0;
  #inFlight: Entry[] = [];
  /** Bytes of the waiting spans, not of the request in flight. */
  #bytes = 0;
  #backoff: number;
  #retryTimer: NodeJS.Timeout | undefined;
  #closed = false;
  /** Set from the first failed request until one succeeds again: one warning per outage, not one per retry. */
  #failingSince: number | undefined;
  #idleWaiters: Array<() => void> = [];
  #stats = { accepted: 0, delivered: 0, retries: 0, dropped: { queueFull: 0, rejected: 0, shutdown: 0 } };
  readonly #processed: Counter;
  readonly #attributes: Attributes;

  constructor(inner: SpanExporter, options: RetryQueueOptions) {
    this.#inner = inner;
    this.#maxSpans = options.maxSpans;
    this.#maxBytes = options.maxBytes;
    this.#batchSize = Math.max(1, Math.min(options.maxBatchSize, options.maxSpans || options.maxBatchSize));
    this.#initialBackoff = options.initialBackoffMillis ?? 500;
    this.#maxBackoff = options.maxBackoffMillis ?? 5_000;
    this.#backoff = this.#initialBackoff;
    const meter = options.meterProvider?.getMeter(SELF_METRICS_SCOPE) ?? createNoopMeter();
    this.#attributes = { [ATTR_OTEL_COMPONENT_TYPE]: COMPONENT_TYPE, [ATTR_OTEL_COMPONENT_NAME]: `${COMPONENT_TYPE}/${components++}` };
    this.#processed = meter.createCounter(METRIC_OTEL_SDK_PROCESSOR_SPAN_PROCESSED, {
      unit: '{span}',
      description: 'Spans that left the retry queue: delivered, or dropped (error.type says why).',
    });
    meter
      .createObservableUpDownCounter(METRIC_OTEL_SDK_PROCESSOR_SPAN_QUEUE_SIZE, {
        unit: '{span}',
        description: 'Spans in the retry queue, waiting for the collector.',
      })
      .addCallback((result) => result.observe(this.#queued(), this.#attributes));
    meter
      .createObservableUpDownCounter(METRIC_OTEL_SDK_PROCESSOR_SPAN_QUEUE_CAPACITY, {
        unit: '{span}',
        description: 'Spans the retry queue holds at most.',
      })
      .addCallback((result) => result.observe(this.#maxSpans, this.#attributes));
  }

  get stats(): RetryQueueStats {
    const { dropped, ...counts } = this.#stats;
    const inFlightBytes = this.#inFlight.reduce((sum, entry) => sum + entry.bytes, 0);
    return { ...counts, dropped: { ...dropped }, queued: this.#queued(), queuedBytes: this.#bytes + inFlightBytes };
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    if (this.#closed) {
      resultCallback({ code: ExportResultCode.FAILED, error: new Error('the retry queue is shut down') });
      return;
    }
    if (this.#maxSpans === 0) {
      this.#inner.export(spans, resultCallback);
      return;
    }
    for (const span of spans) {
      const entry = { span, bytes: estimateSpanBytes(span) };
      this.#queue.push(entry);
      this.#bytes += entry.bytes;
    }
    this.#stats.accepted += spans.length;
    this.#trim();
    resultCallback({ code: ExportResultCode.SUCCESS });
    this.#pump();
  }

  /** Resolves once everything queued now has been delivered or dropped; the caller bounds the wait. */
  forceFlush(): Promise<void> {
    if (this.#queued() === 0) return this.#inner.forceFlush?.() ?? Promise.resolve();
    // A flush is a reason to try now rather than at the end of a backoff.
    if (this.#retryTimer !== undefined) {
      clearTimeout(this.#retryTimer);
      this.#retryTimer = undefined;
      this.#pump();
    }
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /**
   * Tries to deliver what is queued (the caller bounds the wait, see
   * `settleWithin` in session.ts), then stops for good: no timer, no retry.
   */
  async shutdown(): Promise<void> {
    if (this.#queued() > 0 && !this.#closed) await this.forceFlush();
    this.abandon();
    await this.#inner.shutdown();
  }

  /** Stops at once: nothing more is sent or retried; what is left counts as dropped. */
  abandon(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#retryTimer !== undefined) clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    const left = this.#queue.length - this.#head;
    if (left > 0) {
      diag.warn(`telemetry retry queue: ${left} spans not delivered before shutdown were dropped`);
      this.#drop(left, 'shutdown');
    }
    this.#queue = [];
    this.#head = 0;
    this.#bytes = 0;
    this.#wakeIdle();
  }

  #queued(): number {
    return this.#waiting() + this.#inFlight.length;
  }

  #waiting(): number {
    return this.#queue.length - this.#head;
  }

  /** Drops the oldest waiting spans until both bounds hold again. */
  #trim(): void {
    let dropped = 0;
    while (this.#head < this.#queue.length && (this.#waiting() > this.#maxSpans || this.#bytes > this.#maxBytes)) {
      this.#bytes -= (this.#queue[this.#head] as Entry).bytes;
      this.#head += 1;
      dropped += 1;
    }
    if (dropped > 0) {
      this.#drop(dropped, 'queue_full');
      diag.debug(`telemetry retry queue full: dropped the ${dropped} oldest spans`);
    }
    this.#compact();
  }

  #compact(): void {
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
  }

  #drop(count: number, reason: 'queue_full' | 'export_rejected' | 'shutdown'): void {
    const key = reason === 'queue_full' ? 'queueFull' : reason === 'export_rejected' ? 'rejected' : 'shutdown';
    this.#stats.dropped[key] += count;
    this.#processed.add(count, { ...this.#attributes, [ATTR_ERROR_TYPE]: reason });
  }

  #pump(): void {
    if (this.#closed || this.#inFlight.length > 0 || this.#retryTimer !== undefined) return;
    if (this.#head >= this.#queue.length) {
      this.#wakeIdle();
      return;
    }
    const end = Math.min(this.#queue.length, this.#head + this.#batchSize);
    const batch = this.#queue.slice(this.#head, end);
    this.#head = end;
    this.#inFlight = batch;
    this.#bytes -= batch.reduce((sum, entry) => sum + entry.bytes, 0);
    this.#compact();
    let settled = false;
    const done = (result: ExportResult): void => {
      if (settled) return;
      settled = true;
      this.#settle(batch, result);
    };
    try {
      this.#inner.export(
        batch.map((entry) => entry.span),
        done,
      );
    } catch (error) {
      done({ code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) });
    }
  }

  #settle(batch: Entry[], result: ExportResult): void {
    this.#inFlight = [];
    const bytes = batch.reduce((sum, entry) => sum + entry.bytes, 0);
    if (result.code === ExportResultCode.SUCCESS) {
      if (this.#failingSince !== undefined) {
        diag.info(`telemetry retry queue: the collector answers again after ${Math.round((Date.now() - this.#failingSince) / 1000)} s; sending what was held`);
        this.#failingSince = undefined;
      }
      this.#stats.delivered += batch.length;
      this.#processed.add(batch.length, this.#attributes);
      this.#backoff = this.#initialBackoff;
      this.#pump();
      return;
    }
    if (this.#closed) {
      this.#drop(batch.length, 'shutdown');
      this.#wakeIdle();
      return;
    }
    if (!isRetryable(result.error)) {
      this.#drop(batch.length, 'export_rejected');
      diag.warn(`telemetry retry queue: the collector rejected ${batch.length} spans for good (${describeError(result.error)}); dropped`);
      this.#pump();
      return;
    }
    if (this.#failingSince === undefined) {
      this.#failingSince = Date.now();
      diag.warn(`telemetry retry queue: export failed (${describeError(result.error)}); holding spans and retrying until the collector answers`);
    }
    // Back at the front, oldest first; then the bounds, which drop these first.
    this.#queue.splice(this.#head, 0, ...batch);
    this.#bytes += bytes;
    this.#stats.retries += 1;
    this.#trim();
    const delay = this.#backoff * (0.8 + Math.random() * 0.4);
    this.#backoff = Math.min(this.#maxBackoff, this.#backoff * 2);
    diag.debug(`telemetry retry queue: export failed (${describeError(result.error)}); retrying ${this.#queued()} spans in ${Math.round(delay)} ms`);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.#pump();
    }, delay);
    this.#retryTimer.unref();
  }

  #wakeIdle(): void {
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

/** Retryable unless the collector said otherwise with a non-retryable gRPC status. */
export function isRetryable(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code !== 'number' || RETRYABLE_GRPC_CODES.has(code);
}

function describeError(error: unknown): string {
  if (typeof error !== 'object' || error === null) return 'no reason given';
  const { code, name } = error as { code?: unknown; name?: unknown };
  return typeof code === 'number' ? `gRPC status ${code}` : String(name ?? 'error');
}

/**
 * Roughly what a span costs in memory and on the wire: a fixed part for ids,
 * times, kind, status and resource reference, plus its names and attribute
 * keys and values (strings by length). Cheap: computed once per span.
 */
export function estimateSpanBytes(span: ReadableSpan): number {
  let bytes = 200 + span.name.length + attributesBytes(span.attributes);
  for (const event of span.events) bytes += 32 + event.name.length + attributesBytes(event.attributes);
  bytes += span.links.length * 64;
  return bytes;
}

function attributesBytes(attributes: Attributes | undefined): number {
  if (attributes === undefined) return 0;
  let bytes = 0;
  for (const key in attributes) {
    const value = attributes[key];
    bytes += key.length + 8;
    if (typeof value === 'string') bytes += value.length;
    else if (Array.isArray(value)) for (const item of value) bytes += typeof item === 'string' ? item.length : 8;
    else bytes += 8;
  }
  return bytes;
}
