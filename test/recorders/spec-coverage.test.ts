/**
 * Every metric and span the YAML declares, exercised through its generated
 * recorder against the real SDK, checked against the YAML itself: names,
 * kinds, instruments, units, bucket advice, attributes and values.
 */
import { unitScale } from '../../scripts/semconv/units.ts';
import { applyScale } from '../../src/runtime/rules.ts';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { DataPointType, type MetricData } from '@opentelemetry/sdk-metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSpec } from '../../scripts/semconv/load.ts';
import { isEnumType, type AttributeUse, type MetricDefinition, type SpanDefinition } from '../../scripts/semconv/model.ts';
import { camelCase, pascalCase } from '../../scripts/semconv/names.ts';
import { signalBaseName } from '../../scripts/semconv/generated-names.ts';
import * as generated from '../../src/generated/index.ts';
import { bindHarness, type Harness } from '../support/harness.ts';

const spec = loadSpec('semconv');
const api = generated as unknown as Record<string, (...args: unknown[]) => unknown>;

function exampleValue(use: AttributeUse): unknown {
  const { attribute } = use;
  if (isEnumType(attribute.type)) return attribute.type.members[0]?.value;
  const example = use.examples?.[0] ?? attribute.examples[0];
  if (example !== undefined) return Array.isArray(example) || !String(attribute.type).endsWith('[]') ? example : [example];
  // Upstream attributes without examples (gen_ai.request.stream) get a value of their type.
  const byType: Record<string, unknown> = { boolean: true, int: 1, double: 0.5, string: 'x', any: 'x', 'string[]': ['x'], 'int[]': [1], 'double[]': [0.5], 'boolean[]': [true] };
  if (typeof attribute.type === 'string' && attribute.type in byType) return byType[attribute.type];
  throw new Error(`attribute ${attribute.id} has no example to test with`);
}

/**
 * The recorder argument (camelCase properties) and the attributes expected on
 * the wire; on spans, GenAI equivalents too (the default conventions are both).
 */
function exampleAttributes(uses: readonly AttributeUse[], onSpan = false) {
  const input: Record<string, unknown> = {};
  const expected: Record<string, unknown> = {};
  for (const use of uses) {
    if (use.onError !== undefined) continue;
    // A value the span always has is written by the generated helper, not passed.
    const value = use.value ?? exampleValue(use);
    if (use.value === undefined) input[camelCase(use.attribute.id)] = value;
    expected[use.attribute.id] = value;
    const equivalent = use.attribute.equivalent;
    // Converted between the units the spec gives both (milliseconds to seconds).
    const scale = equivalent?.unit === undefined || use.attribute.unit === undefined ? 1 : (unitScale(use.attribute.unit, equivalent.unit) ?? 1);
    if (onSpan && equivalent) expected[equivalent.id] = scale === 1 ? value : applyScale(value as number, scale);
  }
  return { input, expected };
}

const EXPECTED_POINT_TYPE = {
  counter: DataPointType.SUM,
  updowncounter: DataPointType.SUM,
  histogram: DataPointType.HISTOGRAM,
  gauge: DataPointType.GAUGE,
} as const;

describe('every metric of the spec', () => {
  let harness: Harness;
  beforeAll(() => {
    harness = bindHarness();
  });
  afterAll(() => harness.shutdown());

  it('the spec declares the 19 metrics of the reference', () => {
    const reference = [
      'llm.tokens.total', 'llm.tokens.prompt', 'llm.tokens.completion', 'llm.requests.total', 'llm.errors.total',
      'llm.request.duration', 'llm.streams.total', 'llm.stream.chunks.total', 'llm.stream.duration',
      'agent.executions.total', 'agent.tool_calls.total', 'agent.retries.total', 'agent.errors.total', 'agent.execution.duration',
      'workflow.executions.total', 'workflow.nodes.executed', 'workflow.errors.total', 'workflow.execution.duration', 'workflow.node.duration',
    ];
    expect(spec.metrics.map((metric) => metric.metricName)).toEqual(expect.arrayContaining(reference));
  });

  it.each(spec.metrics.map((metric) => [metric.metricName, metric] as const))('%s', async (_name, metric: MetricDefinition) => {
    const recorder = api[`record${signalBaseName(metric)}`];
    expect(recorder, 'generated recorder').toBeTypeOf('function');
    const { input, expected } = exampleAttributes(metric.attributes);
    const value = metric.valueType === 'int' ? 3 : 2.5;
    recorder?.(value, input);
    recorder?.(value, input);

    const data = (await harness.metric(metric.metricName)) as MetricData;
    expect(data, 'exported metric').toBeDefined();
    expect(data.descriptor.unit).toBe(metric.unit);
    expect(data.descriptor.description).toBe(metric.brief);
    expect(data.dataPointType).toBe(EXPECTED_POINT_TYPE[metric.instrument]);
    expect(data.dataPoints).toHaveLength(1);
    const point = data.dataPoints[0]!;
    expect(point.attributes).toEqual(expected);
    if (data.dataPointType === DataPointType.HISTOGRAM) {
      const histogram = point.value as { count: number; sum: number; buckets: { boundaries: number[] } };
      expect(histogram.count).toBe(2);
      expect(histogram.sum).toBe(2 * value);
      expect(histogram.buckets.boundaries).toEqual(metric.explicitBucketBoundaries ?? expect.any(Array));
    } else {
      expect(point.value).toBe(metric.instrument === 'gauge' ? value : 2 * value);
    }
    if (data.dataPointType === DataPointType.SUM) expect(data.isMonotonic).toBe(metric.instrument === 'counter');
  });

  it('emits under the scope the manifest names', async () => {
    const { input } = exampleAttributes(spec.metrics[0]!.attributes);
    api[`record${signalBaseName(spec.metrics[0]!)}`]?.(1, input);
    expect(await harness.metricScopes()).toEqual([spec.scope.name]);
    expect(generated.SCOPE).toEqual({ name: spec.scope.name, version: spec.scope.version, schemaUrl: spec.scope.schemaUrl });
  });

  it('everything recorded above conforms to the spec', async () => {
    const telemetry = await harness.telemetry();
    expect(telemetry.metrics?.length).toBe(spec.metrics.length);
    expect(telemetry).toConformToSpec();
  });
});

/**
 * The name the span gets with both conventions (the default): its GenAI equivalent's when it has
 * one and every attribute that name needs was given, else its own template's.
 */
function spanName(span: SpanDefinition, input: Record<string, unknown>): string {
  const equivalent = span.equivalent;
  const fixed = new Map(span.attributes.map((use) => [use.attribute.id, use.value]));
  const genAiValues = equivalent?.nameAttributes.map((id) => fixed.get(id) ?? input[camelCase(id)]);
  if (equivalent !== undefined && genAiValues?.every((value) => value !== undefined)) {
    let index = 0;
    return equivalent.spanName.replace(/\{([^{}]+)\}/g, () => String(genAiValues[index++]));
  }
  return span.spanName.replace(/\{([^{}]+)\}/g, (_match, id: string) => String(input[camelCase(id)]));
}

const KINDS = { internal: SpanKind.INTERNAL, client: SpanKind.CLIENT, server: SpanKind.SERVER, producer: SpanKind.PRODUCER, consumer: SpanKind.CONSUMER };

describe('every span of the spec', () => {
  let harness: Harness;
  beforeAll(() => {
    harness = bindHarness();
  });
  afterAll(() => harness.shutdown());

  it('the spec declares every span of the reference', () => {
    expect(spec.spans.map((span) => span.spanName)).toEqual(
      expect.arrayContaining([
        'llm.{llm.provider}.generate', 'llm.{llm.provider}.stream', 'agent.{agent.name}.run', 'agent.tool.{tool.name}',
        'workflow.{workflow.name}', 'workflow.node.{node.name}',
      ]),
    );
  });

  it.each(spec.spans.map((span) => [span.spanName, span] as const))('%s: name, kind, attributes, setters', async (_name, span: SpanDefinition) => {
    const base = signalBaseName(span);
    // GenAI equivalents are written beside the spec's keys on spans that have a GenAI equivalent.
    const genAi = span.equivalent !== undefined;
    const { input, expected } = exampleAttributes(span.attributes.filter((use) => use.requirementLevel.level === 'required'), genAi);
    const later = exampleAttributes(span.attributes.filter((use) => use.requirementLevel.level !== 'required'), genAi);
    const result = api[`with${base}Span`]?.(input, (handle: Record<string, (value: unknown) => unknown>) => {
      for (const use of span.attributes.filter((candidate) => candidate.requirementLevel.level !== 'required' && !candidate.onError)) {
        const setter = handle[`set${pascalCase(use.attribute.id)}`];
        expect(setter, `setter of ${use.attribute.id}`).toBeTypeOf('function');
        setter?.call(handle, exampleValue(use));
      }
      return 'result';
    });
    expect(result).toBe('result');

    // The last one of that name: a whole and a streamed LLM call share their GenAI name.
    const exported = (await harness.spans()).findLast((candidate) => candidate.name === spanName(span, input));
    expect(exported, `span ${spanName(span, input)}`).toBeDefined();
    expect(exported?.kind).toBe(KINDS[span.spanKind]);
    expect(exported?.instrumentationScope.name).toBe(spec.scope.name);
    expect(exported?.status.code).toBe(SpanStatusCode.UNSET);
    expect(exported?.attributes).toEqual({ ...expected, ...later.expected });
  });

  it.each(spec.spans.map((span) => [span.spanName, span] as const))('%s: a thrown error', async (_name, span: SpanDefinition) => {
    const base = signalBaseName(span);
    const { input } = exampleAttributes(span.attributes.filter((use) => use.requirementLevel.level === 'required'));
    class QuotaExceededError extends Error {}
    const thrown = new QuotaExceededError(`quota of ${span.groupId}`);
    const run = () =>
      api[`with${base}Span`]?.(input, () => {
        throw thrown;
      });
    expect(run).toThrow(thrown);

    const exported = (await harness.spans()).filter((candidate) => candidate.status.message === thrown.message);
    expect(exported).toHaveLength(1);
    expect(exported[0]?.status.code).toBe(SpanStatusCode.ERROR);
    expect(exported[0]?.events.map((event) => event.name)).toEqual(['exception']);
    for (const use of span.attributes.filter((candidate) => candidate.onError !== undefined)) {
      const want = use.onError === 'type' ? 'QuotaExceededError' : thrown.message;
      expect(exported[0]?.attributes[use.attribute.id]).toBe(want);
    }
  });

  it('everything recorded above conforms to the spec', async () => {
    const telemetry = await harness.telemetry();
    expect(telemetry.spans?.length).toBe(2 * spec.spans.length);
    expect(telemetry).toConformToSpec();
  });
});
