/**
 * consoleExport: spans and metrics printed by the SDK's console exporters
 * (both print through console.dir).
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
  it('prints spans and metrics', async () => {
    const dir = vi.spyOn(console, 'dir').mockImplementation(() => {});
    configureTelemetry({ consoleExport: true, serviceName: 'console-test', metricExportIntervalMillis: 100, logLevel: 'none' });
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
