/**
 * What the provider SDKs themselves emit when OpenTelemetry is set up the way
 * configureTelemetry sets it up (NodeSDK registers a global tracer provider,
 * the AsyncLocalStorage context manager and the W3C propagator): an
 * experiment against the local fake server, kept as a test so that an SDK
 * upgrade that changes the answer is noticed. It decides nothing for the
 * kit; it records the facts the kit's policy on duplicate inference spans
 * rests on:
 *
 * - `@anthropic-ai/sdk` starts its own CLIENT span per API call
 *   (`anthropic.messages.create`), on by default, as a child of the active
 *   span, and sends `traceparent` with the request. Off with the client
 *   option `openTelemetry: false` (or `{ traces: false }`), or the variable
 *   `ANTHROPIC_OPEN_TELEMETRY=false` read when the client is constructed
 *   (only when no option is given); `suppressTracing()` from
 *   @opentelemetry/core around the call also yields no span and no header.
 * - `openai` emits no span and sends no trace header.
 */
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { suppressTracing, W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeLlmServer, type FakeLlmServer } from '../support/fake-llm-server.ts';
import { anthropicClient, openAiClient } from '../support/sdk-clients.ts';

let server: FakeLlmServer;
let exporter: InMemorySpanExporter;
let provider: TracerProvider;
let contextManager: AsyncLocalStorageContextManager;

beforeAll(async () => {
  server = await startFakeLlmServer();
  exporter = new InMemorySpanExporter();
  provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  contextManager = new AsyncLocalStorageContextManager().enable();
  // As NodeSDK.start() does for configureTelemetry().
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
});
afterEach(() => {
  exporter.reset();
});
afterAll(async () => {
  trace.disable();
  context.disable();
  propagation.disable();
  await provider.shutdown();
  await server.close();
});

const REQUEST = { model: 'claude-sonnet-5-5', max_tokens: 256, messages: [{ role: 'user' as const, content: 'Weather in Paris?' }] };

/** Runs `call` inside a span standing for the kit's own LLM span; returns that span's id and the spans ended. */
async function underKitSpan(call: () => Promise<unknown>): Promise<{ parent: string; spans: ReadableSpan[] }> {
  exporter.reset();
  const tracer = trace.getTracer('kit-stand-in');
  const parent = tracer.startSpan('chat claude-sonnet-5-5', { kind: SpanKind.CLIENT });
  await context.with(trace.setSpan(context.active(), parent), call);
  parent.end();
  return { parent: parent.spanContext().spanId, spans: exporter.getFinishedSpans().filter((span) => span.name !== 'chat claude-sonnet-5-5') };
}

function lastTraceparent(): string | undefined {
  const header = server.requests.at(-1)?.headers.traceparent;
  return typeof header === 'string' ? header : undefined;
}

describe('@anthropic-ai/sdk', () => {
  it('by default: a CLIENT span anthropic.messages.create per call, child of the active span, with GenAI attributes; traceparent sent', async () => {
    const client = anthropicClient(server);
    const { parent, spans } = await underKitSpan(() => client.messages.create(REQUEST));
    expect(spans).toHaveLength(1);
    const [span] = spans as [ReadableSpan];
    expect(span.name).toBe('anthropic.messages.create');
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.parentSpanContext?.spanId).toBe(parent);
    expect(span.instrumentationScope.name).toBe('com.anthropic.sdk.typescript');
    expect(span.status.code).toBe(SpanStatusCode.OK);
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': 'claude-sonnet-5-5',
      'gen_ai.request.max_tokens': 256,
      'gen_ai.response.id': expect.stringMatching(/^msg_fake/),
      'gen_ai.response.model': 'claude-sonnet-5-5-20260101',
      // Cached tokens included, as the convention asks (Anthropic's own input_tokens is 30).
      'gen_ai.usage.input_tokens': 42,
      'gen_ai.usage.output_tokens': 7,
      'gen_ai.usage.cache_read.input_tokens': 8,
      // The GenAI development registry's name; released v1.41.1 calls it gen_ai.usage.cache_creation.input_tokens.
      'gen_ai.usage.cache_write.input_tokens': 4,
      'anthropic.message.stop_reason': 'end_turn',
      'server.address': '127.0.0.1',
      'server.port': server.port,
      'http.request.method': 'POST',
      'http.response.status_code': 200,
    });
    // What it leaves out: the convention's finish reasons (its stop reason is anthropic.message.stop_reason),
    // v1.41.1's cache creation name, and content by default.
    for (const absent of ['gen_ai.response.finish_reasons', 'gen_ai.usage.cache_creation.input_tokens', 'gen_ai.input.messages', 'gen_ai.output.messages', 'gen_ai.system_instructions']) {
      expect(span.attributes).not.toHaveProperty(absent);
    }
    expect(lastTraceparent()).toBe(`00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`);
  });

  it('streamed: the span lasts until the stream is read, and says so', async () => {
    const client = anthropicClient(server);
    const { spans } = await underKitSpan(async () => {
      const stream = await client.messages.create({ ...REQUEST, stream: true });
      for await (const event of stream) void event;
    });
    expect(spans).toHaveLength(1);
    expect(spans[0]?.attributes).toMatchObject({ 'gen_ai.request.stream': true, 'gen_ai.response.id': expect.stringMatching(/^msg_fake/), 'gen_ai.usage.output_tokens': 7 });
  });

  it('a failed call: the span has ERROR status and error.type', async () => {
    const client = anthropicClient(server);
    server.failNext(429);
    const { spans } = await underKitSpan(() => client.messages.create(REQUEST).catch(() => undefined));
    expect(spans).toHaveLength(1);
    expect(spans[0]?.status.code).toBe(SpanStatusCode.ERROR);
    expect(spans[0]?.attributes).toMatchObject({ 'http.response.status_code': 429, 'error.type': expect.any(String) });
  });

  it('off with the client option openTelemetry: false (or { traces: false }): no span, and no trace header either', async () => {
    for (const openTelemetry of [false, { traces: false }] as const) {
      const client = anthropicClient(server, { openTelemetry });
      const { spans } = await underKitSpan(() => client.messages.create(REQUEST));
      expect(spans).toEqual([]);
      expect(lastTraceparent()).toBeUndefined();
    }
  });

  it('off with ANTHROPIC_OPEN_TELEMETRY=false, read when the client is constructed and only when no option is given', async () => {
    const saved = process.env.ANTHROPIC_OPEN_TELEMETRY;
    process.env.ANTHROPIC_OPEN_TELEMETRY = 'false';
    try {
      const fromEnv = anthropicClient(server);
      const explicit = anthropicClient(server, { openTelemetry: { traces: true } });
      expect((await underKitSpan(() => fromEnv.messages.create(REQUEST))).spans).toEqual([]);
      expect((await underKitSpan(() => explicit.messages.create(REQUEST))).spans).toHaveLength(1);
    } finally {
      if (saved === undefined) delete process.env.ANTHROPIC_OPEN_TELEMETRY;
      else process.env.ANTHROPIC_OPEN_TELEMETRY = saved;
    }
    // Constructed before the variable changes: the client keeps what it read.
    const before = anthropicClient(server);
    process.env.ANTHROPIC_OPEN_TELEMETRY = 'false';
    try {
      expect((await underKitSpan(() => before.messages.create(REQUEST))).spans).toHaveLength(1);
    } finally {
      if (saved === undefined) delete process.env.ANTHROPIC_OPEN_TELEMETRY;
      else process.env.ANTHROPIC_OPEN_TELEMETRY = saved;
    }
  });

  it("suppressTracing from @opentelemetry/core around the call: the SDK's span is not recorded and no traceparent is sent, per call, for any client", async () => {
    const client = anthropicClient(server);
    const { spans } = await underKitSpan(() => context.with(suppressTracing(context.active()), () => client.messages.create(REQUEST)));
    expect(spans).toEqual([]);
    expect(lastTraceparent()).toBeUndefined();
    // The same client outside the suppressed context traces again.
    expect((await underKitSpan(() => client.messages.create(REQUEST))).spans).toHaveLength(1);
  });

  it('a client made before the tracer provider is registered still traces (it asks the global proxy provider)', async () => {
    trace.disable();
    const early = anthropicClient(server);
    trace.setGlobalTracerProvider(provider);
    expect((await underKitSpan(() => early.messages.create(REQUEST))).spans).toHaveLength(1);
  });

  it('content mode (option traces.contentMode, or ANTHROPIC_OPEN_TELEMETRY_TRACES_CONTENT_MODE=content) adds the messages as JSON strings; its output messages have no finish_reason', async () => {
    const client = anthropicClient(server, { openTelemetry: { traces: { contentMode: 'content' } } });
    const { spans } = await underKitSpan(() => client.messages.create({ ...REQUEST, system: 'Be brief.' }));
    const attributes = spans[0]?.attributes ?? {};
    expect(typeof attributes['gen_ai.input.messages']).toBe('string');
    expect(JSON.parse(attributes['gen_ai.input.messages'] as string)).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'Weather in Paris?' }] }]);
    // The v1.41.1 output schema requires finish_reason; the SDK leaves it out.
    expect(JSON.parse(attributes['gen_ai.output.messages'] as string)).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: 'The weather in Paris is rainy today' }] }]);
    expect(JSON.parse(attributes['gen_ai.system_instructions'] as string)).toEqual([{ type: 'text', content: 'Be brief.' }]);
  });
});

describe('openai', () => {
  it('emits no span and sends no trace header, whole or streamed', async () => {
    const client = openAiClient(server);
    const { spans } = await underKitSpan(async () => {
      await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] });
      for await (const chunk of await client.responses.create({ model: 'gpt-4.1', input: 'Hi', stream: true })) void chunk;
    });
    expect(spans).toEqual([]);
    expect(lastTraceparent()).toBeUndefined();
  });
});
