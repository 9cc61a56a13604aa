/**
 * GenAI attributes of LLM calls through the real provider SDKs, against the local fake server, in
 * the modes that emit GenAI names and under both GenAI targets:
 * - `gen_ai.request.stream` only when the request streams (unset means not streaming);
 * - `openai.request.service_tier`, `openai.response.service_tier`,
 *   `openai.response.system_fingerprint` (`span.openai.inference.client`) when request and response
 *   carry them, for the OpenAI provider only;
 * - `gen_ai.tool.definitions` with content capture on and tools in the request.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { traceLlmCall, traceLlmStream } from '../../src/instrumentation/index.ts';
import type { Conventions } from '../../src/runtime/rules.ts';
import { startFakeLlmServer, type FakeLlmServer } from '../support/fake-llm-server.ts';
import { useInMemoryTelemetry, type InMemoryTelemetry } from '../support/in-memory.ts';
import { anthropicClient, openAiClient } from '../support/sdk-clients.ts';
import { bindProviders } from '../../src/runtime/bind.ts';

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
  { conventions: 'gen_ai', optIn: false },
  { conventions: 'both', optIn: false },
  { conventions: 'gen_ai', optIn: true },
  { conventions: 'both', optIn: true },
];

const MESSAGES = [{ role: 'user' as const, content: 'Weather in Paris?' }];
const WEATHER_PARAMETERS = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };

function bind(conventions: Conventions, optIn: boolean, captureContent = false): InMemoryTelemetry {
  const made = useInMemoryTelemetry({ conventions, semconvStabilityOptIn: optIn ? ['gen_ai_latest_experimental'] : [] });
  if (captureContent) {
    bindProviders({ tracerProvider: made.tracerProvider, meterProvider: made.meterProvider, conventions, semconvStabilityOptIn: optIn ? ['gen_ai_latest_experimental'] : [], captureContent: true });
  }
  return made;
}

async function onlySpan() {
  const spans = await telemetry!.spans();
  expect(spans).toHaveLength(1);
  return spans[0]!.attributes;
}

describe.each(MODES)('conventions $conventions, opt-in $optIn', ({ conventions, optIn }) => {
  it('gen_ai.request.stream: unset on whole-response calls, true on streams', async () => {
    telemetry = bind(conventions, optIn);
    const openai = openAiClient(server);
    const anthropic = anthropicClient(server);
    const chat = { model: 'gpt-4o', messages: MESSAGES };
    await traceLlmCall({ provider: 'openai', model: 'gpt-4o', request: chat }, () => openai.chat.completions.create(chat));
    const messages = { model: 'claude-sonnet-5-5', max_tokens: 64, messages: MESSAGES };
    await traceLlmCall({ provider: 'anthropic', model: messages.model, request: messages }, () => anthropic.messages.create(messages));
    const streamed = { ...chat, stream: true as const };
    for await (const chunk of traceLlmStream({ provider: 'openai', model: 'gpt-4o', request: streamed }, () => openai.chat.completions.create(streamed))) void chunk;
    // No request at all: the helper still knows it streams.
    for await (const chunk of traceLlmStream({ provider: 'anthropic', model: messages.model }, () => anthropic.messages.stream(messages))) void chunk;
    const spans = await telemetry.spans();
    expect(spans.map((span) => span.attributes['gen_ai.request.stream'])).toEqual([undefined, undefined, true, true]);
    expect(await telemetry.telemetry()).toConformToSpec();
  });

  it('openai.* service tier and system fingerprint, from the request and the response, whole and streamed', async () => {
    telemetry = bind(conventions, optIn);
    const openai = openAiClient(server);
    const chat = { model: 'gpt-4o', messages: MESSAGES, service_tier: 'priority' as const };
    await traceLlmCall({ provider: 'openai', model: 'gpt-4o', request: chat }, () => openai.chat.completions.create(chat));
    expect(await onlySpan()).toMatchObject({ 'openai.request.service_tier': 'priority', 'openai.response.service_tier': 'default', 'openai.response.system_fingerprint': 'fp_fake' });

    await telemetry.shutdown();
    telemetry = bind(conventions, optIn);
    const streamed = { model: 'gpt-4o', messages: MESSAGES, stream: true as const, service_tier: 'flex' as const };
    for await (const chunk of traceLlmStream({ provider: 'openai', model: 'gpt-4o', request: streamed }, () => openai.chat.completions.create(streamed))) void chunk;
    expect(await onlySpan()).toMatchObject({ 'openai.request.service_tier': 'flex', 'openai.response.service_tier': 'default', 'openai.response.system_fingerprint': 'fp_fake' });

    await telemetry.shutdown();
    telemetry = bind(conventions, optIn);
    // The Responses API: the tier, no fingerprint; `auto`, the default tier, is not recorded.
    const responses = { model: 'gpt-4.1', input: 'Weather in Paris?', service_tier: 'auto' as const };
    await traceLlmCall({ provider: 'openai', model: 'gpt-4.1', request: responses }, () => openai.responses.create(responses));
    const attributes = await onlySpan();
    expect(attributes['openai.response.service_tier']).toBe('default');
    expect(attributes).not.toHaveProperty('openai.request.service_tier');
    expect(attributes).not.toHaveProperty('openai.response.system_fingerprint');
    expect(await telemetry.telemetry()).toConformToSpec();
  });

  it('no openai.* attribute for another provider, even where its request has a service_tier', async () => {
    telemetry = bind(conventions, optIn);
    const anthropic = anthropicClient(server);
    const request = { model: 'claude-sonnet-5-5', max_tokens: 64, messages: MESSAGES, service_tier: 'standard_only' as const };
    await traceLlmCall({ provider: 'anthropic', model: request.model, request }, () => anthropic.messages.create(request));
    expect(Object.keys(await onlySpan()).filter((key) => key.startsWith('openai.'))).toEqual([]);
  });

  it('gen_ai.tool.definitions with content capture on and tools in the request: type and name of each', async () => {
    telemetry = bind(conventions, optIn, true);
    const openai = openAiClient(server);
    const anthropic = anthropicClient(server);
    const chat = { model: 'gpt-4o', messages: MESSAGES, tools: [{ type: 'function' as const, function: { name: 'get_weather', description: 'The weather in a city.', parameters: WEATHER_PARAMETERS } }] };
    await traceLlmCall({ provider: 'openai', model: 'gpt-4o', request: chat }, () => openai.chat.completions.create(chat));
    const responses = {
      model: 'gpt-4.1',
      input: 'Weather in Paris?',
      tools: [{ type: 'function' as const, name: 'get_weather', parameters: WEATHER_PARAMETERS, strict: true }, { type: 'web_search' as const }],
    };
    await traceLlmCall({ provider: 'openai', model: 'gpt-4.1', request: responses }, () => openai.responses.create(responses));
    const messages = {
      model: 'claude-sonnet-5-5',
      max_tokens: 64,
      messages: MESSAGES,
      tools: [{ name: 'get_weather', description: 'The weather in a city.', input_schema: { type: 'object' as const, properties: { city: { type: 'string' } } } }],
    };
    await traceLlmCall({ provider: 'anthropic', model: messages.model, request: messages }, () => anthropic.messages.create(messages));
    const definitions = (await telemetry.spans()).map((span) => JSON.parse(String(span.attributes['gen_ai.tool.definitions'])) as unknown);
    expect(definitions).toEqual([
      [{ type: 'function', name: 'get_weather' }],
      [
        { type: 'function', name: 'get_weather' },
        { type: 'web_search', name: 'web_search' },
      ],
      [{ type: 'function', name: 'get_weather' }],
    ]);
    expect(await telemetry.telemetry()).toConformToSpec();
  });

  it('no gen_ai.tool.definitions with content capture off', async () => {
    telemetry = bind(conventions, optIn);
    const openai = openAiClient(server);
    const chat = { model: 'gpt-4o', messages: MESSAGES, tools: [{ type: 'function' as const, function: { name: 'get_weather', parameters: WEATHER_PARAMETERS } }] };
    await traceLlmCall({ provider: 'openai', model: 'gpt-4o', request: chat }, () => openai.chat.completions.create(chat));
    expect(await onlySpan()).not.toHaveProperty('gen_ai.tool.definitions');
  });
});
