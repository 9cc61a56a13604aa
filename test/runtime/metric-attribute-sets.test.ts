/**
 * Metric recorders hand a repeated attribute set to the SDK again instead of
 * building and checking it anew. Generated descriptors recognise a repeated
 * set with their `sameValues` function: it must agree with reading every
 * field by name, and alternating sets must each reach the right series. The
 * generated recorder compares its argument with the set recorded last itself
 * and, when it repeats it, hands it to the SDK without the runtime: what it
 * reads there must not throw into the caller, the values it lets through must
 * be those the runtime accepts, and a failing instrument is reported, not thrown.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { trace, type Attributes } from '@opentelemetry/api';
import * as generated from '../../src/generated/index.ts';
import {
  ALL_METRICS,
  GEN_AI_TOKEN_TYPE_VALUE_INPUT,
  GEN_AI_TOKEN_TYPE_VALUE_OUTPUT,
  METRIC_GEN_AI_CLIENT_TOKEN_USAGE,
  METRIC_LLM_REQUESTS_TOTAL,
  recordGenAiClientTokenUsage,
  recordLlmRequestsTotal,
} from '../../src/generated/index.ts';
import { bindProviders, unbindProviders } from '../../src/runtime/bind.ts';
import { resetReportedProblems } from '../../src/runtime/diagnostics.ts';
import type { MetricDescriptor } from '../../src/runtime/metrics.ts';
import { bindHarness, captureDiagnostics, type Harness } from '../support/harness.ts';
import { acceptsValue } from '../support/value-rule.ts';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.shutdown();
  harness = undefined;
});

const value = fc.oneof(fc.string({ maxLength: 3 }), fc.integer({ min: -2, max: 2 }), fc.boolean(), fc.constant(undefined), fc.constant(null));

describe('repeated metric attribute sets', () => {
  it('every generated sameValues agrees with comparing each field read by its property name', () => {
    const metrics = ALL_METRICS.filter((metric) => metric.fields.length > 0);
    expect(metrics.every((metric) => metric.sameValues !== undefined)).toBe(true);
    const input = fc.record({ metric: fc.integer({ min: 0, max: metrics.length - 1 }), given: fc.array(value, { maxLength: 8 }), remembered: fc.array(value, { maxLength: 8 }), copy: fc.boolean() });
    fc.assert(
      fc.property(input, ({ metric: which, given, remembered, copy }) => {
        const metric = metrics[which];
        if (metric === undefined) return;
        const attributes = Object.fromEntries(metric.fields.map((field, index) => [field.property, given[index]]));
        // Half the time the remembered values are the given ones, so equal sets are exercised too.
        const values = copy ? metric.fields.map((_, index) => given[index]) : metric.fields.map((_, index) => remembered[index]);
        const expected = metric.fields.every((field, index) => attributes[field.property] === values[index]);
        expect(metric.sameValues?.(attributes as never, values)).toBe(expected);
      }),
      { numRuns: 1000 },
    );
  });

  it('alternating sets each reach their own series, however often they repeat', async () => {
    harness = bindHarness();
    const base = { genAiOperationName: 'chat', genAiProviderName: 'openai', genAiRequestModel: 'gpt-4o' } as const;
    for (let call = 0; call < 20; call += 1) {
      recordGenAiClientTokenUsage(10, { ...base, genAiTokenType: GEN_AI_TOKEN_TYPE_VALUE_INPUT });
      recordGenAiClientTokenUsage(3, { ...base, genAiTokenType: GEN_AI_TOKEN_TYPE_VALUE_OUTPUT });
    }
    recordGenAiClientTokenUsage(7, { ...base, genAiRequestModel: 'gpt-4o-mini', genAiTokenType: GEN_AI_TOKEN_TYPE_VALUE_INPUT });
    const points = (await harness.metric(METRIC_GEN_AI_CLIENT_TOKEN_USAGE))?.dataPoints ?? [];
    const summary = points.map((point) => ({ model: point.attributes['gen_ai.request.model'], type: point.attributes['gen_ai.token.type'], sum: (point.value as { sum: number }).sum }));
    expect(summary).toEqual(
      expect.arrayContaining([
        { model: 'gpt-4o', type: 'input', sum: 200 },
        { model: 'gpt-4o', type: 'output', sum: 60 },
        { model: 'gpt-4o-mini', type: 'input', sum: 7 },
      ]),
    );
    expect(points).toHaveLength(3);
  });

  describe('handed to the SDK', () => {
    let handed: Attributes[];
    let restoreDiagnostics: (() => void) | undefined;
    afterEach(() => {
      unbindProviders();
      restoreDiagnostics?.();
      restoreDiagnostics = undefined;
    });
    /** Points handed to each instrument, by metric name. */
    let points: Map<string, { value: number; attributes: Attributes }[]>;
    /** Instruments of these metrics throw instead of keeping what they are handed. */
    let failing: ReadonlySet<string> = new Set();
    /** A meter whose instruments keep the attribute objects the recorders hand them. */
    function bindRecordingMeter(): void {
      failing = new Set();
      handed = [];
      points = new Map();
      const create = (name: string) => {
        const kept: { value: number; attributes: Attributes }[] = [];
        points.set(name, kept);
        const keep = (value: number, attributes: Attributes) => {
          if (failing.has(name)) throw new Error(`${name} exploded`);
          handed.push(attributes);
          kept.push({ value, attributes });
        };
        return { add: keep, record: keep };
      };
      const meter = { createCounter: create, createUpDownCounter: create, createHistogram: create, createGauge: create };
      bindProviders({ tracerProvider: trace.getTracerProvider(), meterProvider: { getMeter: () => meter as never } });
    }

    type Recorder = (value: number, attributes: object) => void;
    /** A valid attributes object of a metric: the first enum member, else a value of the field's kind. */
    const validAttributes = (metric: MetricDescriptor) =>
      Object.fromEntries(metric.fields.map((field) => [field.property, field.spec.members?.[0] ?? (field.spec.kind === 'string' ? 'x' : field.spec.kind === 'boolean' ? true : 1)]));
    /** Every generated recorder with the metric it records, found by recording once. */
    function recordersByMetric(): [MetricDescriptor, Recorder][] {
      const recorders = Object.entries(generated).filter(([name, value]) => name.startsWith('record') && typeof value === 'function') as [string, Recorder][];
      return ALL_METRICS.map((metric) => {
        bindRecordingMeter();
        const found = recorders.find(([, record]) => {
          record(1, validAttributes(metric));
          return (points.get(metric.name)?.length ?? 0) > 0;
        });
        if (found === undefined) throw new Error(`no recorder records ${metric.name}`);
        return [metric, found[1]];
      });
    }

    it('a value recorded with the set recorded last is taken or dropped exactly as the runtime decides, and a dropped one is reported', () => {
      const recorders = recordersByMetric();
      expect(recorders).toHaveLength(ALL_METRICS.length);
      const diagnostics = captureDiagnostics();
      restoreDiagnostics = diagnostics.restore;
      const values = fc.oneof(fc.double(), fc.integer({ min: -5, max: 5 }), fc.constantFrom(Number.NaN, Infinity, -Infinity, -0, 0.5, -1, 2 ** 53));
      fc.assert(
        fc.property(fc.integer({ min: 0, max: recorders.length - 1 }), values, (which, value) => {
          const [metric, record] = recorders[which] as [MetricDescriptor, Recorder];
          bindRecordingMeter();
          resetReportedProblems();
          diagnostics.messages.length = 0;
          record(1, validAttributes(metric));
          // The same set again: the generated recorder's own path.
          record(value, validAttributes(metric));
          const recorded = points.get(metric.name) ?? [];
          if (acceptsValue(metric.instrument, metric.valueType, value)) {
            expect(recorded.map((point) => point.value)).toEqual([1, value]);
            expect(recorded[1]?.attributes).toBe(recorded[0]?.attributes);
            expect(diagnostics.messages).toEqual([]);
          } else {
            expect(recorded.map((point) => point.value)).toEqual([1]);
            expect(diagnostics.messages).toEqual([expect.stringContaining(`${metric.name}: dropped a measurement`)]);
          }
        }),
        { numRuns: 500 },
      );
    });

    it('an instrument that throws on a repeated set is reported and never thrown into the caller', () => {
      const diagnostics = captureDiagnostics();
      restoreDiagnostics = diagnostics.restore;
      const attributes = { model: 'gpt-4o', provider: 'openai', status: 'success' } as const;
      bindRecordingMeter();
      recordLlmRequestsTotal(1, attributes);
      expect(points.get(METRIC_LLM_REQUESTS_TOTAL)).toHaveLength(1);
      failing = new Set([METRIC_LLM_REQUESTS_TOTAL]);
      // The set again, in the same binding: the generated recorder's own path, not the runtime's.
      expect(() => recordLlmRequestsTotal(1, attributes)).not.toThrow();
      expect(diagnostics.messages).toEqual([`flo telemetry: ${METRIC_LLM_REQUESTS_TOTAL}: recording failed: ${METRIC_LLM_REQUESTS_TOTAL} exploded`]);
    });

    it('a set recorded under one binding goes to the instrument of the next one, never the old', () => {
      const attributes = { model: 'gpt-4o', provider: 'openai', status: 'success' } as const;
      bindRecordingMeter();
      recordLlmRequestsTotal(1, attributes);
      const first = points;
      bindRecordingMeter();
      recordLlmRequestsTotal(2, attributes);
      recordLlmRequestsTotal(3, attributes);
      expect(first.get(METRIC_LLM_REQUESTS_TOTAL)?.map((point) => point.value)).toEqual([1]);
      expect(points.get(METRIC_LLM_REQUESTS_TOTAL)?.map((point) => point.value)).toEqual([2, 3]);
      unbindProviders();
      recordLlmRequestsTotal(4, attributes);
      expect(points.get(METRIC_LLM_REQUESTS_TOTAL)?.map((point) => point.value)).toEqual([2, 3]);
    });

    it('a repeated set is the one built the first time, frozen, whichever of the recent sets it repeats', () => {
      bindRecordingMeter();
      const success = () => ({ model: 'gpt-4o', provider: 'openai', status: 'success' as const });
      recordLlmRequestsTotal(1, success());
      recordLlmRequestsTotal(1, success());
      recordLlmRequestsTotal(1, { ...success(), status: 'error' });
      recordLlmRequestsTotal(1, success());
      expect(handed).toHaveLength(4);
      expect(handed[1]).toBe(handed[0]);
      expect(handed[3]).toBe(handed[0]);
      expect(handed[2]).not.toBe(handed[0]);
      expect(Object.isFrozen(handed[0])).toBe(true);
      expect(handed.map((attributes) => attributes.status)).toEqual(['success', 'success', 'error', 'success']);
    });

    it('no attributes object, or a getter that throws, is reported and never thrown into the caller', () => {
      bindRecordingMeter();
      const diagnostics = captureDiagnostics();
      restoreDiagnostics = diagnostics.restore;
      recordLlmRequestsTotal(1, { model: 'gpt-4o', provider: 'openai', status: 'success' });
      const hostile = {
        get model(): string {
          throw new Error('getter exploded');
        },
        provider: 'openai',
        status: 'success' as const,
      };
      expect(() => recordLlmRequestsTotal(1, hostile)).not.toThrow();
      expect(() => recordLlmRequestsTotal(1, null as never)).not.toThrow();
      expect(diagnostics.messages).toEqual([
        `flo telemetry: ${METRIC_LLM_REQUESTS_TOTAL}: recording failed: getter exploded`,
        expect.stringContaining(`${METRIC_LLM_REQUESTS_TOTAL}: required attribute model is missing`),
        expect.stringContaining(`${METRIC_LLM_REQUESTS_TOTAL}: required attribute provider is missing`),
        expect.stringContaining(`${METRIC_LLM_REQUESTS_TOTAL}: required attribute status is missing`),
      ]);
    });
  });
});
