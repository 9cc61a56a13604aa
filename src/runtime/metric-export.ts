/**
 * The OTLP metric exporter behind the periodic reader, as the kit runs it.
 *
 * The reader hands each collection over and gets its answer at once; the
 * collection is then sent in the background, one request at a time, each with
 * the kit's own deadline on an unref'd timer (the gRPC call carries none, see
 * grpc-sockets.ts). So an export to a collector that does not answer neither
 * keeps the process alive nor overlaps the next one, and the reader, whose
 * only use of the answer is to log a failure as an ERROR with a stack, never
 * sees one: an outage is reported here, one warning when exports start
 * failing and one when they work again.
 *
 * Failed collections are not retried: with cumulative temporality (the
 * default) the next collection carries everything, so only the newest waiting
 * collection is kept. Delta collections each carry their own points; up to
 * `MAX_WAITING_DELTA` of them wait, the oldest dropped beyond.
 */
import { diag } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { describeExportError } from './export-errors.ts';
import { AggregationTemporality, type PushMetricExporter, type ResourceMetrics } from '@opentelemetry/sdk-metrics';

const MAX_WAITING_DELTA = 8;
const DEADLINE_EXCEEDED = 4;

export interface MetricSendOptions {
  /** How long one request may wait for the collector's answer. */
  readonly timeoutMillis: number;
  /** Called when a request failed (its deadline passed, or the collector refused or could not be reached): the next starts on a new connection (see grpc-sockets.ts). */
  readonly onFailure?: () => void;
}

export class BackgroundMetricExporter implements PushMetricExporter {
  readonly #inner: PushMetricExporter;
  readonly #timeoutMillis: number;
  readonly #onFailure: (() => void) | undefined;
  #waiting: ResourceMetrics[] = [];
  #inFlight: Promise<void> | undefined;
  #failingSince: number | undefined;
  #idle: Array<() => void> = [];
  #shutDown = false;

  /** The exporter's own choices (OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE and the like), which the reader asks for. */
  readonly selectAggregationTemporality: PushMetricExporter['selectAggregationTemporality'];
  readonly selectAggregation: PushMetricExporter['selectAggregation'];

  constructor(inner: PushMetricExporter, options: MetricSendOptions) {
    this.#inner = inner;
    this.#timeoutMillis = options.timeoutMillis;
    this.#onFailure = options.onFailure;
    this.selectAggregationTemporality = inner.selectAggregationTemporality?.bind(inner);
    this.selectAggregation = inner.selectAggregation?.bind(inner);
  }

  export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
    if (this.#shutDown) {
      resultCallback({ code: ExportResultCode.FAILED, error: new Error('the metric exporter is shut down') });
      return;
    }
    this.#hold(metrics);
    resultCallback({ code: ExportResultCode.SUCCESS });
    this.#sendNext();
  }

  /** Resolves once what was handed over has been sent (or failed); the caller bounds the wait. */
  async forceFlush(): Promise<void> {
    if (this.#inFlight !== undefined || this.#waiting.length > 0) await new Promise<void>((resolve) => this.#idle.push(resolve));
    await this.#inner.forceFlush();
  }

  async shutdown(): Promise<void> {
    await this.forceFlush();
    this.#shutDown = true;
    await this.#inner.shutdown();
  }

  #hold(metrics: ResourceMetrics): void {
    // A cumulative collection carries everything the ones before it did.
    if (isCumulative(metrics)) this.#waiting = this.#waiting.filter((waiting) => !isCumulative(waiting));
    this.#waiting.push(metrics);
    const excess = this.#waiting.length - MAX_WAITING_DELTA;
    if (excess > 0) {
      this.#waiting.splice(0, excess);
      diag.warn(`telemetry metric export: ${excess} delta collections waiting for the collector were dropped`);
    }
  }

  #sendNext(): void {
    if (this.#inFlight !== undefined) return;
    const next = this.#waiting.shift();
    if (next === undefined) {
      const idle = this.#idle;
      this.#idle = [];
      for (const resolve of idle) resolve();
      return;
    }
    this.#inFlight = this.#send(next).then((result) => {
      this.#inFlight = undefined;
      if (result.code !== ExportResultCode.SUCCESS) this.#onFailure?.();
      this.#report(result);
      this.#sendNext();
    });
  }

  #send(metrics: ResourceMetrics): Promise<ExportResult> {
    return new Promise((resolve) => {
      let settled = false;
      const finish = (result: ExportResult): void => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        resolve(result);
      };
      const deadline = setTimeout(() => {
        finish({ code: ExportResultCode.FAILED, error: Object.assign(new Error(`the collector did not answer within ${this.#timeoutMillis} ms`), { code: DEADLINE_EXCEEDED }) });
      }, this.#timeoutMillis);
      deadline.unref();
      try {
        this.#inner.export(metrics, finish);
      } catch (error) {
        finish({ code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) });
      }
    });
  }

  /** One warning when exports start failing, one when they work again: not one per interval. */
  #report(result: ExportResult): void {
    if (result.code === ExportResultCode.SUCCESS) {
      if (this.#failingSince !== undefined) {
        diag.warn(`telemetry metric export works again after ${Math.round((Date.now() - this.#failingSince) / 1000)} s`);
        this.#failingSince = undefined;
      }
      return;
    }
    if (this.#failingSince !== undefined) return;
    this.#failingSince = Date.now();
    diag.warn(`telemetry metric export failed (${describeExportError(result.error)}); trying again every interval until the collector answers`);
  }
}

function isCumulative(metrics: ResourceMetrics): boolean {
  return metrics.scopeMetrics.every((scope) => scope.metrics.every((metric) => metric.aggregationTemporality === AggregationTemporality.CUMULATIVE));
}
