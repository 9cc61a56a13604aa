/**
 * Metric recorders hand a repeated attribute set to the SDK again instead of
 * building and checking it anew. Generated descriptors recognise a repeated
 * set with their `sameValues` function: it must agree with reading every
 * field by name, and alternating sets must each reach the right series. The
 * generated recorder compares its argument with the set recorded last itself,
 * before the runtime: what it reads there must not throw into the caller.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { trace, type Attributes } from '@opentelemetry/api';
import {
  ALL_METRICS,
  GEN_AI_TOKEN_TYPE_VALUE_INPUT,
  GEN_AI_TOKEN_TYPE_VALUE_OUTPUT,
  METRIC_GEN_AI_CLIENT_TOKEN_USAGE,
  METRIC_LLM_REQUESTS_TOTAL,
  recordGenAiClientTokenUsage,
  recordLlmRequestsTotal,
} from '../../src/generated/index.ts';
import { bindProviders, unbindProviders } from '../../src/runtime/binding.ts';
import { bindHarness, captureDiagnostics, type Harness } from '../support/harness.ts';

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
    /** A meter whose instruments keep the attribute objects the recorders hand them. */
    function bindRecordingMeter(): void {
      handed = [];
      const instrument = { add: (_value: number, attributes: Attributes) => handed.push(attributes), record: (_value: number, attributes: Attributes) => handed.push(attributes) };
      const meter = { createCounter: () => instrument, createUpDownCounter: () => instrument, createHistogram: () => instrument, createGauge: () => instrument };
      bindProviders({ tracerProvider: trace.getTracerProvider(), meterProvider: { getMeter: () => meter as never } });
    }

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
