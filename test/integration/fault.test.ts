/**
 * Jaeger goes away while the application keeps recording, then comes back
 * on the same ports.
 *
 * 1. With the default retry queue: the application neither throws nor
 *    stalls, at least 99 % of the spans recorded during a 15 s outage are
 *    read back through Jaeger's query API after the restart, every span the
 *    kit dropped is counted, and the cumulative metric sums Jaeger's
 *    Prometheus exporter shows afterwards equal what the application recorded.
 * 2. With a queue far smaller than the outage: the oldest spans are dropped,
 *    and the drops the kit counts (`otel.sdk.processor.span.processed` with
 *    `error.type=queue_full`) are exactly the spans missing in Jaeger.
 * 3. As 1, with content capture on and 4000-character prompts and
 *    completions: batches of such spans encode far beyond the 4 MiB Jaeger's
 *    gRPC receiver accepts by default, and still at least 99 % arrive.
 *
 * Each run prints one summary line with its figures.
 */
import { randomUUID } from 'node:crypto';
import { MetricReader, type MetricData } from '@opentelemetry/sdk-metrics';
import { afterAll, describe, expect, it } from 'vitest';
import { METRIC_OTEL_SDK_PROCESSOR_SPAN_PROCESSED, METRIC_OTEL_SDK_PROCESSOR_SPAN_QUEUE_SIZE, WORKFLOW_EXECUTIONS_TOTAL_METRIC } from '../../src/generated/metrics.ts';
import { configureTelemetry, shutdownTelemetry, TELEMETRY_DEFAULTS, type TelemetryOptions } from '../../src/index.ts';
import { SELF_METRICS_SCOPE } from '../../src/runtime/retry-queue.ts';
import { freePort, integrationEnabled, jaegerTraces, spansOf, startJaeger, waitForSpans, type Jaeger, type JaegerTrace } from './support/jaeger.ts';
import { prometheusName, sampleValue, scrape } from './support/prometheus.ts';
import { SPAN_COUNT_PER_RUN, WORKFLOW, runResearchWorkflow } from './support/workload.ts';

const RUNS_PER_PHASE = 20;
const OUTAGE_MS = 15_000;
/** The small-queue run needs only enough outage to overflow its queue several times. */
const SMALL_QUEUE_OUTAGE_MS = 6_000;
const SMALL_QUEUE_SPANS = 300;
/** Prompts and completions of the content-capture run: under content capture's default maxLength of 4096. */
const CAPTURED_TEXT_LENGTH = 4000;
/**
 * What the capture run's outage needs held: about 75 KB of heap a workflow (three LLM spans with two
 * 4000-character texts each, under flo_ai's keys and GenAI's), 370 workflows. The default 16 MiB
 * holds about 220 of them.
 */
const CAPTURE_QUEUE_BYTES = 64 * 1024 * 1024;
const OUTAGE_RUN_INTERVAL_MS = 40;
/** Generous: a run takes a few ms of timers; one stalled by export would take the gRPC deadline (10 s) or forever. */
const SLOWEST_RUN_BOUND_MS = 2_000;
/** Functional, very generous: the retry queue holds at most 16 MiB of (estimated) span data. */
const HEAP_GROWTH_BOUND_MB = 256;
/** How long the restarted Jaeger gets to receive what the queue holds: gRPC reconnects on its own backoff. */
const DELIVERY_DEADLINE_MS = 90_000;

const enabled = await integrationEnabled();

/** Keeps the SDK's cumulative state, to compare with what Prometheus shows and to read the kit's own counts. */
class CollectingReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}

  async metric(name: string, scope?: string): Promise<MetricData | undefined> {
    const { resourceMetrics } = await this.collect();
    return resourceMetrics.scopeMetrics
      .filter((scopeMetrics) => scope === undefined || scopeMetrics.scope.name === scope)
      .flatMap((scopeMetrics) => scopeMetrics.metrics)
      .find((metric) => metric.descriptor.name === name);
  }

  /** Sum of the points of a counter whose attributes include `match`. */
  async sum(name: string, match: Record<string, string>, scope?: string): Promise<number> {
    const metric = await this.metric(name, scope);
    return (metric?.dataPoints ?? [])
      .filter((point) => Object.entries(match).every(([key, value]) => point.attributes[key] === value))
      .reduce((total, point) => total + (typeof point.value === 'number' ? point.value : 0), 0);
  }
}

interface RunResult {
  readonly recordedInOutage: number;
  readonly outageRuns: number;
  readonly deliveredFromOutage: number;
  readonly droppedCounted: number;
  readonly slowestRunMs: number;
  readonly reconnectedMs: number;
  readonly afterWorkflows: number;
  readonly shutdownMs: number;
  readonly heapGrowthMb: number;
  readonly queuedAtOutageEnd: number;
  readonly workflowsRecorded: number;
  readonly workflowsInPrometheus: number;
}

describe.skipIf(!enabled)('Jaeger stopped and restarted while the application records', () => {
  let jaeger: Jaeger | undefined;
  afterAll(async () => {
    await shutdownTelemetry();
    await jaeger?.stop();
  });

  /** One whole scenario against a fresh Jaeger: before, outage, restart, after, shutdown. */
  async function outageRun(label: string, outageMs: number, options: TelemetryOptions, textLength = 0): Promise<RunResult> {
    const service = `flo-fault-${label}-${randomUUID().slice(0, 8)}`;
    const ports = { otlpGrpc: await freePort(), query: await freePort(), prometheus: await freePort() };
    jaeger = await startJaeger(ports);
    const reader = new CollectingReader();
    configureTelemetry({
      serviceName: service,
      otlpEndpoint: jaeger.otlpEndpoint,
      logLevel: 'none',
      metricExportIntervalMillis: 1_000,
      // Phases are told apart by the failed tool call's message, which names the question: record messages as thrown.
      errorMessages: 'always',
      metricReaders: [reader],
      ...options,
    });

    const before = await recordPhase('before', textLength);
    expect(before.errors).toEqual([]);
    expect(spansOf(await waitForSpans(jaeger.queryUrl, service, RUNS_PER_PHASE * SPAN_COUNT_PER_RUN)).length).toBe(RUNS_PER_PHASE * SPAN_COUNT_PER_RUN);

    await jaeger.stop();
    const heapBefore = process.memoryUsage().heapUsed;
    const outage = await recordDuringOutage(outageMs, textLength);
    const heapGrowthMb = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
    const queuedAtOutageEnd = await reader.sum(METRIC_OTEL_SDK_PROCESSOR_SPAN_QUEUE_SIZE, {}, SELF_METRICS_SCOPE);
    expect(outage.errors).toEqual([]);
    const recordedInOutage = outage.runs * SPAN_COUNT_PER_RUN;

    // Same host ports, fresh in-memory storage: whatever it holds arrived after the restart.
    const restarted = performance.now();
    jaeger = await startJaeger(ports);
    // Drops of the batch processor's queue and of the retry queue alike, counted by the SDK's own metric.
    const dropped = () => reader.sum(METRIC_OTEL_SDK_PROCESSOR_SPAN_PROCESSED, { 'error.type': 'queue_full' });
    const outageTraces = await untilOutageDelivered(jaeger, service, async () => recordedInOutage - (await dropped()));
    const reconnectedMs = performance.now() - restarted;
    const droppedCounted = await dropped();

    const after = await recordPhase('after', textLength);
    expect(after.errors).toEqual([]);
    const workflowsRecorded = await reader.sum(WORKFLOW_EXECUTIONS_TOTAL_METRIC.name, { workflow_name: WORKFLOW });
    const shutdownStarted = performance.now();
    await shutdownTelemetry();
    const shutdownMs = performance.now() - shutdownStarted;

    const traces = await waitForSpans(jaeger.queryUrl, service, spansOf(outageTraces).length + RUNS_PER_PHASE * SPAN_COUNT_PER_RUN);
    const afterTraces = traces.filter((trace) => phaseOf(trace) === 'after');
    // The restarted Jaeger holds outage and after spans only. Not by phaseOf: dropping the oldest spans can leave a
    // partial trace without the span that names its phase.
    const deliveredFromOutage = spansOf(traces).length - spansOf(afterTraces).length;
    // The last export of the shutdown carries every cumulative sum, including what was recorded during the outage.
    const samples = await scrape(jaeger.prometheusUrl);
    const workflowsInPrometheus = ['success', 'error']
      .map((status) => {
        try {
          return sampleValue(samples, prometheusName(WORKFLOW_EXECUTIONS_TOTAL_METRIC), { workflow_name: WORKFLOW, status });
        } catch {
          return 0;
        }
      })
      .reduce((sum, value) => sum + value, 0);
    await jaeger.stop();
    jaeger = undefined;

    const result: RunResult = {
      recordedInOutage,
      outageRuns: outage.runs,
      deliveredFromOutage,
      droppedCounted,
      slowestRunMs: outage.slowestRunMs,
      reconnectedMs,
      afterWorkflows: afterTraces.length,
      shutdownMs,
      heapGrowthMb,
      queuedAtOutageEnd,
      workflowsRecorded,
      workflowsInPrometheus,
    };
    console.log(
      `fault test (${label}): ${recordedInOutage} spans (${outage.runs} workflows) recorded during a ${outageMs / 1000} s outage, ` +
        `slowest run ${outage.slowestRunMs.toFixed(0)} ms, heap ${heapGrowthMb >= 0 ? '+' : ''}${heapGrowthMb.toFixed(1)} MB; ` +
        `${deliveredFromOutage} delivered after the restart (${((100 * deliveredFromOutage) / recordedInOutage).toFixed(1)} %), ${droppedCounted} dropped and counted; ` +
        `all of them in Jaeger ${reconnectedMs.toFixed(0)} ms after it restarted; ${afterTraces.length}/${RUNS_PER_PHASE} workflows after it delivered; ` +
        `workflow.executions.total ${workflowsInPrometheus} in Prometheus, ${workflowsRecorded} recorded; shutdown took ${shutdownMs.toFixed(0)} ms`,
    );
    return result;
  }

  it('delivers at least 99 % of the spans recorded during a 15 s outage once Jaeger is back, with metrics right', async () => {
    const run = await outageRun('default queue', OUTAGE_MS, {});
    expect(run.slowestRunMs).toBeLessThan(SLOWEST_RUN_BOUND_MS);
    expect(run.heapGrowthMb).toBeLessThan(HEAP_GROWTH_BOUND_MB);
    expect(run.queuedAtOutageEnd).toBeLessThanOrEqual(TELEMETRY_DEFAULTS.retryQueueMaxSpans);
    expect(run.deliveredFromOutage / run.recordedInOutage).toBeGreaterThanOrEqual(0.99);
    // Whatever did not arrive was dropped, and counted.
    expect(run.deliveredFromOutage).toBe(run.recordedInOutage - run.droppedCounted);
    expect(run.afterWorkflows).toBe(RUNS_PER_PHASE);
    expect(run.workflowsRecorded).toBe(2 * RUNS_PER_PHASE + run.outageRuns);
    expect(run.workflowsInPrometheus).toBe(run.workflowsRecorded);
    expect(run.shutdownMs).toBeLessThan(TELEMETRY_DEFAULTS.shutdownTimeoutMillis + 1_000);
  });

  it('delivers at least 99 % of a 15 s outage with content capture on and 4000-character prompts and completions', async () => {
    const run = await outageRun('content capture, 4000-character texts', OUTAGE_MS, { captureContent: true, retryQueueMaxBytes: CAPTURE_QUEUE_BYTES }, CAPTURED_TEXT_LENGTH);
    expect(run.slowestRunMs).toBeLessThan(SLOWEST_RUN_BOUND_MS);
    expect(run.heapGrowthMb).toBeLessThan(HEAP_GROWTH_BOUND_MB);
    expect(run.deliveredFromOutage / run.recordedInOutage).toBeGreaterThanOrEqual(0.99);
    expect(run.deliveredFromOutage).toBe(run.recordedInOutage - run.droppedCounted);
    expect(run.afterWorkflows).toBe(RUNS_PER_PHASE);
    expect(run.workflowsInPrometheus).toBe(run.workflowsRecorded);
    expect(run.shutdownMs).toBeLessThan(TELEMETRY_DEFAULTS.shutdownTimeoutMillis + 1_000);
  });

  it('drops the oldest spans when the queue is too small for the outage, and counts every drop exactly', async () => {
    const run = await outageRun('small queue', SMALL_QUEUE_OUTAGE_MS, { retryQueueMaxSpans: SMALL_QUEUE_SPANS });
    expect(run.recordedInOutage).toBeGreaterThan(2 * SMALL_QUEUE_SPANS);
    expect(run.droppedCounted).toBeGreaterThan(0);
    expect(run.queuedAtOutageEnd).toBeLessThanOrEqual(SMALL_QUEUE_SPANS);
    expect(run.deliveredFromOutage).toBe(run.recordedInOutage - run.droppedCounted);
    expect(run.deliveredFromOutage).toBeLessThanOrEqual(SMALL_QUEUE_SPANS + SPAN_COUNT_PER_RUN);
    expect(run.afterWorkflows).toBe(RUNS_PER_PHASE);
    expect(run.workflowsInPrometheus).toBe(run.workflowsRecorded);
  });
});

interface Phase {
  readonly errors: unknown[];
}

interface Outage {
  readonly runs: number;
  readonly errors: unknown[];
  readonly slowestRunMs: number;
}

/** A workflow run started every few ms for the whole outage, as a busy application would. */
async function recordDuringOutage(outageMs: number, textLength: number): Promise<Outage> {
  const errors: unknown[] = [];
  const running: Promise<void>[] = [];
  let slowestRunMs = 0;
  const started = performance.now();
  while (performance.now() - started < outageMs) {
    const runStarted = performance.now();
    running.push(
      runResearchWorkflow(`outage ${running.length}`, textLength).then(
        () => {
          slowestRunMs = Math.max(slowestRunMs, performance.now() - runStarted);
        },
        (error: unknown) => {
          errors.push(error);
        },
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_RUN_INTERVAL_MS));
  }
  await Promise.all(running);
  return { runs: running.length, errors, slowestRunMs };
}

/** Workflow runs tagged with their phase, so Jaeger's copy tells which phase it came from. */
async function recordPhase(phase: string, textLength: number): Promise<Phase> {
  const errors: unknown[] = [];
  await Promise.all(
    Array.from({ length: RUNS_PER_PHASE }, (_, run) =>
      runResearchWorkflow(`${phase} ${run}`, textLength).catch((error: unknown) => {
        errors.push(error);
      }),
    ),
  );
  return { errors };
}

/** The phase a trace was recorded in: its failed tool call's exception names the question, which starts with the phase. */
function phaseOf(trace: JaegerTrace): string | undefined {
  const text = JSON.stringify(trace.spans.map((span) => span.logs));
  return ['before', 'outage', 'after'].find((phase) => text.includes(`"${phase} `) || text.includes(`\\"${phase} `));
}

/**
 * Waits until the restarted Jaeger holds the outage's spans the kit did not
 * drop (the retry queue resends them once gRPC has reconnected, on its own
 * backoff), or the deadline passes; returns the outage traces then.
 */
async function untilOutageDelivered(jaeger: Jaeger, service: string, expected: () => Promise<number>): Promise<JaegerTrace[]> {
  const started = performance.now();
  for (;;) {
    // Nothing of the after phase is recorded yet: everything in the restarted Jaeger is from the outage.
    const outage = await jaegerTraces(jaeger.queryUrl, service);
    if (spansOf(outage).length >= (await expected()) || performance.now() - started > DELIVERY_DEADLINE_MS) return outage;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
