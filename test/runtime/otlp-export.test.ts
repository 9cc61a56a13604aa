/**
 * Real OTLP gRPC export to a real gRPC server in the test process: what the
 * collector receives (spans, metrics, resource, headers), over plaintext and
 * over TLS.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { SCOPE_NAME } from '../../src/generated/scope.ts';
import { configureTelemetry, getMeter, getTracer, shutdownTelemetry } from '../../src/runtime/configure.ts';
import { traceAgentRun, traceLlmCall, traceLlmStream } from '../../src/instrumentation/index.ts';
import { closedPort, startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.ts';
import { captureDiagLines, useCleanTelemetryState } from '../support/telemetry-env.ts';

useCleanTelemetryState();

const CERT_PATH = fileURLToPath(new URL('./fixtures/test-only-cert.pem', import.meta.url));
const KEY_PATH = fileURLToPath(new URL('./fixtures/test-only-key.pem', import.meta.url));

let receivers: OtlpReceiver[] = [];
afterEach(async () => {
  await Promise.all(receivers.map((receiver) => receiver.close()));
  receivers = [];
});

async function receiver(options?: Parameters<typeof startOtlpReceiver>[0]): Promise<OtlpReceiver> {
  const started = await startOtlpReceiver(options);
  receivers.push(started);
  return started;
}

/** Emits one span and one counter point through the kit's tracer and meter. */
function emitTestTelemetry(): void {
  const span = getTracer()?.startSpan('otlp.test.span', { attributes: { 'test.answer': 42, 'test.label': 'hello' } });
  span?.end();
  getMeter()?.createCounter('otlp.test.counter').add(3, { outcome: 'ok' });
}

describe('OTLP gRPC export', () => {
  it('forceFlush resolves once every span recorded before it reached the collector, batches beyond the first included', async () => {
    const collector = await receiver();
    const handle = configureTelemetry({ serviceName: 'flush-test', otlpEndpoint: collector.url, logLevel: 'none' });
    // Three batches of the batch processor (512 spans each), which hands them to the retry queue at once.
    for (let index = 0; index < 1500; index += 1) getTracer()?.startSpan(`flush.${index}`).end();
    await handle?.forceFlush();
    expect(collector.spans.filter((span) => span.name.startsWith('flush.'))).toHaveLength(1500);
    await shutdownTelemetry();
  });

  it('delivers spans and metrics with the resource and the configured headers', async () => {
    const collector = await receiver();
    process.env.OTEL_EXPORTER_OTLP_HEADERS = 'x-from-env=env-value,x-tenant=from-env';
    configureTelemetry({
      serviceName: 'export-test',
      serviceVersion: '3.2.1',
      environment: 'staging',
      otlpEndpoint: collector.url,
      otlpHeaders: { authorization: 'Bearer test-token', 'X-Tenant': 'acme' },
      metricExportIntervalMillis: 200,
      logLevel: 'none',
    });
    emitTestTelemetry();
    await shutdownTelemetry(); // flushes both signals

    const span = collector.spans.find((received) => received.name === 'otlp.test.span');
    expect(span).toBeDefined();
    expect(span?.attributes).toEqual({ 'test.answer': 42, 'test.label': 'hello' });
    expect(span?.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(span?.scope.name).toBe(SCOPE_NAME);
    expect(span?.resource).toMatchObject({
      'service.name': 'export-test',
      'service.version': '3.2.1',
      'deployment.environment.name': 'staging',
    });
    // The deprecated key is no longer written.
    expect(span?.resource['deployment.environment']).toBeUndefined();

    const counter = collector.metrics.find((received) => received.name === 'otlp.test.counter');
    expect(counter?.kind).toBe('sum');
    expect(counter?.dataPoints).toEqual([{ attributes: { outcome: 'ok' }, value: 3, count: undefined }]);
    expect(counter?.resource['service.name']).toBe('export-test');

    expect(collector.metadata.length).toBeGreaterThanOrEqual(2);
    for (const metadata of collector.metadata) {
      expect(metadata.get('authorization')).toEqual(['Bearer test-token']);
      // Per header name: the option wins over OTEL_EXPORTER_OTLP_HEADERS, which still adds its own.
      expect(metadata.get('x-tenant')).toEqual(['acme']);
      expect(metadata.get('x-from-env')).toEqual(['env-value']);
      expect(String(metadata.get('user-agent')[0])).toContain('OTel-OTLP-Exporter-JavaScript');
    }
  });

  it('exports periodically, without a shutdown', async () => {
    const collector = await receiver();
    configureTelemetry({ otlpEndpoint: collector.url, metricExportIntervalMillis: 100, logLevel: 'none' });
    emitTestTelemetry();
    await expect
      .poll(() => collector.metrics.some((metric) => metric.name === 'otlp.test.counter'), { timeout: 5000, interval: 50 })
      .toBe(true);
    // Spans leave on the batch processor's schedule (scheduledDelayMillis).
    await expect
      .poll(() => collector.spans.some((span) => span.name === 'otlp.test.span'), { timeout: 5000, interval: 50 })
      .toBe(true);
  });

  it('uses FLO_OTLP_ENDPOINT over OTEL_EXPORTER_OTLP_ENDPOINT', async () => {
    const collector = await receiver();
    process.env.FLO_OTLP_ENDPOINT = collector.url;
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${await closedPort()}`;
    configureTelemetry({ logLevel: 'none' });
    emitTestTelemetry();
    await shutdownTelemetry();
    expect(collector.spans.map((span) => span.name)).toContain('otlp.test.span');
  });

  it('exports to the console and OTLP at the same time', async () => {
    const collector = await receiver();
    const handle = configureTelemetry({ otlpEndpoint: collector.url, consoleExport: true, consoleFormat: 'raw', logLevel: 'none' });
    expect(handle?.settings).toMatchObject({ otlpEndpoint: collector.url, consoleExport: true });
    const printed: unknown[] = [];
    const originalDir = console.dir;
    console.dir = (item: unknown) => void printed.push(item);
    try {
      emitTestTelemetry();
      await shutdownTelemetry();
    } finally {
      console.dir = originalDir;
    }
    expect(collector.spans.map((span) => span.name)).toContain('otlp.test.span');
    expect(printed).toContainEqual(expect.objectContaining({ name: 'otlp.test.span' }));
  });
});

describe('OTLP export with content capture, to a collector with gRPC\'s default 4 MiB receive limit', () => {
  it('delivers 1000 LLM calls with 4000-character prompts and completions, in requests the collector accepts', async () => {
    const collector = await receiver();
    const diagnostics = captureDiagLines();
    const handle = configureTelemetry({ serviceName: 'capture-burst', otlpEndpoint: collector.url, captureContent: true, diagLogger: diagnostics.logger, logLevel: 'warn' });
    for (let index = 0; index < 1000; index += 1) {
      const prompt = `${index} `.padEnd(4000, 'Summarise the ticket for the support agent. ');
      await traceLlmCall({ provider: 'openai', model: 'gpt-4o', prompt }, async () => ({
        model: 'gpt-4o',
        choices: [{ message: { role: 'assistant', content: `${-index} `.padEnd(4000, 'The customer asks for a refund. ') }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 900, completion_tokens: 900 },
      }));
    }
    await handle?.forceFlush();
    const delivered = collector.spans.filter((span) => span.name === 'chat gpt-4o');
    expect(delivered).toHaveLength(1000);
    expect(collector.rejectedCalls).toBe(0);
    expect(String(delivered[0]?.attributes['llm.request.content'])).toHaveLength(4000);
    expect(diagnostics.text()).not.toContain('RESOURCE_EXHAUSTED');
    await shutdownTelemetry();
  }, 60_000);
});

describe('export calls as a gRPC server sees them', () => {
  it('carry no deadline a grpc-js server cannot time: a collector taking a second a request gets each span once', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => void warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      // grpc-js servers time a call's grpc-timeout with setTimeout after `| 0`: beyond 2^31 ms it wraps.
      const collector = await receiver({ answerAfterMillis: 1_000 });
      const handle = configureTelemetry({ otlpEndpoint: collector.url, logLevel: 'none', metrics: false });
      for (let index = 0; index < 600; index += 1) getTracer()?.startSpan(`slow.${index}`).end();
      await handle?.forceFlush();
      expect(collector.spans.filter((span) => span.name.startsWith('slow.'))).toHaveLength(600);
      expect(warnings).toEqual([]);
      await shutdownTelemetry();
    } finally {
      process.off('warning', onWarning);
    }
  }, 20_000);
});

describe('configureTelemetry() again while work is in flight', () => {
  const reply = { model: 'gpt-4o', choices: [{ message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }], usage: { prompt_tokens: 3, completion_tokens: 1 } };

  async function* chunks(): AsyncGenerator<{ choices: Array<{ delta: { content: string } }> }> {
    for (const word of ['one', ' two', ' three']) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      yield { choices: [{ delta: { content: word } }] };
    }
  }

  it('exports, through the session that started them, the calls and the half-read stream that end after the next session was built', async () => {
    const collector = await receiver();
    configureTelemetry({ serviceName: 'first-session', otlpEndpoint: collector.url, logLevel: 'none' });
    let release = (): void => {};
    const answered = new Promise<void>((resolve) => (release = resolve));
    const calls = Array.from({ length: 5 }, () =>
      traceLlmCall({ provider: 'openai', model: 'gpt-4o' }, async () => {
        await answered;
        return reply;
      }),
    );
    const stream = traceLlmStream({ provider: 'openai', model: 'gpt-4o' }, () => chunks())[Symbol.asyncIterator]();
    await stream.next();

    configureTelemetry({ serviceName: 'second-session', otlpEndpoint: collector.url, logLevel: 'none' });
    release();
    await Promise.all(calls);
    while (!(await stream.next()).done) {
      // Read to the end, in the second session.
    }
    await shutdownTelemetry();
    const first = collector.spans.filter((span) => span.resource['service.name'] === 'first-session');
    expect(first.map((span) => span.name).sort()).toEqual(Array.from({ length: 6 }, () => 'chat gpt-4o'));
    expect(collector.spans.filter((span) => span.resource['service.name'] === 'second-session')).toEqual([]);
  });

  it('loses no agent span over six reconfigures during 300 agent runs', async () => {
    const collector = await receiver();
    const options = { otlpEndpoint: collector.url, logLevel: 'none' as const };
    configureTelemetry(options);
    const runs: Promise<unknown>[] = [];
    for (let index = 0; index < 300; index += 1) {
      runs.push(
        traceAgentRun({ name: 'planner', type: 'conversational', provider: 'openai' }, async () => {
          await new Promise((resolve) => setTimeout(resolve, 5 + (index % 7) * 3));
          return 'planned';
        }),
      );
      if (index % 50 === 49) configureTelemetry(options);
      if (index % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await Promise.all(runs);
    await shutdownTelemetry();
    expect(collector.spans.filter((span) => span.name === 'invoke_agent planner')).toHaveLength(300);
  });

  it('reports by count the spans a replaced session started that never end, when telemetry shuts down', async () => {
    const diagnostics = captureDiagLines();
    configureTelemetry({ diagLogger: diagnostics.logger, logLevel: 'warn' });
    getTracer()?.startSpan('never.ended');
    getTracer()?.startSpan('never.ended.either');
    configureTelemetry({ diagLogger: diagnostics.logger, logLevel: 'warn' });
    await shutdownTelemetry();
    expect(diagnostics.text()).toContain('2 spans started before telemetry was reconfigured or shut down had not ended');
  });
});

describe('what the kit says about export, and when', () => {
  it('passes the exporters\' own warnings about bad OTEL_EXPORTER_OTLP_* values to its logger, once each', async () => {
    process.env.OTEL_EXPORTER_OTLP_TIMEOUT = '-5';
    process.env.OTEL_EXPORTER_OTLP_COMPRESSION = 'zip';
    process.env.OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE = 'sometimes';
    process.env.OTEL_EXPORTER_OTLP_CERTIFICATE = fileURLToPath(new URL('./fixtures/no-such-cert.pem', import.meta.url));
    const diagnostics = captureDiagLines();
    configureTelemetry({ otlpEndpoint: `https://localhost:${await closedPort()}`, diagLogger: diagnostics.logger, logLevel: 'warn' });
    const once = (fragment: string) => diagnostics.lines.filter((line) => line.includes(fragment));
    expect(once('OTEL_EXPORTER_OTLP_TIMEOUT is invalid')).toHaveLength(1);
    expect(once('OTEL_EXPORTER_OTLP_COMPRESSION is invalid')).toHaveLength(1);
    expect(once('OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE')).toHaveLength(1);
    expect(once('Failed to read root certificate file')).toHaveLength(1);
    await shutdownTelemetry();
  });

  it('warns once when metric exports start failing and once when they work again, and logs no error in between', async () => {
    const port = await closedPort();
    const diagnostics = captureDiagLines();
    configureTelemetry({ otlpEndpoint: `http://127.0.0.1:${port}`, metricExportIntervalMillis: 100, diagLogger: diagnostics.logger, logLevel: 'warn' });
    getMeter()?.createCounter('outage.test.counter').add(1);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(diagnostics.lines.filter((line) => line.includes('metric export failed'))).toHaveLength(1);
    const collector = await receiver({ port });
    const worksAgain = () => diagnostics.lines.filter((line) => line.includes('metric export works again'));
    // The collector has the points before the exporter has its answer: wait for what the kit says.
    for (let waited = 0; waited < 10_000 && worksAgain().length === 0; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // More successful exports, which say nothing.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(collector.metrics.some((metric) => metric.name === 'outage.test.counter')).toBe(true);
    expect(worksAgain()).toHaveLength(1);
    expect(diagnostics.lines.filter((line) => line.startsWith('error'))).toEqual([]);
    await shutdownTelemetry();
  }, 30_000);
});

describe('OTLP over TLS', () => {
  it('uses TLS for https:// endpoints, trusting OTEL_EXPORTER_OTLP_CERTIFICATE', async () => {
    const collector = await receiver({ tls: { key: readFileSync(KEY_PATH), cert: readFileSync(CERT_PATH) } });
    expect(collector.url).toMatch(/^https:/);
    process.env.OTEL_EXPORTER_OTLP_CERTIFICATE = CERT_PATH;
    configureTelemetry({ otlpEndpoint: collector.url, logLevel: 'none' });
    emitTestTelemetry();
    await shutdownTelemetry();
    expect(collector.spans.map((span) => span.name)).toContain('otlp.test.span');
    expect(collector.metrics.map((metric) => metric.name)).toContain('otlp.test.counter');
  });

  it('speaks plaintext for http://, which a TLS collector refuses', async () => {
    const collector = await receiver({ tls: { key: readFileSync(KEY_PATH), cert: readFileSync(CERT_PATH) } });
    const diagnostics = captureDiagLines();
    configureTelemetry({
      otlpEndpoint: collector.url.replace('https:', 'http:'),
      diagLogger: diagnostics.logger,
      shutdownTimeoutMillis: 3000,
    });
    emitTestTelemetry();
    await shutdownTelemetry();
    expect(collector.spans).toEqual([]);
    expect(diagnostics.text()).toMatch(/UNAVAILABLE|failed/);
  });

  it('does not fall back to plaintext for https:// against a plaintext collector', async () => {
    const collector = await receiver();
    const diagnostics = captureDiagLines();
    configureTelemetry({
      otlpEndpoint: collector.url.replace('http://127.0.0.1', 'https://localhost'),
      diagLogger: diagnostics.logger,
      shutdownTimeoutMillis: 3000,
    });
    emitTestTelemetry();
    await shutdownTelemetry();
    expect(collector.spans).toEqual([]);
    expect(collector.metadata).toEqual([]);
  });
});
