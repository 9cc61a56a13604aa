/**
 * A collector that is not there, or refuses everything: the application's
 * call path never throws, memory stays bounded by the queue, shutdown still
 * returns within its bound, and header values never reach the logs.
 */
import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { configureTelemetry, getMeter, getTracer, shutdownTelemetry } from '../../src/runtime/configure.ts';
import { SPAN_BATCH_LIMITS } from '../../src/runtime/exporters.ts';
import { closedPort, startOtlpReceiver, startSilentCollector, type OtlpReceiver } from '../support/otlp-receiver.ts';
import { captureDiagLines, useCleanTelemetryState } from '../support/telemetry-env.ts';

useCleanTelemetryState();

const TOKEN = 'faulty-collector-s3cr3t-token';
const SHUTDOWN_BOUND_MILLIS = 2000;
/** Generous: this checks a functional bound, not performance. */
const SLACK_MILLIS = 1500;

let receiver: OtlpReceiver | undefined;
let closeAfterTest: (() => Promise<void>) | undefined;
afterEach(async () => {
  await receiver?.close();
  await closeAfterTest?.();
  receiver = undefined;
  closeAfterTest = undefined;
});

/** Ends `count` spans and records a metric each, as application code would; returns whether anything threw. */
function emitLoad(count: number): unknown {
  try {
    const tracer = getTracer();
    const counter = getMeter()?.createCounter('faulty.test.requests');
    for (let index = 0; index < count; index += 1) {
      tracer?.startSpan('faulty.test.span', { attributes: { index } }).end();
      counter?.add(1, { route: `r${index % 10}` });
    }
    return undefined;
  } catch (error) {
    return error;
  }
}

describe('against a closed port', () => {
  it('takes 10,000 spans without throwing, drops beyond the queue bound, and shuts down in time', async () => {
    const diagnostics = captureDiagLines();
    configureTelemetry({
      otlpEndpoint: `http://127.0.0.1:${await closedPort()}`,
      otlpHeaders: { authorization: `Bearer ${TOKEN}` },
      metricExportIntervalMillis: 100,
      shutdownTimeoutMillis: SHUTDOWN_BOUND_MILLIS,
      diagLogger: diagnostics.logger,
      logLevel: 'debug',
    });

    expect(emitLoad(10_000)).toBeUndefined();
    // Let periodic metric exports fail a few times too.
    await new Promise((resolve) => setTimeout(resolve, 300));

    const started = performance.now();
    await expect(shutdownTelemetry()).resolves.toBeUndefined();
    expect(performance.now() - started).toBeLessThan(SHUTDOWN_BOUND_MILLIS + SLACK_MILLIS);

    const log = diagnostics.text();
    // The queue bound engaged: spans beyond maxQueueSize were dropped, not buffered.
    expect(log).toContain('maxQueueSize reached, dropping spans');
    // Exports were really attempted and failed...
    expect(log).toMatch(/ECONNREFUSED|UNAVAILABLE/);
    // ...and nothing logged the token, even at debug level.
    expect(log).not.toContain(TOKEN);
  });

});

describe('against a collector that never answers', () => {
  it('keeps the call path free of network waits, and still shuts down in time', async () => {
    const silent = await startSilentCollector();
    closeAfterTest = silent.close;
    const diagnostics = captureDiagLines();
    configureTelemetry({
      otlpEndpoint: silent.url,
      diagLogger: diagnostics.logger,
      metricExportIntervalMillis: 100,
      shutdownTimeoutMillis: 500,
    });
    const started = performance.now();
    // Three full batches: each triggers an export, none of which will ever complete.
    expect(emitLoad(SPAN_BATCH_LIMITS.maxExportBatchSize * 3)).toBeUndefined();
    // Functional bound, very generous: the loop never blocks on an export deadline (10 s).
    expect(performance.now() - started).toBeLessThan(5000);

    const shutdownStarted = performance.now();
    await shutdownTelemetry();
    expect(performance.now() - shutdownStarted).toBeLessThan(500 + SLACK_MILLIS);
    // The bound, not the collector, ended the wait.
    expect(diagnostics.text()).toContain('did not finish within 500 ms');
  });
});

describe('against a refusing collector', () => {
  it('reports the rejection through diag, never to the application', async () => {
    receiver = await startOtlpReceiver({ rejectWith: grpc.status.UNAUTHENTICATED });
    const diagnostics = captureDiagLines();
    configureTelemetry({
      otlpEndpoint: receiver.url,
      otlpHeaders: { authorization: `Bearer ${TOKEN}` },
      diagLogger: diagnostics.logger,
      logLevel: 'all',
      shutdownTimeoutMillis: SHUTDOWN_BOUND_MILLIS,
    });
    expect(emitLoad(50)).toBeUndefined();
    await expect(shutdownTelemetry()).resolves.toBeUndefined();
    expect(receiver.rejectedCalls).toBeGreaterThan(0);
    // The collector did see the header (it is what it rejected)...
    expect(receiver.metadata[0]?.get('authorization')).toEqual([`Bearer ${TOKEN}`]);
    // ...the logs say why, and never show it.
    expect(diagnostics.text()).toContain('UNAUTHENTICATED');
    expect(diagnostics.text()).not.toContain(TOKEN);
  });
});
