/**
 * consoleExport: by default a compact format (a span tree per batch, a line
 * per metric point, through console.log); `consoleFormat: 'raw'` prints the
 * SDK's console exporters' objects (through console.dir).
 */
import { DataPointType, type MetricData } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { withAgentToolSpan } from '../../src/generated/spans.ts';
import { formatMetrics } from '../../src/runtime/console.ts';
import { configureTelemetry, getMeter, getTracer, shutdownTelemetry } from '../../src/runtime/configure.ts';
import { useCleanTelemetryState } from '../support/telemetry-env.ts';

useCleanTelemetryState();

afterEach(() => {
  vi.restoreAllMocks();
});

interface PrintedSpan {
  name?: string;
  attributes?: Record<string, unknown>;
  resource?: { attributes?: Record<string, unknown> };
}
interface PrintedMetric {
  descriptor?: { name?: string; unit?: string };
  dataPoints?: Array<{ value?: unknown; attributes?: Record<string, unknown> }>;
}

function printedItems(spy: { mock: { calls: unknown[][] } }): unknown[] {
  return spy.mock.calls.map((call) => call[0]);
}

describe('console export', () => {
  it('prints a span tree and one line per metric point by default, not the raw objects', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const dir = vi.spyOn(console, 'dir').mockImplementation(() => {});
    const handle = configureTelemetry({ consoleExport: true, serviceName: 'console-test', logLevel: 'none' });
    expect(handle?.settings.consoleFormat).toBe('compact');
    const tracer = getTracer();
    tracer?.startActiveSpan('console.test.parent', (parent) => {
      tracer.startSpan('console.test.child', { attributes: { 'test.kind': 'console', 'test.note': 'two words' } }).end();
      parent.end();
    });
    getMeter()?.createHistogram('console.test.duration', { unit: 'ms' }).record(12.5, { step: 'one' });
    getMeter()?.createCounter('console.test.calls', { unit: '{call}' }).add(2, { step: 'one' });

    await shutdownTelemetry();

    const printed = log.mock.calls.map((call) => String(call[0])).join('\n').split('\n');
    expect(dir).not.toHaveBeenCalled();
    const parentLine = printed.findIndex((line) => /^ {2}console\.test\.parent {2}[\d.e-]+ ms$/.test(line));
    expect(parentLine).toBeGreaterThan(0);
    expect(printed[parentLine - 1]).toMatch(/^trace [0-9a-f]{32}$/);
    expect(printed[parentLine + 1]).toMatch(/^ {4}console\.test\.child {2}[\d.e-]+ ms {2}test\.kind=console test\.note="two words"$/);
    expect(printed).toContain('console.test.calls {step=one} 2 {call}');
    expect(printed).toContain('console.test.duration {step=one} count=1 sum=12.5 ms');
  });

  it("prints the SDK exporters' objects with consoleFormat: 'raw'", async () => {
    const dir = vi.spyOn(console, 'dir').mockImplementation(() => {});
    configureTelemetry({ consoleExport: true, consoleFormat: 'raw', serviceName: 'console-test', metricExportIntervalMillis: 100, logLevel: 'none' });
    getTracer()?.startSpan('console.test.span', { attributes: { 'test.kind': 'console' } }).end();
    getMeter()?.createHistogram('console.test.duration', { unit: 'ms' }).record(12.5, { step: 'one' });

    await shutdownTelemetry();

    const items = printedItems(dir);
    const span = items.find((item): item is PrintedSpan => (item as PrintedSpan).name === 'console.test.span');
    expect(span?.attributes).toEqual({ 'test.kind': 'console' });
    expect(span?.resource?.attributes?.['service.name']).toBe('console-test');

    const metric = items.find(
      (item): item is PrintedMetric => (item as PrintedMetric).descriptor?.name === 'console.test.duration',
    );
    expect(metric?.descriptor?.unit).toBe('ms');
    expect(metric?.dataPoints?.[0]?.attributes).toEqual({ step: 'one' });
  });

  it('takes the format from FLO_CONSOLE_FORMAT when the option is not given', () => {
    process.env.FLO_CONSOLE_FORMAT = 'RAW';
    expect(configureTelemetry({ consoleExport: true, logLevel: 'none' })?.settings.consoleFormat).toBe('raw');
  });

  it('prints nothing unless asked', async () => {
    const dir = vi.spyOn(console, 'dir').mockImplementation(() => {});
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    configureTelemetry({ logLevel: 'none' });
    getTracer()?.startSpan('console.test.silent').end();
    await shutdownTelemetry();
    expect(dir).not.toHaveBeenCalled();
    expect(log).not.toHaveBeenCalled();
  });
});

describe('the compact format', () => {
  /** What the console export printed, line by line. */
  function printedLines(log: { mock: { calls: unknown[][] } }): string[] {
    return log.mock.calls.map((call) => String(call[0])).join('\n').split('\n');
  }

  it('prints each metric data point once, under a header, however many exports follow (forceFlush, shutdown)', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const handle = configureTelemetry({ consoleExport: true, serviceName: 'console-test', logLevel: 'none' });
    const calls = getMeter()?.createCounter('console.test.calls', { unit: '{call}' });
    calls?.add(2, { step: 'one' });
    calls?.add(1, { step: 'two' });
    await handle?.forceFlush();
    calls?.add(3, { step: 'two' });
    await handle?.forceFlush();
    await shutdownTelemetry();
    const printed = printedLines(log);
    expect(printed.filter((line) => line.startsWith('console.test.calls') || line.startsWith('metrics: '))).toEqual([
      'metrics: 2 of 2 data points changed since the last export (cumulative values)',
      'console.test.calls {step=one} 2 {call}',
      'console.test.calls {step=two} 1 {call}',
      'metrics: 1 of 2 data points changed since the last export (cumulative values)',
      'console.test.calls {step=two} 4 {call}',
    ]);
  });

  it('shows durations with significant digits: 0.4 ms in seconds is not 0', () => {
    const metric = { descriptor: { name: 'gen_ai.client.operation.duration', unit: 's' }, dataPointType: DataPointType.HISTOGRAM, dataPoints: [{ attributes: {}, value: { count: 1, sum: 0.0004123 } }] };
    expect(formatMetrics([metric as unknown as MetricData])).toEqual(['gen_ai.client.operation.duration {} count=1 sum=0.0004123 s']);
  });

  it('hides a GenAI key only where a key of the spec on the span carries the same value as its equivalent', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    configureTelemetry({ consoleExport: true, serviceName: 'console-test', logLevel: 'none' });
    const attributes = {
      'llm.model': 'gpt-4o',
      'gen_ai.request.model': 'gpt-4o', // the twin of llm.model: hidden
      'llm.provider': 'gemini',
      'gen_ai.provider.name': 'gcp.gemini', // names llm.provider's equivalent, but another value: shown
      'llm.stream.time_to_first_chunk_ms': 250,
      'gen_ai.response.time_to_first_chunk': 0.25, // the twin, scaled to seconds: hidden
      'gen_ai.data_source.id': 'kb-7', // no key of the spec names it: shown
    };
    getTracer()?.startSpan('console.test.twins', { attributes }).end();
    await shutdownTelemetry();
    const line = printedLines(log).find((printed) => printed.includes('console.test.twins')) ?? '';
    expect(line.replace(/ {2}[\d.]+ ms/, '')).toBe(
      '  console.test.twins  llm.model=gpt-4o llm.provider=gemini gen_ai.provider.name=gcp.gemini llm.stream.time_to_first_chunk_ms=250 gen_ai.data_source.id=kb-7',
    );
  });

  it('names the error type of an error span whose message is withheld', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    configureTelemetry({ consoleExport: true, serviceName: 'console-test', logLevel: 'none' });
    // The default error-message policy keeps an application error's message out of telemetry.
    class LedgerTimeout extends Error {}
    const failing = () =>
      withAgentToolSpan({ toolName: 'lookup', agentName: 'billing' }, () => {
        throw new LedgerTimeout('customer 42 not found');
      });
    expect(failing).toThrow(LedgerTimeout);
    await shutdownTelemetry();
    const line = printedLines(log).find((printed) => printed.includes('lookup')) ?? '';
    expect(line).toMatch(/ {2}ERROR\(LedgerTimeout\) {2}/);
    expect(line).not.toContain('customer 42');
  });
});
