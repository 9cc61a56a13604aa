/**
 * consoleExport: by default a compact format (a span tree per batch, a line
 * per metric point, through console.log); `consoleFormat: 'raw'` prints the
 * SDK's console exporters' objects (through console.dir).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
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
    const parentLine = printed.findIndex((line) => /^ {2}console\.test\.parent {2}\d+\.\d ms$/.test(line));
    expect(parentLine).toBeGreaterThan(0);
    expect(printed[parentLine - 1]).toMatch(/^trace [0-9a-f]{32}$/);
    expect(printed[parentLine + 1]).toMatch(/^ {4}console\.test\.child {2}\d+\.\d ms {2}test\.kind=console test\.note="two words"$/);
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
