/**
 * The helpers around the real provider SDKs, as a framework uses them, against
 * a local server that speaks the providers' JSON and SSE (no network): what
 * the GenAI conventions want is read from the request and the response, and a
 * call yields one GenAI inference span even when the SDK starts its own
 * (test/instrumentation/application-spans.test.ts checks the same through
 * configureTelemetry, with HTTP instrumentation).
 */
import { propagation, SpanKind, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resetContentCapture, setContentCapture, traceLlmCall, traceLlmStream } from '../../src/instrumentation/index.ts';
import { setConventions } from '../../src/runtime/bind.ts';
import { mergeSdkInferenceSpans } from '../../src/runtime/sdk-inference-spans.ts';
import { startFakeLlmServer, type FakeLlmServer } from '../support/fake-llm-server.ts';
import { anthropicClient, openAiClient } from '../support/sdk-clients.ts';
import { useInMemoryTelemetry, type InMemoryTelemetry } from '../support/in-memory.ts';

let server: FakeLlmServer;
let telemetry: InMemoryTelemetry;

beforeAll(async () => {
  server = await startFakeLlmServer();
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
});
afterAll(async () => {
  propagation.disable();
  await server.close();
});
beforeEach(() => {
  telemetry = useInMemoryTelemetry();
  // As configureTelemetry does: the SDKs that trace use the global provider, the kit's own, with their duplicate inference spans merged.
  trace.setGlobalTracerProvider(mergeSdkInferenceSpans(telemetry.tracerProvider));
});
afterEach(async () => {
  resetContentCapture();
  trace.disable();
  setConventions('both');
  await telemetry.shutdown();
});

const ANTHROPIC_REQUEST = { model: 'claude-sonnet-5-5', max_tokens: 256, temperature: 0.2, stop_sequences: ['END'], messages: [{ role: 'user' as const, content: 'Weather in Paris?' }] };
const anthropic = () => anthropicClient(server);
const inference = async () => (await telemetry.spans()).filter((span) => span.attributes['gen_ai.operation.name'] === 'chat');

describe('Anthropic Messages through traceLlmCall', () => {
  it("one GenAI inference span with what the request and the response say; the SDK's is not recorded, and it propagates the kit's", async () => {
    const client = anthropic();
    await traceLlmCall({ provider: 'anthropic', model: ANTHROPIC_REQUEST.model, request: ANTHROPIC_REQUEST, serverUrl: client.baseURL }, () => client.messages.create(ANTHROPIC_REQUEST));
    const spans = await telemetry.spans();
    expect(spans.map((span) => span.name)).toEqual(['chat claude-sonnet-5-5']);
    const [span] = spans;
    expect(span?.kind).toBe(SpanKind.CLIENT);
    expect(span?.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': 'claude-sonnet-5-5',
      'gen_ai.request.max_tokens': 256,
      'gen_ai.request.temperature': 0.2,
      'gen_ai.request.stop_sequences': ['END'],
      'gen_ai.response.model': expect.any(String),
      'gen_ai.response.id': expect.any(String),
      'gen_ai.response.finish_reasons': [expect.any(String)],
      'gen_ai.usage.input_tokens': expect.any(Number),
      'gen_ai.usage.output_tokens': expect.any(Number),
      'gen_ai.usage.cache_read.input_tokens': 8,
      'server.address': '127.0.0.1',
      'server.port': server.port,
    });
    expect(span?.attributes).not.toHaveProperty('gen_ai.request.stream');
    // No HTTP instrumentation here: the trace reaches the server through the SDK's own propagation, naming the kit's span.
    expect(server.requests.at(-1)?.headers.traceparent).toBe(`00-${span?.spanContext().traceId}-${span?.spanContext().spanId}-01`);
    const [point] = await telemetry.points('gen_ai.client.operation.duration');
    expect(point?.attributes).toMatchObject({ 'server.address': '127.0.0.1', 'server.port': server.port, 'gen_ai.response.model': span?.attributes['gen_ai.response.model'] });
  });

  it('records the reasoning tokens of a call that thinks', async () => {
    const client = anthropic();
    const request = { ...ANTHROPIC_REQUEST, thinking: { type: 'enabled' as const, budget_tokens: 1024 } };
    await traceLlmCall({ provider: 'anthropic', model: request.model, request }, () => client.messages.create(request));
    const [span] = await inference();
    expect(span?.attributes['gen_ai.usage.reasoning.output_tokens']).toBe(5);
  });

  it("sdkSpans: 'keep' leaves the SDK's own span under the kit's: two inference spans", async () => {
    const client = anthropic();
    await traceLlmCall({ provider: 'anthropic', model: ANTHROPIC_REQUEST.model }, () => client.messages.create(ANTHROPIC_REQUEST), { sdkSpans: 'keep' });
    const spans = await inference();
    expect(spans).toHaveLength(2);
    const kit = spans.find((span) => span.name === 'chat claude-sonnet-5-5');
    const sdk = spans.find((span) => span !== kit);
    expect(sdk?.parentSpanContext?.spanId).toBe(kit?.spanContext().spanId);
  });

  it("with flo_ai's names only the kit's span is no GenAI span, so the SDK's is kept", async () => {
    setConventions('flo');
    const client = anthropic();
    await traceLlmCall({ provider: 'anthropic', model: ANTHROPIC_REQUEST.model }, () => client.messages.create(ANTHROPIC_REQUEST));
    const names = (await telemetry.spans()).map((span) => span.name);
    expect(names).toContain('llm.anthropic.generate');
    expect(names).toHaveLength(2);
  });

  it('streamed: facts folded from the SSE events, output messages captured through the hook', async () => {
    setContentCapture({ enabled: true, redact: (text) => text.replaceAll('Paris', '[city]') });
    const client = anthropic();
    const request = { ...ANTHROPIC_REQUEST, stream: true as const };
    for await (const event of traceLlmStream({ provider: 'anthropic', model: request.model, request, serverUrl: client.baseURL }, () => client.messages.create(request))) void event;
    const [span] = await inference();
    expect(span?.name).toBe('chat claude-sonnet-5-5');
    expect(span?.attributes['gen_ai.request.stream']).toBe(true);
    expect(span?.attributes['gen_ai.response.finish_reasons']).toEqual([expect.any(String)]);
    const output = JSON.parse(String(span?.attributes['gen_ai.output.messages']));
    expect(output[0].role).toBe('assistant');
    expect(JSON.stringify(output)).toContain('[city]');
    expect(JSON.stringify(output)).not.toContain('Paris');
    expect(JSON.parse(String(span?.attributes['gen_ai.input.messages']))).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'Weather in [city]?' }] }]);
  });
});

describe('OpenAI Chat Completions through traceLlmCall', () => {
  it('reads the request settings and the response, whole', async () => {
    const client = openAiClient(server);
    const request = { model: 'gpt-4o', messages: [{ role: 'user' as const, content: 'Hi' }], max_completion_tokens: 64, top_p: 0.9, seed: 7, n: 2 };
    await traceLlmCall({ provider: 'openai', model: request.model, request, serverUrl: client.baseURL }, () => client.chat.completions.create(request));
    const [span] = await inference();
    expect(span?.name).toBe('chat gpt-4o');
    expect(span?.attributes).toMatchObject({
      'gen_ai.request.max_tokens': 64,
      'gen_ai.request.top_p': 0.9,
      'gen_ai.request.seed': 7,
      'gen_ai.request.choice.count': 2,
      'gen_ai.response.id': expect.any(String),
      'gen_ai.response.finish_reasons': expect.any(Array),
      'server.address': '127.0.0.1',
    });
  });
});

