/**
 * Every stream shape the README claims, through the real provider SDKs where they are
 * devDependencies (test/support/stream-shapes.ts), in every conventions mode and under both GenAI
 * targets:
 * - token usage on the span (`llm.usage.*`, `gen_ai.usage.*` with cached and reasoning tokens) and
 *   in the token metrics (`llm.tokens.*`; `gen_ai.client.token.usage` of v1.41.1; the development
 *   snapshot's `gen_ai.client.inference.usage.*` counters);
 * - the chunk metrics: output chunks only (content deltas, not lifecycle events), each point with
 *   the response model, in the conventions' bucket boundaries.
 */
import { DataPointType, type HistogramMetricData } from '@opentelemetry/sdk-metrics';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { traceLlmStream } from '../../src/instrumentation/index.ts';
import type { Conventions } from '../../src/runtime/rules.ts';
import { startFakeLlmServer, type FakeLlmServer } from '../support/fake-llm-server.ts';
import { useInMemoryTelemetry, type InMemoryTelemetry } from '../support/in-memory.ts';
import { STREAM_SHAPES, type StreamShape } from '../support/stream-shapes.ts';

let server: FakeLlmServer;
let telemetry: InMemoryTelemetry | undefined;

beforeAll(async () => {
  server = await startFakeLlmServer();
});
afterAll(async () => {
  await server.close();
});
afterEach(async () => {
  await telemetry?.shutdown();
  telemetry = undefined;
});

const MODES: readonly { readonly conventions: Conventions; readonly optIn: boolean }[] = [
  { conventions: 'flo', optIn: false },
  { conventions: 'gen_ai', optIn: false },
  { conventions: 'both', optIn: false },
  { conventions: 'gen_ai', optIn: true },
  { conventions: 'both', optIn: true },
];

async function stream(shape: StreamShape): Promise<number> {
  let events = 0;
  for await (const event of traceLlmStream({ provider: shape.provider, model: shape.model, request: shape.request, serverUrl: server.url }, () => shape.open(server))) {
    void event;
    events += 1;
  }
  return events;
}

describe.each(MODES)('conventions $conventions, opt-in $optIn', ({ conventions, optIn }) => {
  it.each(STREAM_SHAPES)('$name: usage on the span and in the token metrics', async (shape) => {
    telemetry = useInMemoryTelemetry({ conventions, semconvStabilityOptIn: optIn ? ['gen_ai_latest_experimental'] : [] });
    expect(await stream(shape)).toBeGreaterThanOrEqual(shape.outputChunks);
    const [span] = await telemetry.spans();
    const attributes = span?.attributes ?? {};
    const { usage } = shape;
    const flo = conventions !== 'gen_ai';
    const genAi = conventions !== 'flo';

    if (flo) {
      expect(attributes).toMatchObject({ 'llm.usage.prompt_tokens': usage.input, 'llm.usage.completion_tokens': usage.output, 'llm.usage.total_tokens': usage.total });
      const flat = { model: shape.model, provider: shape.provider };
      expect(await telemetry.counter('llm.tokens.prompt', flat)).toBe(usage.input);
      expect(await telemetry.counter('llm.tokens.completion', flat)).toBe(usage.output);
      expect(await telemetry.counter('llm.tokens.total', flat)).toBe(usage.total);
    } else {
      expect(attributes).not.toHaveProperty('llm.usage.prompt_tokens');
    }

    if (genAi) {
      const cacheWriteKey = optIn ? 'gen_ai.usage.cache_write.input_tokens' : 'gen_ai.usage.cache_creation.input_tokens';
      expect(attributes).toMatchObject({ 'gen_ai.usage.input_tokens': usage.input, 'gen_ai.usage.output_tokens': usage.output });
      expect(attributes['gen_ai.usage.cache_read.input_tokens']).toBe(usage.cacheRead);
      expect(attributes[cacheWriteKey]).toBe(usage.cacheWrite);
      expect(attributes['gen_ai.usage.reasoning.output_tokens']).toBe(usage.reasoning);
      const point = { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': shape.model, 'gen_ai.response.model': shape.responseModel };
      if (optIn) {
        expect(await telemetry.counter('gen_ai.client.inference.usage.input_tokens', point)).toBe(usage.input);
        expect(await telemetry.counter('gen_ai.client.inference.usage.output_tokens', point)).toBe(usage.output);
        expect(await telemetry.counter('gen_ai.client.inference.usage.cache_read.input_tokens', point)).toBe(usage.cacheRead ?? 0);
        expect(await telemetry.counter('gen_ai.client.inference.usage.cache_write.input_tokens', point)).toBe(usage.cacheWrite ?? 0);
        expect(await telemetry.counter('gen_ai.client.inference.usage.reasoning.output_tokens', point)).toBe(usage.reasoning ?? 0);
      } else {
        expect(await telemetry.histogram('gen_ai.client.token.usage', { ...point, 'gen_ai.token.type': 'input' })).toEqual({ count: 1, sum: usage.input });
        expect(await telemetry.histogram('gen_ai.client.token.usage', { ...point, 'gen_ai.token.type': 'output' })).toEqual({ count: 1, sum: usage.output });
      }
    } else {
      expect(Object.keys(attributes).filter((key) => key.startsWith('gen_ai.'))).toEqual([]);
    }
    expect(await telemetry.telemetry()).toConformToSpec();
  });
});

/** The conventions' bucket advice for every GenAI duration histogram (docs/gen-ai/gen-ai-metrics.md of v1.41.1). */
const SECONDS_ADVICE = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];

async function boundaries(name: string): Promise<readonly number[] | undefined> {
  const metric = (await telemetry!.metrics()).find((candidate) => candidate.descriptor.name === name);
  if (metric?.dataPointType !== DataPointType.HISTOGRAM) return undefined;
  return (metric as HistogramMetricData).dataPoints[0]?.value.buckets.boundaries;
}

describe.each([false, true])('chunks, GenAI opt-in %s', (optIn) => {
  const [first, perChunk] = optIn
    ? ['gen_ai.client.inference.time_to_first_chunk', 'gen_ai.client.inference.time_per_output_chunk']
    : ['gen_ai.client.operation.time_to_first_chunk', 'gen_ai.client.operation.time_per_output_chunk'];

  it.each(STREAM_SHAPES)('$name: output chunks only, with the response model, in the advised buckets', async (shape) => {
    telemetry = useInMemoryTelemetry({ conventions: 'both', semconvStabilityOptIn: optIn ? ['gen_ai_latest_experimental'] : [] });
    await stream(shape);
    const [span] = await telemetry.spans();
    expect(span?.attributes['llm.stream.chunks']).toBe(shape.outputChunks);
    expect(await telemetry.counter('llm.stream.chunks.total')).toBe(shape.outputChunks);
    const model = { 'gen_ai.response.model': shape.responseModel };
    expect((await telemetry.histogram(first, model)).count).toBe(1);
    expect((await telemetry.histogram(perChunk, model)).count).toBe(shape.outputChunks - 1);
    expect((await telemetry.points(perChunk)).map((point) => point.attributes['gen_ai.response.model'])).toEqual([shape.responseModel]);
    expect(await boundaries(first)).toEqual(SECONDS_ADVICE);
    expect(await boundaries(perChunk)).toEqual(SECONDS_ADVICE);
  });
});
