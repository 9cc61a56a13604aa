/**
 * What the provider SDKs return comes back from `traceLlmCall` as it is, and works as it does
 * untraced, while telemetry records usage from the result the caller consumes (issue 22, item 5):
 * - `APIPromise` (openai, @anthropic-ai/sdk): the same object; awaited, `.withResponse()` and
 *   `.asResponse()` work, the last with a body nobody has read; usage comes from the parsed body;
 * - stream handles (Anthropic's `MessageStream`, OpenAI's `ChatCompletionStream` and
 *   `ResponseStream`): the same object, read as the caller likes; usage comes from its final
 *   response, and the span lasts until the stream has ended.
 */
import { SpanStatusCode } from '@opentelemetry/api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { traceLlmCall, type LlmCallInfo } from '../../src/instrumentation/index.ts';
import { startFakeLlmServer, type FakeLlmServer } from '../support/fake-llm-server.ts';
import { useInMemoryTelemetry, type InMemoryTelemetry } from '../support/in-memory.ts';
import { anthropicClient, openAiClient } from '../support/sdk-clients.ts';

let server: FakeLlmServer;
let telemetry: InMemoryTelemetry;

beforeAll(async () => {
  server = await startFakeLlmServer();
});
afterAll(async () => {
  await server.close();
});
afterEach(async () => {
  await telemetry.shutdown();
});

const MESSAGES = [{ role: 'user' as const, content: 'Weather in Paris?' }];
const CHAT = { model: 'gpt-4o', messages: MESSAGES };
const MESSAGE = { model: 'claude-sonnet-5-5', max_tokens: 64, messages: MESSAGES };
const OPENAI = { provider: 'openai', model: 'gpt-4o', request: CHAT };
const ANTHROPIC = { provider: 'anthropic', model: MESSAGE.model, request: MESSAGE };

async function onlySpan() {
  const spans = await telemetry.spans();
  expect(spans.map((span) => span.name)).toHaveLength(1);
  return spans[0]!;
}

/** The usage the fake server reports (42 in, of which 8 cached; 7 out), as the span records it. */
const USAGE = { 'gen_ai.usage.input_tokens': 42, 'gen_ai.usage.output_tokens': 7, 'gen_ai.usage.cache_read.input_tokens': 8, 'llm.usage.prompt_tokens': 42 };

/** What both SDKs' `APIPromise` has: a promise with `withResponse()` and `asResponse()`. */
type ApiPromise = Promise<{ usage?: unknown }> & { withResponse(): Promise<{ data: { usage?: unknown }; response: Response }>; asResponse(): Promise<Response> };

const API_PROMISES: ReadonlyArray<readonly [string, LlmCallInfo, () => ApiPromise]> = [
  ['openai', OPENAI, () => openAiClient(server).chat.completions.create(CHAT)],
  ['@anthropic-ai/sdk', ANTHROPIC, () => anthropicClient(server).messages.create(MESSAGE)],
];

describe.each(API_PROMISES)('%s APIPromise', (_sdk, info, create) => {
  it('comes back itself; awaited, the usage of the parsed body is recorded', async () => {
    telemetry = useInMemoryTelemetry();
    let created: unknown;
    const traced = traceLlmCall(info, () => (created = create()));
    expect(traced).toBe(created);
    const result = await traced;
    expect(result).toHaveProperty('usage');
    expect((await onlySpan()).attributes).toMatchObject(USAGE);
  });

  it('.withResponse(): the data and the raw response, and the usage recorded from the data', async () => {
    telemetry = useInMemoryTelemetry();
    const { data, response } = await traceLlmCall(info, create).withResponse();
    expect(response.status).toBe(200);
    expect(data).toHaveProperty('usage');
    expect((await onlySpan()).attributes).toMatchObject({ ...USAGE, 'llm.response.received': true });
  });

  it('.asResponse(): a response whose body the caller reads; the span ends with the response, without usage', async () => {
    telemetry = useInMemoryTelemetry();
    const response = await traceLlmCall(info, create).asResponse();
    const body = (await response.json()) as { usage?: unknown };
    expect(body.usage).toBeDefined();
    const span = await onlySpan();
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.attributes['llm.response.received']).toBe(true);
    expect(span.attributes).not.toHaveProperty('gen_ai.usage.input_tokens');
  });

  it('a failure reaches the caller as the SDK throws it, and is recorded', async () => {
    telemetry = useInMemoryTelemetry();
    server.failNext(429);
    const error = await traceLlmCall(info, create).catch((thrown: unknown) => thrown);
    expect((error as Error).constructor.name).toBe('RateLimitError');
    const span = await onlySpan();
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toBe('RateLimitError');
  });
});

describe('stream handles', () => {
  it("Anthropic's MessageStream comes back itself; read to its end, its final message's usage is recorded", async () => {
    telemetry = useInMemoryTelemetry();
    let created: unknown;
    const stream = traceLlmCall(ANTHROPIC, () => (created = anthropicClient(server).messages.stream(MESSAGE)));
    expect(stream).toBe(created);
    let text = '';
    stream.on('text', (delta) => (text += delta));
    const final = await stream.finalMessage();
    expect(text).toBe('The weather in Paris is rainy today');
    expect(final.usage.output_tokens).toBe(7);
    // Anthropic counts cached tokens apart: 30 + 8 read + 4 written.
    expect((await onlySpan()).attributes).toMatchObject({ ...USAGE, 'gen_ai.usage.cache_creation.input_tokens': 4, 'gen_ai.request.stream': true, 'gen_ai.response.finish_reasons': ['end_turn'] });
  });

  it('a MessageStream iterated with for await: the span ends when the stream does', async () => {
    telemetry = useInMemoryTelemetry();
    const stream = traceLlmCall(ANTHROPIC, () => anthropicClient(server).messages.stream(MESSAGE));
    let events = 0;
    for await (const event of stream) events += event.type === 'content_block_delta' ? 1 : 0;
    expect(events).toBe(7);
    await stream.done();
    await new Promise((resolve) => setImmediate(resolve));
    expect((await onlySpan()).attributes).toMatchObject(USAGE);
  });

  it('a MessageStream that fails: the error on the span, and the stream reports it as it does untraced', async () => {
    telemetry = useInMemoryTelemetry();
    server.failNext(500);
    const stream = traceLlmCall(ANTHROPIC, () => anthropicClient(server).messages.stream(MESSAGE));
    const seen = await new Promise<unknown>((resolve) => stream.on('error', resolve));
    expect((seen as Error).constructor.name).toBe('InternalServerError');
    await stream.done().catch(() => undefined);
    await new Promise((resolve) => setImmediate(resolve));
    const span = await onlySpan();
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toBe('InternalServerError');
  });

  it("OpenAI's ChatCompletionStream and ResponseStream: the final completion's and response's usage", async () => {
    telemetry = useInMemoryTelemetry();
    const client = openAiClient(server);
    const chat = traceLlmCall(OPENAI, () => client.chat.completions.stream({ ...CHAT, stream_options: { include_usage: true } }));
    for await (const chunk of chat) void chunk;
    expect((await chat.finalChatCompletion()).usage?.prompt_tokens).toBe(42);
    const responses = traceLlmCall({ provider: 'openai', model: 'gpt-4.1' }, () => client.responses.stream({ model: 'gpt-4.1', input: 'Weather in Paris?' }));
    expect((await responses.finalResponse()).usage?.input_tokens).toBe(42);
    await new Promise((resolve) => setImmediate(resolve));
    const spans = await telemetry.spans();
    expect(spans.map((span) => [span.name, span.attributes['gen_ai.usage.input_tokens'], span.attributes['gen_ai.request.stream']])).toEqual([
      ['chat gpt-4o', 42, true],
      ['chat gpt-4.1', 42, true],
    ]);
  });
});
