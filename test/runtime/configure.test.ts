/**
 * The lifecycle of configureTelemetry/shutdownTelemetry against the real
 * OpenTelemetry API globals. Tests in this file run one after the other and
 * each ends with telemetry shut down and the environment restored.
 */
import {
  ProxyTracerProvider,
  createNoopMeter,
  diag,
  metrics,
  trace,
  type Context,
} from '@opentelemetry/api';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { TracerProvider, type ReadableSpan, type Span, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { describe, expect, it, vi } from 'vitest';
import { ATTR_LLM_REQUEST_CONTENT } from '../../src/generated/attributes.ts';
import { SCOPE_NAME, SCOPE_VERSION } from '../../src/generated/scope.ts';
import { recordLlmRequestsTotal } from '../../src/generated/metrics.ts';
import { traceLlmCall } from '../../src/instrumentation/llm.ts';
import { traceToolCall, wrapToolCall } from '../../src/instrumentation/tool.ts';
import { currentBinding } from '../../src/runtime/binding.ts';
import {
  configureTelemetry,
  getMeter,
  getTracer,
  isTelemetryConfigured,
  shutdownTelemetry,
} from '../../src/runtime/configure.ts';
import { TelemetryConfigError } from '../../src/runtime/settings.ts';
import { captureDiagLines, useCleanTelemetryState } from '../support/telemetry-env.ts';

useCleanTelemetryState();

/** A span processor that remembers what it saw; `settle` controls how flush and shutdown end. */
function recordingProcessor(settle: () => Promise<void> = () => Promise.resolve()) {
  const ended: string[] = [];
  const processor = {
    onStart: vi.fn((_span: Span, _context: Context) => {}),
    onEnd: vi.fn((span: ReadableSpan) => {
      ended.push(span.name);
    }),
    forceFlush: vi.fn(settle),
    shutdown: vi.fn(settle),
  } satisfies SpanProcessor;
  return { processor, ended };
}

class RecordingMetricReader extends MetricReader {
  readonly shutdowns = vi.fn();
  protected override async onShutdown(): Promise<void> {
    this.shutdowns();
  }
  protected override async onForceFlush(): Promise<void> {}
}

const quiet = { logLevel: 'none' } as const;

describe('getTracer and getMeter', () => {
  it('are undefined before configure, real after, undefined again after shutdown', async () => {
    expect(isTelemetryConfigured()).toBe(false);
    expect(getTracer()).toBeUndefined();
    expect(getMeter()).toBeUndefined();

    const { processor, ended } = recordingProcessor();
    configureTelemetry({ ...quiet, spanProcessors: [processor] });
    expect(isTelemetryConfigured()).toBe(true);
    const tracer = getTracer();
    const meter = getMeter();
    expect(tracer).toBeDefined();
    expect(meter).toBeDefined();
    expect(meter).not.toBe(createNoopMeter());
    tracer?.startSpan('custom.span').end();
    expect(ended).toEqual(['custom.span']);

    await shutdownTelemetry();
    expect(isTelemetryConfigured()).toBe(false);
    expect(getTracer()).toBeUndefined();
    expect(getMeter()).toBeUndefined();
  });

  it('default to the scope of the generated code', () => {
    const { processor } = recordingProcessor();
    configureTelemetry({ ...quiet, spanProcessors: [processor] });
    getTracer()?.startSpan('scoped').end();
    const span = processor.onEnd.mock.calls[0]?.[0];
    expect(span?.instrumentationScope).toMatchObject({ name: SCOPE_NAME, version: SCOPE_VERSION });
  });
});

describe('binding the generated recorders', () => {
  it('binds the providers the SDK registered globally, and unbinds them first on shutdown', async () => {
    configureTelemetry(quiet);
    const binding = currentBinding();
    expect(binding?.tracerProvider).toBe(trace.getTracerProvider());
    expect(binding?.meterProvider).toBe(metrics.getMeterProvider());
    expect(metrics.getMeterProvider()).toBeInstanceOf(MeterProvider);

    const shutdown = shutdownTelemetry();
    // Synchronously, before any flushing: recorders and API users see no-ops at once.
    expect(currentBinding()).toBeUndefined();
    expect((trace.getTracerProvider() as ProxyTracerProvider).getDelegate()).not.toBeInstanceOf(TracerProvider);
    await shutdown;
  });
});

describe('shutdownTelemetry', () => {
  it('is harmless without configure, and twice', async () => {
    await expect(shutdownTelemetry()).resolves.toBeUndefined();
    const { processor } = recordingProcessor();
    configureTelemetry({ ...quiet, spanProcessors: [processor] });
    await shutdownTelemetry();
    await shutdownTelemetry();
    expect(processor.shutdown).toHaveBeenCalledTimes(1);
  });

  it('lets a second concurrent call wait for the same flush', async () => {
    let release = (): void => {};
    const { processor } = recordingProcessor(() => new Promise<void>((resolve) => (release = resolve)));
    configureTelemetry({ ...quiet, spanProcessors: [processor] });
    const first = shutdownTelemetry();
    const second = shutdownTelemetry();
    let secondDone = false;
    void second.then(() => (secondDone = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(secondDone).toBe(false);
    release();
    await Promise.all([first, second]);
    expect(secondDone).toBe(true);
  });

  it('resolves within shutdownTimeoutMillis when a processor never finishes', async () => {
    const diagnostics = captureDiagLines();
    const { processor } = recordingProcessor(() => new Promise<void>(() => {}));
    configureTelemetry({ spanProcessors: [processor], shutdownTimeoutMillis: 300, diagLogger: diagnostics.logger });
    const started = performance.now();
    await shutdownTelemetry();
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(300 + 1000);
    expect(diagnostics.text()).toContain('did not finish within 300 ms');
  });

  it('never rejects: a failing flush is reported through diag', async () => {
    const diagnostics = captureDiagLines();
    const { processor } = recordingProcessor(() => Promise.reject(new Error('collector on fire')));
    configureTelemetry({ spanProcessors: [processor], diagLogger: diagnostics.logger });
    await expect(shutdownTelemetry()).resolves.toBeUndefined();
    expect(diagnostics.text()).toContain('telemetry shutdown failed');
    expect(diagnostics.text()).toContain('collector on fire');
  });
});

describe('configureTelemetry twice', () => {
  it('replaces the first session: recorders switch at once, the old SDK is flushed and shut down', async () => {
    const first = recordingProcessor();
    const firstReader = new RecordingMetricReader();
    const firstHandle = configureTelemetry({ ...quiet, spanProcessors: [first.processor], metricReaders: [firstReader] });
    const firstBinding = currentBinding();
    getTracer()?.startSpan('before.reconfigure').end();

    const second = recordingProcessor();
    const secondHandle = configureTelemetry({ ...quiet, serviceName: 'second', spanProcessors: [second.processor] });
    const secondBinding = currentBinding();
    expect(secondBinding).toBeDefined();
    expect(secondBinding?.generation).toBeGreaterThan(firstBinding?.generation ?? Number.POSITIVE_INFINITY);
    getTracer()?.startSpan('after.reconfigure').end();

    await firstHandle?.shutdown(); // resolves when the background shutdown finished
    expect(first.processor.shutdown).toHaveBeenCalledTimes(1);
    expect(firstReader.shutdowns).toHaveBeenCalledTimes(1);
    expect(first.ended).toEqual(['before.reconfigure']);
    expect(second.ended).toEqual(['after.reconfigure']);
    expect(second.processor.shutdown).not.toHaveBeenCalled();
    expect(isTelemetryConfigured()).toBe(true);
    expect(secondHandle?.settings.serviceName).toBe('second');

    await shutdownTelemetry();
    expect(second.processor.shutdown).toHaveBeenCalledTimes(1);
  });

  it('keeps the running session when the new options are invalid', () => {
    configureTelemetry({ ...quiet, serviceName: 'running' });
    const binding = currentBinding();
    expect(() => configureTelemetry({ otlpEndpoint: 'ftp://nope' })).toThrow(TelemetryConfigError);
    expect(isTelemetryConfigured()).toBe(true);
    expect(currentBinding()).toBe(binding);
  });

  it('keeps the running session exactly as it was when the new one cannot start (a metric reader already bound)', async () => {
    const diagnostics = captureDiagLines();
    const running = recordingProcessor();
    const boundReader = new RecordingMetricReader();
    configureTelemetry({
      diagLogger: diagnostics.logger,
      logLevel: 'warn',
      serviceName: 'running',
      spanProcessors: [running.processor],
      metricReaders: [boundReader],
      conventions: 'flo',
      captureContent: { enabled: true, redact: (text) => text.toUpperCase() },
    });
    const binding = currentBinding();
    const replacement = recordingProcessor();
    const failing = () =>
      configureTelemetry({
        ...quiet,
        serviceName: 'replacement',
        spanProcessors: [replacement.processor],
        // Already bound to the running session's MeterProvider: the new one cannot take it.
        metricReaders: [boundReader],
        conventions: 'gen_ai',
        captureContent: false,
      });
    expect(failing).toThrow(TelemetryConfigError);
    expect(failing).toThrow(/metricReaders could not be set up/);

    // Same binding object: providers, conventions and content capture together.
    expect(currentBinding()).toBe(binding);
    expect(binding?.conventions).toBe('flo');
    expect(binding?.contentCapture.enabled).toBe(true);
    expect(isTelemetryConfigured()).toBe(true);
    await traceLlmCall({ provider: 'openai', model: 'gpt-4o', prompt: 'still here' }, async () => 'ok');
    getTracer()?.startSpan('after.failed.reconfigure').end();
    expect(running.ended).toEqual(['llm.openai.generate', 'after.failed.reconfigure']);
    expect(running.processor.onEnd.mock.calls[0]?.[0].attributes[ATTR_LLM_REQUEST_CONTENT]).toBe('STILL HERE');
    expect(running.processor.shutdown).not.toHaveBeenCalled();
    expect(replacement.processor.onStart).not.toHaveBeenCalled();
    // The running session's logger and level are still the ones in force.
    diag.warn('still the running logger');
    expect(diagnostics.text()).toContain('still the running logger');
    expect((await boundReader.collect()).resourceMetrics.scopeMetrics.length).toBeGreaterThan(0);
  });

  it('survives many cycles without leaking global registrations', async () => {
    const diagnostics = captureDiagLines();
    for (let cycle = 0; cycle < 5; cycle += 1) {
      configureTelemetry({ diagLogger: diagnostics.logger, consoleExport: false });
      configureTelemetry({ diagLogger: diagnostics.logger });
      await shutdownTelemetry();
    }
    // The API reports a refused second registration as "Attempted duplicate registration".
    expect(diagnostics.text()).not.toContain('duplicate registration');
  });
});

describe('OTEL_SDK_DISABLED=true', () => {
  it('starts nothing, returns undefined and leaves the recorders no-ops', () => {
    process.env.OTEL_SDK_DISABLED = 'true';
    expect(configureTelemetry({ ...quiet, serviceName: 'disabled' })).toBeUndefined();
    expect(isTelemetryConfigured()).toBe(false);
    expect(currentBinding()).toBeUndefined();
    expect(getTracer()).toBeUndefined();
    expect((trace.getTracerProvider() as ProxyTracerProvider).getDelegate()).not.toBeInstanceOf(TracerProvider);
    expect(metrics.getMeterProvider()).not.toBeInstanceOf(MeterProvider);
  });

  it('ignores invalid environment variables, since nothing will use them', () => {
    process.env.OTEL_SDK_DISABLED = 'true';
    process.env.FLO_OTLP_ENDPOINT = 'not a url';
    expect(configureTelemetry()).toBeUndefined();
  });

  it('still rejects invalid options: they are bugs in code', () => {
    process.env.OTEL_SDK_DISABLED = 'true';
    expect(() => configureTelemetry({ serviceName: 42 as unknown as string })).toThrow(TelemetryConfigError);
  });

  it('stops a running session when configure is called again', async () => {
    const { processor } = recordingProcessor();
    configureTelemetry({ ...quiet, spanProcessors: [processor] });
    process.env.OTEL_SDK_DISABLED = 'true';
    expect(configureTelemetry()).toBeUndefined();
    expect(isTelemetryConfigured()).toBe(false);
    await shutdownTelemetry();
    expect(processor.shutdown).toHaveBeenCalledTimes(1);
  });
});

describe('without any exporter', () => {
  it('still records real spans and metrics, and warns once that nothing is exported', () => {
    const diagnostics = captureDiagLines();
    configureTelemetry({ diagLogger: diagnostics.logger });
    const span = getTracer()?.startSpan('unexported');
    expect(span?.isRecording()).toBe(true);
    expect(span?.spanContext().traceId).not.toMatch(/^0+$/);
    span?.end();
    expect(getMeter()).not.toBe(createNoopMeter());
    const warnings = diagnostics.lines.filter((line) => line.includes('exports nowhere'));
    expect(warnings).toHaveLength(1);
  });
});

describe('metrics: false (spans only)', () => {
  it('records the spans, registers no meter provider, and the metric recorders return before any check', async () => {
    const diagnostics = captureDiagLines();
    const { processor, ended } = recordingProcessor();
    configureTelemetry({ spanProcessors: [processor], metrics: false, logLevel: 'warn', diagLogger: diagnostics.logger });
    expect(currentBinding()?.recordMetrics).toBe(false);
    expect(metrics.getMeterProvider().getMeter('app').createCounter('app.calls')).toBe(createNoopMeter().createCounter('app.calls'));
    // A value the recorder would report (negative count): not even looked at.
    recordLlmRequestsTotal(-1, { model: 'gpt-4o', provider: 'openai', status: 'success' });
    await traceLlmCall({ provider: 'openai', model: 'gpt-4o' }, async () => ({ usage: { prompt_tokens: 3, completion_tokens: 1 } }));
    await shutdownTelemetry();
    expect(ended).toEqual(['chat gpt-4o']);
    expect(diagnostics.lines.filter((line) => line.includes('llm.requests.total'))).toEqual([]);
  });

  it('leaves a meter provider the application registered itself in place, at start and at shutdown', async () => {
    const own = new MeterProvider();
    metrics.setGlobalMeterProvider(own);
    try {
      const { processor } = recordingProcessor();
      expect(configureTelemetry({ ...quiet, spanProcessors: [processor], metrics: false })).toBeDefined();
      await shutdownTelemetry();
      expect(metrics.getMeterProvider()).toBe(own);
    } finally {
      metrics.disable();
      await own.shutdown();
    }
  });

  it('refuses metric readers given with metrics off, naming both', () => {
    const reader = new RecordingMetricReader();
    expect(() => configureTelemetry({ ...quiet, metrics: false, metricReaders: [reader] })).toThrow(/metricReaders.*metrics are off/);
  });

  it('is read from FLO_METRICS', () => {
    process.env.FLO_METRICS = 'false';
    const { processor } = recordingProcessor();
    configureTelemetry({ ...quiet, spanProcessors: [processor] });
    expect(currentBinding()?.recordMetrics).toBe(false);
  });
});

describe('resource', () => {
  it('carries the resolved service, both environment keys, the additional attributes and local facts', () => {
    process.env.OTEL_SERVICE_NAME = 'from-env';
    process.env.FLO_ENV = 'staging';
    process.env.OTEL_RESOURCE_ATTRIBUTES = 'team=platform,service.version=9.9.9';
    const handle = configureTelemetry({ ...quiet, serviceVersion: '2.1.0', additionalAttributes: { team: 'ml', 'deployment.region': 'eu' } });
    expect(handle?.resourceAttributes).toMatchObject({
      'service.name': 'from-env',
      'service.version': '2.1.0',
      'deployment.environment.name': 'staging',
      team: 'ml',
      'deployment.region': 'eu',
      'telemetry.sdk.language': 'nodejs',
    });
    expect(handle?.resourceAttributes['service.instance.id']).toEqual(expect.any(String));
    expect(handle?.resourceAttributes['host.name']).toEqual(expect.any(String));
    expect(handle?.resourceAttributes['os.type']).toEqual(expect.any(String));
    // Deliberately not detected: may carry secrets, or spawn processes at start-up.
    expect(handle?.resourceAttributes).not.toHaveProperty('process.command_args');
    expect(handle?.resourceAttributes).not.toHaveProperty('host.id');
  });

  it('reads OTEL_SERVICE_NAME etc. only through the kit, not the SDK detectors', () => {
    process.env.OTEL_SERVICE_NAME = 'from-env';
    const handle = configureTelemetry({ ...quiet, serviceName: 'from-option' });
    expect(handle?.resourceAttributes['service.name']).toBe('from-option');
  });
});

describe('diagnostics', () => {
  it('redact header values, whatever logs them', () => {
    const diagnostics = captureDiagLines();
    configureTelemetry({
      diagLogger: diagnostics.logger,
      otlpEndpoint: 'http://127.0.0.1:4317',
      otlpHeaders: { authorization: 'Bearer s3cr3t-token-value' },
    });
    diag.warn('leaking Bearer s3cr3t-token-value', { nested: { header: 's3cr3t-token-value' } }, new Error('s3cr3t-token-value'));
    const leak = diagnostics.lines.find((line) => line.startsWith('warn: leaking'));
    expect(leak).toContain('[REDACTED]');
    expect(diagnostics.text()).not.toContain('s3cr3t-token-value');
  });

  it('report configuration warnings through diag', () => {
    const diagnostics = captureDiagLines();
    configureTelemetry({ diagLogger: diagnostics.logger, otlpEndpoint: 'http://collector' });
    expect(diagnostics.text()).toContain('has no port');
  });

  it('honour logLevel', () => {
    const diagnostics = captureDiagLines();
    configureTelemetry({ diagLogger: diagnostics.logger, logLevel: 'error' });
    diag.warn('a warning');
    diag.error('an error');
    expect(diagnostics.lines).toEqual(['error: an error']);
  });
});

describe('foreign OpenTelemetry globals', () => {
  it('are refused with a way out instead of being silently shadowed', () => {
    const foreign = new TracerProvider();
    trace.setGlobalTracerProvider(foreign);
    try {
      const error = (() => {
        try {
          configureTelemetry(quiet);
        } catch (caught) {
          return caught;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(TelemetryConfigError);
      expect(String(error)).toContain('bindProviders');
      expect(isTelemetryConfigured()).toBe(false);
    } finally {
      trace.disable();
    }
  });
});

describe('a diagLogger that throws', () => {
  it('never makes configureTelemetry, a recorder or a helper throw, nor changes what a wrapped function returns', async () => {
    const explode = () => {
      throw new Error('logger down');
    };
    const logger = { error: explode, warn: explode, info: explode, debug: explode, verbose: explode };
    const handle = configureTelemetry({
      diagLogger: logger,
      logLevel: 'all',
      // Warnings at configure time: a path in the endpoint, and a closed port behind it.
      otlpEndpoint: 'http://127.0.0.1:1/v1/traces',
      metricExportIntervalMillis: 50,
      shutdownTimeoutMillis: 500,
    });
    expect(handle).toBeDefined();
    const untyped = recordLlmRequestsTotal as unknown as (value: number, attributes: Record<string, unknown>) => void;
    expect(() => untyped(Number.NaN, { model: 42 })).not.toThrow();
    await expect(traceLlmCall({ provider: 'openai', model: 'gpt-4o' }, async () => 'answer', { usage: () => explode() })).resolves.toBe('answer');
    expect(() => traceToolCall({ name: 't' }, () => 7)).not.toThrow();
    expect(wrapToolCall(() => explode(), (x: number) => x * 2)(21)).toBe(42);
    await new Promise((resolve) => setTimeout(resolve, 150));
    await expect(shutdownTelemetry()).resolves.toBeUndefined();
  });
});

describe('OTEL_SDK_DISABLED with a value other than true or false', () => {
  it('warns and counts as false: telemetry starts', async () => {
    process.env.OTEL_SDK_DISABLED = 'yes';
    const diagnostics = captureDiagLines();
    expect(configureTelemetry({ diagLogger: diagnostics.logger })).toBeDefined();
    expect(isTelemetryConfigured()).toBe(true);
    expect(diagnostics.text()).toContain('OTEL_SDK_DISABLED="yes" is neither true nor false; telemetry stays enabled');
  });
});

describe('errorMessages', () => {
  it('is part of the session: a failed call records what the configured policy allows', async () => {
    const { processor } = recordingProcessor();
    configureTelemetry({ ...quiet, spanProcessors: [processor] });
    expect(currentBinding()?.errorMessages).toBe('with-content');
    await traceLlmCall({ provider: 'openai', model: 'gpt-4o' }, async () => {
      throw new Error('completion: my password is hunter2');
    }).catch(() => {});
    const span = processor.onEnd.mock.calls[0]?.[0];
    expect(JSON.stringify(span?.events)).not.toContain('hunter2');
    expect(span?.status.message).toBeUndefined();

    configureTelemetry({ ...quiet, spanProcessors: [processor], errorMessages: 'always' });
    expect(currentBinding()?.errorMessages).toBe('always');
  });
});

describe('captureContent', () => {
  it('turns prompt capture on for the session and off again when the next configure leaves it out', async () => {
    const promptKey = ATTR_LLM_REQUEST_CONTENT;
    const llm = { provider: 'openai', model: 'gpt-4o', prompt: 'call me at 555-0100' };
    const exporting = () => {
      const { processor } = recordingProcessor();
      const exported: ReadableSpan[] = [];
      processor.onEnd.mockImplementation((span: ReadableSpan) => void exported.push(span));
      return { processor, exported };
    };

    const first = exporting();
    configureTelemetry({ ...quiet, spanProcessors: [first.processor], captureContent: { enabled: true, redact: (text) => text.replace(/\d/g, '#') } });
    await traceLlmCall(llm, async () => ({ text: 'ok' }));
    expect(first.exported[0]?.attributes[promptKey]).toBe('call me at ###-####');

    const second = exporting();
    configureTelemetry({ ...quiet, spanProcessors: [second.processor] });
    await traceLlmCall(llm, async () => ({ text: 'ok' }));
    expect(second.exported[0]?.attributes).not.toHaveProperty(promptKey);
    await shutdownTelemetry();
  });
});
