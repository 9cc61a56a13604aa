/**
 * A bounded sending queue between a batch processor and its OTLP exporter,
 * for spans and for log records alike, as the OpenTelemetry Collector's
 * exporters have: batches the processor hands over are accepted at once,
 * held, and sent one request at a time, each request built to fit what a
 * collector accepts. The text below says spans; log records go the same way.
 *
 * - Every request stays under a byte budget (3 MiB by default, under the
 *   4 MiB a gRPC server accepts unless told otherwise), measured by an upper
 *   bound of the spans' protobuf encoding (otlp-size.ts). A span that alone
 *   exceeds it has its longest string values cut until it fits (the SDK's
 *   attribute value length limit, applied to that span only); one that cannot
 *   fit even so is dropped and counted (`too_large`).
 * - A collector that refuses a request as too large (gRPC RESOURCE_EXHAUSTED,
 *   "larger than max") has taught the queue its limit: the budget is lowered
 *   below it (or halved, when the refusal does not say) and the same spans go
 *   out again at once in smaller requests.
 * - While the collector is unreachable (UNAVAILABLE, DEADLINE_EXCEEDED, no
 *   answer within the export deadline, no gRPC status at all), the queue waits
 *   with exponential backoff and probes with its oldest request. A failure
 *   that belongs to one request (ABORTED, OUT_OF_RANGE, DATA_LOSS) sets that
 *   request aside with a backoff of its own while the rest keeps flowing; after
 *   a few attempts it is dropped and counted (`export_failed`). Failures the
 *   collector calls permanent (INVALID_ARGUMENT, UNAUTHENTICATED, …) are not
 *   retried: dropped and counted (`export_rejected`), as the OTLP
 *   specification asks.
 * - Bounded by spans and by the heap the held spans keep alive (otlp-size.ts),
 *   plus the one request in flight. Beyond a bound the *oldest* spans are
 *   dropped (`queue_full`): after an outage the most recent telemetry is the
 *   most useful. Drops are warned about once per episode, with the running
 *   count, and the total is reported when the collector answers again.
 * - Nothing here keeps the process alive: every timer is unref'd, the export
 *   deadline is the queue's own (the exporter's gRPC call carries none, see
 *   exporters.ts), and `shutdown()` gives up at its deadline, counting and
 *   reporting what is left as dropped.
 *
 * Self-observability: with a meter provider, the queue reports the standard
 * `otel.sdk.processor.span.queue.size`, `…queue.capacity` and
 * `otel.sdk.processor.span.processed` metrics (`…log…` for log records;
 * component type `flo_retry_queue`; `error.type` says why a span was
 * dropped). Retries show in the exporter's own `otel.sdk.exporter.span.exported`
 * (every failed attempt, with its `error.type`).
 */
import { createNoopMeter, diag, type Attributes, type Counter, type MeterProvider } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
// Generated from the spec (semconv/runtime.yaml), instead of @opentelemetry/semantic-conventions/incubating (about 10 MB).
import { ATTR_ERROR_TYPE, ATTR_OTEL_COMPONENT_NAME, ATTR_OTEL_COMPONENT_TYPE } from '../generated/attributes.ts';
import {
  METRIC_OTEL_SDK_PROCESSOR_LOG_PROCESSED,
  METRIC_OTEL_SDK_PROCESSOR_LOG_QUEUE_CAPACITY,
  METRIC_OTEL_SDK_PROCESSOR_LOG_QUEUE_SIZE,
  METRIC_OTEL_SDK_PROCESSOR_SPAN_PROCESSED,
  METRIC_OTEL_SDK_PROCESSOR_SPAN_QUEUE_CAPACITY,
  METRIC_OTEL_SDK_PROCESSOR_SPAN_QUEUE_SIZE,
} from '../generated/metrics.ts';
import { describeExportError, exportErrorMessage, grpcCode } from './export-errors.ts';
import { LOG_RECORD_ITEMS, RequestBudget, SPAN_ITEMS, fitItem, sized, type ItemModel, type SizedItem } from './export-items.ts';

export { MIN_REQUEST_BYTES } from './export-items.ts';

/** What a span or log record exporter and this queue have in common. */
export interface ItemExporter<T> {
  export(items: T[], resultCallback: (result: ExportResult) => void): void;
  forceFlush?(): Promise<void>;
  shutdown(): Promise<void>;
}

/** The `otel.sdk.processor.*` metrics of one signal's queue. */
interface QueueMetricNames {
  readonly processed: string;
  readonly queueSize: string;
  readonly queueCapacity: string;
}

const SPAN_QUEUE_METRICS: QueueMetricNames = {
  processed: METRIC_OTEL_SDK_PROCESSOR_SPAN_PROCESSED,
  queueSize: METRIC_OTEL_SDK_PROCESSOR_SPAN_QUEUE_SIZE,
  queueCapacity: METRIC_OTEL_SDK_PROCESSOR_SPAN_QUEUE_CAPACITY,
};

const LOG_QUEUE_METRICS: QueueMetricNames = {
  processed: METRIC_OTEL_SDK_PROCESSOR_LOG_PROCESSED,
  queueSize: METRIC_OTEL_SDK_PROCESSOR_LOG_QUEUE_SIZE,
  queueCapacity: METRIC_OTEL_SDK_PROCESSOR_LOG_QUEUE_CAPACITY,
};

export interface RetryQueueOptions {
  /** Spans held at most; 0 turns holding off (each batch is sent once, in requests within the budget). */
  readonly maxSpans: number;
  /** Heap bytes the held spans may keep alive (see otlp-size.ts). */
  readonly maxBytes: number;
  /** Spans per export request at most. */
  readonly maxBatchSize: number;
  /** Encoded bytes per export request at most. */
  readonly maxRequestBytes: number;
  /** How long a request may wait for the collector's answer. Default 10 s, the OTLP default. */
  readonly exportTimeoutMillis?: number;
  /**
   * Called when a request failed because the collector did not answer in time or could not be
   * reached: the exporter's calls are cancelled and its next request starts on a new connection
   * (see grpc-sockets.ts).
   */
  readonly onCollectorAway?: () => void;
  readonly initialBackoffMillis?: number;
  readonly maxBackoffMillis?: number;
  /** Where the queue's `otel.sdk.*` metrics go; none without. */
  readonly meterProvider?: MeterProvider;
}

/** Why spans left the queue without being delivered: the `error.type` of `otel.sdk.processor.span.processed`. */
export type DropReason = 'queue_full' | 'export_rejected' | 'export_failed' | 'too_large' | 'shutdown';

/** Counts since the queue was created. */
export interface RetryQueueStats {
  /** Spans accepted from the processor. */
  readonly accepted: number;
  /** Spans the collector acknowledged. */
  readonly delivered: number;
  /** Spans dropped, by reason. */
  readonly dropped: { readonly queueFull: number; readonly rejected: number; readonly failed: number; readonly tooLarge: number; readonly shutdown: number };
  /** Export requests that failed and were tried again later. */
  readonly retries: number;
  /** Spans whose longest values were cut so that they fit a request. */
  readonly truncated: number;
  /** Spans waiting now, including those of the request in flight. */
  readonly queued: number;
  /** Heap the waiting spans keep alive (estimated), including the request in flight. */
  readonly queuedBytes: number;
  /** Encoded bytes a request may carry now: the configured budget, or less once the collector refused one as too large. */
  readonly requestBytes: number;
}

/** An item with its sizes and its own failures. */
interface Entry<T> extends SizedItem<T> {
  /** Failures of requests that held it, that belonged to the request rather than to the collector. */
  attempts: number;
  /** When it may be sent again after such a failure. */
  retryAt: number;
}

/** gRPC status codes the OTLP specification calls retryable. */
const RETRYABLE_GRPC_CODES: ReadonlySet<number> = new Set([1, 4, 8, 10, 11, 14, 15]);
/** Retryable codes that speak of one request, not of the collector: ABORTED, OUT_OF_RANGE, DATA_LOSS. */
const REQUEST_FAILURE_CODES: ReadonlySet<number> = new Set([10, 11, 15]);
const RESOURCE_EXHAUSTED = 8;
const DEADLINE_EXCEEDED = 4;
/** A request failing for its own reasons this often is dropped: the collector accepts others, just not it. */
const MAX_REQUEST_ATTEMPTS = 6;
/** A collector's stated limit, less this share for gRPC framing and estimates elsewhere. */
const COLLECTOR_LIMIT_SHARE = 0.9;
const COMPONENT_TYPE = 'flo_retry_queue';
/** The meter of the kit's own component, as SDK packages name theirs (`@opentelemetry/sdk-trace`): not the spec's scope. */
export const SELF_METRICS_SCOPE = '@flo-ai/telemetry-kit';
let components = 0;

type FailureKind = 'too_large' | 'permanent' | 'unavailable' | 'request';

export class RetryQueue<T> implements ItemExporter<T> {
  readonly #model: ItemModel<T>;
  readonly #inner: ItemExporter<T>;
  readonly #maxSpans: number;
  readonly #maxBytes: number;
  readonly #batchSize: number;
  readonly #budget: RequestBudget<T>;
  readonly #timeoutMillis: number;
  readonly #onCollectorAway: (() => void) | undefined;
  readonly #initialBackoff: number;
  readonly #maxBackoff: number;
  /** Never sent, oldest first. */
  readonly #waiting = new EntryQueue<T>();
  /** Failed for reasons of their own request and waiting for their `retryAt`; all older than `#waiting`. */
  readonly #setAside = new EntryQueue<T>();
  #inFlight: { readonly entries: Entry<T>[]; readonly from: EntryQueue<T> } | undefined;
  #backoff: number;
  #timer: NodeJS.Timeout | undefined;
  /** Set while the collector is unreachable: the queue waits for the timer before sending. */
  #paused = false;
  #closed = false;
  /** Set from the first failed request until one succeeds again: one warning per outage, not one per retry. */
  #failingSince: number | undefined;
  /** Spans dropped for a full queue since the episode began, and whether that was said. */
  #episodeDrops = 0;
  #idleWaiters: Array<() => void> = [];
  readonly #stats = { accepted: 0, delivered: 0, retries: 0, truncated: 0, dropped: { queueFull: 0, rejected: 0, failed: 0, tooLarge: 0, shutdown: 0 } };
  readonly #processed: Counter;
  readonly #attributes: Attributes;

  constructor(model: ItemModel<T>, metricNames: QueueMetricNames, inner: ItemExporter<T>, options: RetryQueueOptions) {
    this.#model = model;
    this.#inner = inner;
    this.#maxSpans = options.maxSpans;
    this.#maxBytes = options.maxBytes;
    this.#batchSize = Math.max(1, options.maxBatchSize);
    this.#budget = new RequestBudget(model, options.maxRequestBytes);
    this.#timeoutMillis = options.exportTimeoutMillis ?? 10_000;
    this.#onCollectorAway = options.onCollectorAway;
    this.#initialBackoff = options.initialBackoffMillis ?? 500;
    this.#maxBackoff = options.maxBackoffMillis ?? 5_000;
    this.#backoff = this.#initialBackoff;
    const meter = options.meterProvider?.getMeter(SELF_METRICS_SCOPE) ?? createNoopMeter();
    this.#attributes = { [ATTR_OTEL_COMPONENT_TYPE]: COMPONENT_TYPE, [ATTR_OTEL_COMPONENT_NAME]: `${COMPONENT_TYPE}/${components++}` };
    this.#processed = meter.createCounter(metricNames.processed, {
      unit: model.unit,
      description: `${capitalised(model.noun)} that left the retry queue: delivered, or dropped (error.type says why).`,
    });
    meter
      .createObservableUpDownCounter(metricNames.queueSize, {
        unit: model.unit,
        description: `${capitalised(model.noun)} in the retry queue, waiting for the collector.`,
      })
      .addCallback((result) => result.observe(this.#queued(), this.#attributes));
    meter
      .createObservableUpDownCounter(metricNames.queueCapacity, {
        unit: model.unit,
        description: `${capitalised(model.noun)} the retry queue holds at most.`,
      })
      .addCallback((result) => result.observe(this.#maxSpans, this.#attributes));
  }

  get stats(): RetryQueueStats {
    const { dropped, ...counts } = this.#stats;
    const inFlightBytes = this.#inFlight?.entries.reduce((sum, entry) => sum + entry.held, 0) ?? 0;
    return { ...counts, dropped: { ...dropped }, queued: this.#queued(), queuedBytes: this.#heldBytes() + inFlightBytes, requestBytes: this.#budget.bytes };
  }

  export(items: T[], resultCallback: (result: ExportResult) => void): void {
    if (this.#closed) {
      resultCallback({ code: ExportResultCode.FAILED, error: new Error('the retry queue is shut down') });
      return;
    }
    this.#stats.accepted += items.length;
    if (this.#maxSpans === 0) {
      void this.#sendOnce(items.map((item) => this.#entry(item))).then(resultCallback);
      return;
    }
    for (const item of items) this.#waiting.push(this.#entry(item));
    this.#trim();
    resultCallback({ code: ExportResultCode.SUCCESS });
    this.#pump();
  }

  /** Resolves once everything queued now has been delivered or dropped; the caller bounds the wait. */
  forceFlush(): Promise<void> {
    if (this.#queued() === 0) return this.#inner.forceFlush?.() ?? Promise.resolve();
    // A flush is a reason to try now rather than at the end of a backoff.
    this.#paused = false;
    for (const entry of this.#setAside.items()) entry.retryAt = 0;
    this.#clearTimer();
    this.#pump();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /**
   * Tries to deliver what is queued (the caller bounds the wait, see
   * `settleWithin` in configure.ts), then stops for good: no timer, no retry.
   */
  async shutdown(): Promise<void> {
    if (this.#queued() > 0 && !this.#closed) await this.forceFlush();
    this.abandon();
    await this.#inner.shutdown();
  }

  /** Stops at once: nothing more is sent or retried; what is left counts as dropped, and is reported with its count. */
  abandon(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#clearTimer();
    const waiting = this.#waiting.length + this.#setAside.length;
    const inFlight = this.#inFlight?.entries.length ?? 0;
    if (waiting + inFlight > 0) {
      diag.warn(
        `telemetry retry queue: ${waiting + inFlight} ${this.#model.noun} not delivered before shutdown were dropped` +
          (inFlight > 0 ? ` (${inFlight} of them in a request the collector had not answered)` : ''),
      );
    }
    if (waiting > 0) this.#drop(waiting, 'shutdown');
    this.#waiting.clear();
    this.#setAside.clear();
    this.#wakeIdle();
  }

  #entry(item: T): Entry<T> {
    return { ...sized(this.#model, item), attempts: 0, retryAt: 0 };
  }

  #queued(): number {
    return this.#waiting.length + this.#setAside.length + (this.#inFlight?.entries.length ?? 0);
  }

  /** Heap the held spans keep alive, the request in flight aside. */
  #heldBytes(): number {
    return this.#waiting.heldBytes + this.#setAside.heldBytes;
  }

  /** Drops the oldest held spans until both bounds hold again. The spans set aside are the oldest. */
  #trim(): void {
    let dropped = 0;
    while (this.#waiting.length + this.#setAside.length > this.#maxSpans || this.#heldBytes() > this.#maxBytes) {
      const queue = this.#setAside.length > 0 ? this.#setAside : this.#waiting;
      if (queue.shift() === undefined) break;
      dropped += 1;
    }
    if (dropped > 0) this.#dropForSpace(dropped);
  }

  #dropForSpace(count: number): void {
    this.#drop(count, 'queue_full');
    if (this.#episodeDrops === 0) {
      diag.warn(
        `telemetry retry queue full (at most ${this.#maxSpans} ${this.#model.noun}, ${formatBytes(this.#maxBytes)}): dropping the oldest ${this.#model.noun}` +
          (this.#failingSince === undefined ? '' : ' while the collector does not answer') +
          `; ${count} dropped so far, the total follows once the queue drains`,
      );
    }
    this.#episodeDrops += count;
  }

  /** The end of a drop episode: the collector answers again, or the queue is empty. */
  #endEpisode(): void {
    if (this.#episodeDrops === 0) return;
    diag.warn(`telemetry retry queue: ${this.#episodeDrops} ${this.#model.noun} in all were dropped because the queue was full`);
    this.#episodeDrops = 0;
  }

  #drop(count: number, reason: DropReason): void {
    const dropped = this.#stats.dropped;
    if (reason === 'queue_full') dropped.queueFull += count;
    else if (reason === 'export_rejected') dropped.rejected += count;
    else if (reason === 'export_failed') dropped.failed += count;
    else if (reason === 'too_large') dropped.tooLarge += count;
    else dropped.shutdown += count;
    this.#processed.add(count, { ...this.#attributes, [ATTR_ERROR_TYPE]: reason });
  }

  #pump(): void {
    while (!this.#closed && this.#inFlight === undefined && !this.#paused) {
      const from = this.#nextSource();
      if (from === undefined) return;
      const entries = this.#takeRequest(from);
      if (entries.length > 0) {
        this.#send(entries, from);
        return;
      }
    }
  }

  /** Where the next request comes from: a set-aside request that is due, else the waiting spans; undefined when nothing can go now. */
  #nextSource(): EntryQueue<T> | undefined {
    const aside = this.#setAside.peek();
    if (aside !== undefined && aside.retryAt <= Date.now()) return this.#setAside;
    if (this.#waiting.length > 0) return this.#waiting;
    if (aside !== undefined) {
      this.#schedule(aside.retryAt - Date.now(), false);
      return undefined;
    }
    this.#endEpisode();
    this.#wakeIdle();
    return undefined;
  }

  /** The oldest items of `from` that fit one request; an item too large alone is cut to fit, or dropped. */
  #takeRequest(from: EntryQueue<T>): Entry<T>[] {
    const first = from.peek() as Entry<T>;
    if (!this.#budget.fitsAlone(first)) {
      from.shift();
      const fitted = fitItem(this.#model, first.item, this.#budget.room(first.item));
      if (fitted === undefined) {
        this.#drop(1, 'too_large');
        diag.warn(`telemetry retry queue: one of the ${this.#model.noun}, of about ${formatBytes(first.wire)}, cannot fit an export request of ${formatBytes(this.#budget.bytes)} even with its values cut; dropped`);
        return [];
      }
      this.#stats.truncated += 1;
      from.unshift({ ...fitted, attempts: first.attempts, retryAt: first.retryAt });
    }
    const request = this.#budget.open();
    const entries: Entry<T>[] = [];
    while (entries.length < this.#batchSize && from.length > 0) {
      const next = from.peek() as Entry<T>;
      if (from === this.#setAside && next.retryAt > Date.now()) break;
      if (!request.add(next)) break;
      entries.push(from.shift() as Entry<T>);
    }
    return entries;
  }

  #send(entries: Entry<T>[], from: EntryQueue<T>): void {
    this.#inFlight = { entries, from };
    let settled = false;
    const deadline = setTimeout(() => {
      if (settled) return;
      done({ code: ExportResultCode.FAILED, error: Object.assign(new Error(`the collector did not answer within ${this.#timeoutMillis} ms`), { code: DEADLINE_EXCEEDED }) });
    }, this.#timeoutMillis);
    deadline.unref();
    const done = (result: ExportResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      this.#settle(entries, from, result);
    };
    try {
      this.#inner.export(
        entries.map((entry) => entry.item),
        done,
      );
    } catch (error) {
      done({ code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) });
    }
  }

  #settle(entries: Entry<T>[], from: EntryQueue<T>, result: ExportResult): void {
    this.#inFlight = undefined;
    if (result.code === ExportResultCode.SUCCESS) {
      this.#delivered(entries.length);
      this.#pump();
      return;
    }
    if (this.#closed) {
      this.#drop(entries.length, 'shutdown');
      this.#wakeIdle();
      return;
    }
    switch (failureKind(result.error)) {
      case 'too_large':
        this.#tooLarge(entries, from, result.error);
        break;
      case 'permanent':
        this.#drop(entries.length, 'export_rejected');
        diag.warn(`telemetry retry queue: the collector rejected ${entries.length} ${this.#model.noun} for good (${describeExportError(result.error)}); dropped`);
        break;
      case 'request':
        this.#requestFailed(entries, result.error);
        break;
      case 'unavailable':
        this.#collectorAway(entries, from, result.error);
        return;
    }
    this.#pump();
  }

  #delivered(count: number): void {
    if (this.#failingSince !== undefined) {
      diag.info(`telemetry retry queue: the collector answers again after ${Math.round((Date.now() - this.#failingSince) / 1000)} s; sending what was held`);
      this.#failingSince = undefined;
      this.#endEpisode();
    }
    this.#stats.delivered += count;
    this.#processed.add(count, this.#attributes);
    this.#backoff = this.#initialBackoff;
  }

  /** The collector refused the request as too large: learn its limit, then send the same items again in smaller requests. */
  #tooLarge(entries: Entry<T>[], from: EntryQueue<T>, error: unknown): void {
    const sent = this.#budget.requestBytes(entries);
    const stated = collectorLimit(error);
    const lowered = this.#budget.lower(stated === undefined ? Math.floor(sent / 2) : Math.floor(stated * COLLECTOR_LIMIT_SHARE));
    if (lowered) {
      diag.warn(
        `telemetry retry queue: the collector refused a request of ${formatBytes(sent)} as too large` +
          (stated === undefined ? '' : ` (it accepts ${formatBytes(stated)})`) +
          `; requests now stay under ${formatBytes(this.#budget.bytes)}`,
      );
    }
    if (!lowered && entries.length === 1) {
      this.#drop(1, 'too_large');
      diag.warn(`telemetry retry queue: the collector refused one of the ${this.#model.noun}, of ${formatBytes(sent)}, as too large, and requests cannot get smaller; dropped`);
      return;
    }
    from.unshiftAll(entries);
  }

  /** A failure of this request alone: it waits on its own backoff while the others go on. */
  #requestFailed(entries: Entry<T>[], error: unknown): void {
    this.#stats.retries += 1;
    const attempts = (entries[0]?.attempts ?? 0) + 1;
    if (attempts >= MAX_REQUEST_ATTEMPTS) {
      this.#drop(entries.length, 'export_failed');
      diag.warn(`telemetry retry queue: a request of ${entries.length} ${this.#model.noun} failed ${attempts} times (${describeExportError(error)}) while the collector accepted others; dropped`);
      return;
    }
    const retryAt = Date.now() + backoffDelay(this.#initialBackoff * 2 ** (attempts - 1), this.#maxBackoff);
    for (const entry of entries) {
      entry.attempts = attempts;
      entry.retryAt = retryAt;
      this.#setAside.push(entry);
    }
    this.#trim();
  }

  /** The collector is away: the request goes back to the front, and the queue waits before probing again. */
  #collectorAway(entries: Entry<T>[], from: EntryQueue<T>, error: unknown): void {
    this.#onCollectorAway?.();
    if (this.#failingSince === undefined) {
      this.#failingSince = Date.now();
      diag.warn(`telemetry retry queue: export failed (${describeExportError(error)}); holding ${this.#model.noun} and retrying until the collector answers`);
    }
    from.unshiftAll(entries);
    this.#stats.retries += 1;
    this.#trim();
    const delay = backoffDelay(this.#backoff, this.#maxBackoff);
    this.#backoff = Math.min(this.#maxBackoff, this.#backoff * 2);
    diag.debug(`telemetry retry queue: export failed (${describeExportError(error)}); retrying ${this.#queued()} ${this.#model.noun} in ${Math.round(delay)} ms`);
    this.#schedule(delay, true);
  }

  /** Pumps again after `delay`; `pause` keeps everything waiting until then (the collector is away). */
  #schedule(delay: number, pause: boolean): void {
    this.#clearTimer();
    this.#paused = pause;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.#paused = false;
        this.#pump();
      },
      Math.max(0, delay),
    );
    this.#timer.unref();
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Items held off, sent once each in requests within the budget (`maxSpans: 0`). Resolves with the first failure, if any. */
  async #sendOnce(entries: Entry<T>[]): Promise<ExportResult> {
    const pending = new EntryQueue<T>();
    for (const entry of entries) pending.push(entry);
    let outcome: ExportResult = { code: ExportResultCode.SUCCESS };
    while (pending.length > 0 && !this.#closed) {
      const request = this.#takeRequest(pending);
      if (request.length === 0) continue;
      const result = await new Promise<ExportResult>((resolve) => this.#inner.export(request.map((entry) => entry.item), resolve));
      if (result.code === ExportResultCode.SUCCESS) this.#delivered(request.length);
      else if (failureKind(result.error) === 'too_large' && request.length > 1) this.#tooLarge(request, pending, result.error);
      else {
        this.#drop(request.length, isRetryable(result.error) ? 'export_failed' : 'export_rejected');
        if (outcome.code === ExportResultCode.SUCCESS) outcome = result;
      }
    }
    return outcome;
  }

  #wakeIdle(): void {
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

/** The retry queue of spans, between the batch span processor and the OTLP trace exporter. */
export class RetryingSpanExporter extends RetryQueue<ReadableSpan> {
  constructor(inner: ItemExporter<ReadableSpan>, options: RetryQueueOptions) {
    super(SPAN_ITEMS, SPAN_QUEUE_METRICS, inner, options);
  }
}

/** The retry queue of log records, between the batch log record processor and the OTLP logs exporter. */
export class RetryingLogRecordExporter extends RetryQueue<ReadableLogRecord> {
  constructor(inner: ItemExporter<ReadableLogRecord>, options: RetryQueueOptions) {
    super(LOG_RECORD_ITEMS, LOG_QUEUE_METRICS, inner, options);
  }
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Retryable unless the collector said otherwise with a non-retryable gRPC status. */
export function isRetryable(error: unknown): boolean {
  const code = grpcCode(error);
  return code === undefined || RETRYABLE_GRPC_CODES.has(code);
}

function failureKind(error: unknown): FailureKind {
  const code = grpcCode(error);
  if (code === RESOURCE_EXHAUSTED && /larger than max|too large/i.test(exportErrorMessage(error))) return 'too_large';
  if (code === undefined) return 'unavailable';
  if (!RETRYABLE_GRPC_CODES.has(code)) return 'permanent';
  return REQUEST_FAILURE_CODES.has(code) ? 'request' : 'unavailable';
}

/** The limit a collector states when it refuses a message as too large: gRPC servers say `(8390123 vs. 4194304)`. */
export function collectorLimit(error: unknown): number | undefined {
  const match = /larger than max\D*?(\d+)\s*vs\.?\s*(\d+)/i.exec(exportErrorMessage(error));
  return match === null ? undefined : Number(match[2]);
}

function backoffDelay(base: number, max: number): number {
  return Math.min(max, base) * (0.8 + Math.random() * 0.4);
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(0)} KiB`;
  return `${bytes} bytes`;
}

/** Items oldest first, that also takes items back at its front, in amortised constant time, and knows the heap they keep alive. */
class EntryQueue<T> {
  #items: Array<Entry<T> | undefined> = [];
  #head = 0;
  #held = 0;

  get length(): number {
    return this.#items.length - this.#head;
  }

  get heldBytes(): number {
    return this.#held;
  }

  push(entry: Entry<T>): void {
    this.#items.push(entry);
    this.#held += entry.held;
  }

  unshift(entry: Entry<T>): void {
    if (this.#head > 0) {
      this.#head -= 1;
      this.#items[this.#head] = entry;
    } else this.#items.unshift(entry);
    this.#held += entry.held;
  }

  /** Puts `entries` back at the front, in their order. */
  unshiftAll(entries: readonly Entry<T>[]): void {
    for (let index = entries.length - 1; index >= 0; index -= 1) this.unshift(entries[index] as Entry<T>);
  }

  peek(): Entry<T> | undefined {
    return this.#items[this.#head];
  }

  shift(): Entry<T> | undefined {
    const entry = this.#items[this.#head];
    if (entry === undefined) return undefined;
    // Release the slot, so a span that left is not kept alive by the array.
    this.#items[this.#head] = undefined;
    this.#head += 1;
    this.#held -= entry.held;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return entry;
  }

  items(): Entry<T>[] {
    return this.#items.slice(this.#head) as Entry<T>[];
  }

  clear(): void {
    this.#items = [];
    this.#head = 0;
    this.#held = 0;
  }
}
