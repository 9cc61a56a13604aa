/**
 * The logs pipeline: a LoggerProvider beside the tracer and meter providers,
 * OTLP gRPC export to the same endpoint with the same headers, console export,
 * `logRecordProcessors`, `getLogger()`, flushed and shut down with the rest,
 * bounded like spans, and off with `logs: false`.
 */
import { context, logs, SeverityNumber, trace } from '@opentelemetry/api';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { configureTelemetry, getLogger, getTracer, shutdownTelemetry, TelemetryConfigError } from '../../src/runtime/index.ts';
import { currentBinding } from '../../src/runtime/binding.ts';
import { recordEvaluation, traceLlmCall } from '../../src/instrumentation/index.ts';
import { closedPort, startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.ts';
import { useCleanTelemetryState } from '../support/telemetry-env.ts';

useCleanTelemetryState();

let receiver: OtlpReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

describe('the logs pipeline', () => {
  it('emits log records with the session resource and the active span context to logRecordProcessors', async () => {
    const memory = new InMemoryLogRecordExporter();
    configureTelemetry({ serviceName: 'logs-test', logLevel: 'none', logRecordProcessors: [new SimpleLogRecordProcessor({ exporter: memory })] });
    const span = getTracer()?.startSpan('around.the.event');
    context.with(trace.setSpan(context.active(), span!), () =>
      getLogger()?.emit({ eventName: 'demo.happened', severityNumber: SeverityNumber.WARN, attributes: { 'demo.count': 3 }, body: { said: 'hello' } }),
    );
    span?.end();
    const [record] = memory.getFinishedLogRecords();
    expect(record?.eventName).toBe('demo.happened');
    expect(record?.attributes).toEqual({ 'demo.count': 3 });
    expect(record?.body).toEqual({ said: 'hello' });
    expect(record?.resource.attributes['service.name']).toBe('logs-test');
    expect(record?.spanContext?.spanId).toBe(span?.spanContext().spanId);
    expect(record?.instrumentationScope.name).toBe('flo_ai');
    expect(currentBinding()?.loggerProvider).toBeDefined();
  });

  it('exports over OTLP gRPC to the same endpoint, with the configured and the OTEL_EXPORTER_OTLP_LOGS_HEADERS headers, flushed by forceFlush', async () => {
    receiver = await startOtlpReceiver();
    process.env.OTEL_EXPORTER_OTLP_LOGS_HEADERS = 'x-logs-only=yes';
    const handle = configureTelemetry({ serviceName: 'logs-otlp', otlpEndpoint: receiver.url, otlpHeaders: { 'x-tenant': 'acme' }, logLevel: 'none' });
    getLogger()?.emit({ eventName: 'demo.exported', attributes: { n: 1 } });
    await handle?.forceFlush();
    expect(receiver.logs.map((record) => [record.eventName, record.resource['service.name']])).toEqual([['demo.exported', 'logs-otlp']]);
    const logCalls = receiver.metadata.filter((metadata) => metadata.get('x-logs-only').length > 0);
    expect(logCalls.length).toBeGreaterThan(0);
    expect(logCalls[0]?.get('x-tenant')).toEqual(['acme']);
  });

  it('reports the log exporter’s own metrics in the unit the conventions give them ({log_record}, where the SDK says {log})', async () => {
    receiver = await startOtlpReceiver();
    const handle = configureTelemetry({ otlpEndpoint: receiver.url, logLevel: 'none', metricExportIntervalMillis: 600_000 });
    getLogger()?.emit({ eventName: 'demo.counted' });
    await handle?.forceFlush();
    await shutdownTelemetry();
    const units = Object.fromEntries(receiver.metrics.filter((metric) => metric.name.startsWith('otel.sdk.exporter.log.')).map((metric) => [metric.name, metric.unit]));
    expect(units).toEqual({ 'otel.sdk.exporter.log.inflight': '{log_record}', 'otel.sdk.exporter.log.exported': '{log_record}' });
  });

  it('delivers what is buffered at shutdown', async () => {
    receiver = await startOtlpReceiver();
    configureTelemetry({ otlpEndpoint: receiver.url, logLevel: 'none' });
    for (let index = 0; index < 10; index += 1) getLogger()?.emit({ eventName: 'demo.before.shutdown' });
    await shutdownTelemetry();
    expect(receiver.logs.filter((record) => record.eventName === 'demo.before.shutdown')).toHaveLength(10);
  });

  it('keeps every request under the byte budget: 200 records of 40 KB bodies reach a collector with the 4 MiB limit', async () => {
    receiver = await startOtlpReceiver();
    const handle = configureTelemetry({ otlpEndpoint: receiver.url, logLevel: 'none', metrics: false });
    for (let index = 0; index < 200; index += 1) getLogger()?.emit({ eventName: 'demo.large', body: { text: `${index} `.padEnd(40_000, 'details of the operation ') } });
    await handle?.forceFlush();
    expect(receiver.logs.filter((record) => record.eventName === 'demo.large')).toHaveLength(200);
    expect(receiver.rejectedCalls).toBe(0);
  });

  it('an unreachable logs endpoint (a closed port) never reaches the application, and shutdown ends within its bound', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    configureTelemetry({ otlpEndpoint: endpoint, logLevel: 'none', metrics: false, shutdownTimeoutMillis: 1_000 });
    expect(() => {
      for (let index = 0; index < 500; index += 1) recordEvaluation({ name: 'unreachable', scoreValue: index });
    }).not.toThrow();
    await expect(traceLlmCall({ provider: 'openai', model: 'gpt-4o' }, async () => Promise.reject(new RangeError('down')))).rejects.toThrow(RangeError);
    const started = performance.now();
    await shutdownTelemetry();
    expect(performance.now() - started).toBeLessThan(1_000 + 500);
  });

  it('prints compact lines to the console', async () => {
    const lines: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
    try {
      configureTelemetry({ consoleExport: true, logLevel: 'none', metrics: false });
      getLogger()?.emit({ eventName: 'demo.printed', severityText: 'WARN', attributes: { 'demo.count': 2 }, body: 'said once' });
      await shutdownTelemetry();
    } finally {
      spy.mockRestore();
    }
    expect(lines.join('\n')).toContain('event demo.printed  WARN  demo.count=2  body="said once"');
  });

  it('prints structured attribute values (an event’s messages) as JSON, not as [object Object]', async () => {
    const lines: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
    try {
      configureTelemetry({ consoleExport: true, logLevel: 'none', metrics: false });
      getLogger()?.emit({ eventName: 'demo.messages', attributes: { 'demo.messages': [{ role: 'user', parts: [{ type: 'text', content: 'hi' }] }], 'demo.bytes': new Uint8Array(3) } });
      await shutdownTelemetry();
    } finally {
      spy.mockRestore();
    }
    expect(lines.join('\n')).toContain('event demo.messages  demo.messages=[{"role":"user","parts":[{"type":"text","content":"hi"}]}] demo.bytes="<3 bytes>"');
  });

  it('is off with logs: false and FLO_LOGS=false: no logger, no global logger provider, processors refused', () => {
    configureTelemetry({ logs: false, logLevel: 'none' });
    expect(getLogger()).toBeUndefined();
    expect(currentBinding()?.loggerProvider).toBeUndefined();
    // Nothing registered: the application could register a provider of its own.
    const own = new LoggerProvider();
    expect(logs.setGlobalLoggerProvider(own)).toBe(true);
    logs.disable();
    process.env.FLO_LOGS = 'false';
    configureTelemetry({ logLevel: 'none' });
    expect(getLogger()).toBeUndefined();
    expect(() => configureTelemetry({ logLevel: 'none', logRecordProcessors: [new SimpleLogRecordProcessor({ exporter: new InMemoryLogRecordExporter() })] })).toThrow(TelemetryConfigError);
  });
});
