/**
 * Jaeger goes away while the application keeps recording, then comes back.
 * The application must neither throw nor stall, and once Jaeger answers
 * again new spans must arrive. How many spans of the outage were delivered
 * or dropped is printed: the batch processor retries a little, then drops.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { configureTelemetry, getTracer, shutdownTelemetry, TELEMETRY_DEFAULTS } from '../../src/index.ts';
import { freePort, integrationEnabled, jaegerTraces, spansOf, startJaeger, waitForSpans, type Jaeger, type JaegerTrace } from './support/jaeger.ts';
import { SPAN_COUNT_PER_RUN, WORKFLOW, runResearchWorkflow } from './support/workload.ts';

const SERVICE = `flo-fault-${randomUUID().slice(0, 8)}`;
const RUNS_PER_PHASE = 20;
/** Long enough for the exporter's retries to give up and its queue (2048 spans) to overflow. */
const OUTAGE_MS = 15_000;
const OUTAGE_RUN_INTERVAL_MS = 40;
/** Generous: a run takes a few ms of timers; one stalled by export would take the gRPC deadline (10 s) or forever. */
const SLOWEST_RUN_BOUND_MS = 2_000;

const enabled = await integrationEnabled();

describe.skipIf(!enabled)('Jaeger stopped and restarted while the application records', () => {
  let jaeger: Jaeger | undefined;
  afterAll(async () => {
    await shutdownTelemetry();
    await jaeger?.stop();
  });

  it('never throws nor stalls, and delivers new spans once Jaeger is back', async () => {
    const ports = { otlpGrpc: await freePort(), query: await freePort() };
    jaeger = await startJaeger(ports);
    configureTelemetry({ serviceName: SERVICE, otlpEndpoint: jaeger.otlpEndpoint, logLevel: 'none', metricExportIntervalMillis: 1_000 });

    const before = await recordPhase('before');
    expect(before.errors).toEqual([]);
    const delivered = spansOf(await waitForSpans(jaeger.queryUrl, SERVICE, RUNS_PER_PHASE * SPAN_COUNT_PER_RUN)).length;
    expect(delivered).toBe(RUNS_PER_PHASE * SPAN_COUNT_PER_RUN);

    await jaeger.stop();
    const outage = await recordDuringOutage();
    expect(outage.errors).toEqual([]);
    expect(outage.slowestRunMs).toBeLessThan(SLOWEST_RUN_BOUND_MS);

    // Same host ports, fresh in-memory storage: whatever it holds arrived after the restart.
    jaeger = await startJaeger(ports);
    const reconnected = await untilDelivered(jaeger);
    const after = await recordPhase('after');
    expect(after.errors).toEqual([]);
    const shutdownStarted = performance.now();
    await shutdownTelemetry();
    const shutdownMs = performance.now() - shutdownStarted;
    expect(shutdownMs).toBeLessThan(TELEMETRY_DEFAULTS.shutdownTimeoutMillis + 1_000);

    const traces = await waitForSpans(jaeger.queryUrl, SERVICE, RUNS_PER_PHASE * SPAN_COUNT_PER_RUN + 1);
    const afterTraces = traces.filter((trace) => phaseOf(trace) === 'after');
    const outageSpans = spansOf(traces.filter((trace) => phaseOf(trace) === 'outage'));
    expect(afterTraces).toHaveLength(RUNS_PER_PHASE);
    expect(spansOf(afterTraces)).toHaveLength(RUNS_PER_PHASE * SPAN_COUNT_PER_RUN);

    const recordedInOutage = outage.runs * SPAN_COUNT_PER_RUN;
    console.log(
      `fault test: ${recordedInOutage} spans (${outage.runs} workflows) recorded during a ${OUTAGE_MS / 1000} s outage, slowest run ${outage.slowestRunMs.toFixed(0)} ms; ` +
        `${outageSpans.length} delivered after the restart, ${recordedInOutage - outageSpans.length} dropped; ` +
        `Jaeger answered again after ${reconnected.waitedMs.toFixed(0)} ms; ${afterTraces.length}/${RUNS_PER_PHASE} workflows after it delivered; ` +
        `shutdown took ${shutdownMs.toFixed(0)} ms`,
    );
  });
});

interface Phase {
  readonly errors: unknown[];
  readonly elapsedMs: number;
}

interface Outage {
  readonly runs: number;
  readonly errors: unknown[];
  readonly slowestRunMs: number;
}

/** A workflow run started every few ms for the whole outage, as a busy application would. */
async function recordDuringOutage(): Promise<Outage> {
  const errors: unknown[] = [];
  const running: Promise<void>[] = [];
  let slowestRunMs = 0;
  const started = performance.now();
  while (performance.now() - started < OUTAGE_MS) {
    const runStarted = performance.now();
    running.push(
      runResearchWorkflow(`outage ${running.length}`).then(
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

/** Workflow runs tagged with their phase on the root span, so Jaeger's copy tells which phase it came from. */
async function recordPhase(phase: string): Promise<Phase> {
  const errors: unknown[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: RUNS_PER_PHASE }, (_, run) =>
      runResearchWorkflow(`${phase} ${run}`).catch((error: unknown) => {
        errors.push(error);
      }),
    ),
  );
  return { errors, elapsedMs: performance.now() - started };
}

/** The phase a trace was recorded in: its failed tool call's exception names the question, which starts with the phase. */
function phaseOf(trace: JaegerTrace): string | undefined {
  const text = JSON.stringify(trace.spans.map((span) => span.logs));
  return ['before', 'outage', 'after'].find((phase) => text.includes(`"${phase} `) || text.includes(`\\"${phase} `));
}

/**
 * Sends a probe span each half second until one shows up in the restarted
 * Jaeger: the gRPC channel reconnects with backoff, on its own schedule.
 */
async function untilDelivered(jaeger: Jaeger): Promise<{ probes: number; waitedMs: number }> {
  const started = performance.now();
  let probes = 0;
  for (;;) {
    getTracer()?.startSpan('fault.probe').end();
    probes += 1;
    await new Promise((resolve) => setTimeout(resolve, 500));
    const arrived = spansOf(await jaegerTraces(jaeger.queryUrl, SERVICE)).length > 0;
    if (arrived) return { probes, waitedMs: performance.now() - started };
    if (performance.now() - started > 60_000) throw new Error(`no span reached the restarted Jaeger within 60 s (${probes} probes sent)`);
  }
}
