/**
 * The provider layer read against what real clients send and receive: the
 * `openai` and `@anthropic-ai/sdk` SDKs talk to a local fake server
 * (test/support/fake-llm-server.ts, 127.0.0.1 only), whole and streamed, and
 * every stream event the SDK yields is fed to `streamEventFacts`. Gemini and
 * Ollama, which have no SDK here, go through a small fetch client with
 * their documented JSON. Every fact is asserted.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  completeResponseFacts,
  isOutputChunk,
  mergeResponseFacts,
  requestFacts,
  responseFacts,
  serverOf,
  streamEventFacts,
  toolDefinitions,
  type ResponseFacts,
} from '../../src/instrumentation/providers/index.ts';
import { FakeHttpError, postJson, postStream, startFakeLlmServer, type FakeLlmServer } from '../support/fake-llm-server.ts';
import { anthropicClient, openAiClient } from '../support/sdk-clients.ts';

let server: FakeLlmServer;
let openai: OpenAI;
let anthropic: Anthropic;

beforeAll(async () => {
  server = await startFakeLlmServer();
  openai = openAiClient(server);
  anthropic = anthropicClient(server);
});
afterAll(async () => {
  await server.close();
});

/** What the server received last: the request as it went over the wire. */
function lastBody(): Record<string, unknown> {
  const request = server.requests.at(-1);
  if (request === undefined) throw new Error('no request received');
  return request.body;
}

async function fold(events: AsyncIterable<unknown>): Promise<{ facts: ResponseFacts; count: number }> {
  let facts: ResponseFacts = {};
  let count = 0;
  for await (const event of events) {
    facts = mergeResponseFacts(facts, streamEventFacts(event));
    count += 1;
  }
  return { facts: completeResponseFacts(facts), count };
}

function foldAll(events: readonly unknown[]): ResponseFacts {
  return completeResponseFacts(events.reduce<ResponseFacts>((facts, event) => mergeResponseFacts(facts, streamEventFacts(event)), {}));
}

// The fake answers "The weather in Paris is rainy today": 7 words, one token each; 42 prompt tokens,
// 8 of them read from the cache (Anthropic: 4 more written to it); 5 reasoning tokens when asked to reason.
const PROMPT = { promptTokens: 42, cacheReadTokens: 8 };

describe('OpenAI Chat Completions', () => {
  it('whole: every sampling parameter, n = 2, JSON output; id, model, one finish reason per choice, usage', async () => {
    const params = {
      model: 'gpt-4o',
      messages: [
        { role: 'system' as const, content: 'You are terse.' },
        { role: 'user' as const, content: 'Weather in Paris?' },
      ],
      max_completion_tokens: 100,
      temperature: 0.2,
      top_p: 0.9,
      stop: ['END', 'STOP'],
      frequency_penalty: 0.1,
      presence_penalty: -0.5,
      seed: 7,
      n: 2,
      response_format: { type: 'json_object' as const },
    };
    const expected = {
      model: 'gpt-4o',
      maxTokens: 100,
      temperature: 0.2,
      topP: 0.9,
      stopSequences: ['END', 'STOP'],
      frequencyPenalty: 0.1,
      presencePenalty: -0.5,
      seed: 7,
      choiceCount: 2,
      outputType: 'json',
    };
    expect(requestFacts(params)).toEqual(expected);
    const completion = await openai.chat.completions.create(params);
    expect(requestFacts(lastBody())).toEqual(expected);
    expect(responseFacts(completion)).toEqual({
      id: 'chatcmpl-fake' + completion.id.slice(-4),
      model: 'gpt-4o-2026-01-01',
      finishReasons: ['stop', 'stop'],
      usage: { ...PROMPT, completionTokens: 14, totalTokens: 56 },
      serviceTier: 'default',
      systemFingerprint: 'fp_fake',
    });
    expect(completion.id).toMatch(/^chatcmpl-fake\d{4}$/);
  });

  it('whole: legacy max_tokens and a stop string; a cut answer finishes with length', async () => {
    const params = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'Hi' }], max_tokens: 3, stop: 'END' };
    expect(requestFacts(params)).toEqual({ model: 'gpt-4o-mini', maxTokens: 3, stopSequences: ['END'] });
    const completion = await openai.chat.completions.create(params);
    expect(completion.choices[0]?.message.content).toBe('The weather in');
    expect(responseFacts(completion)).toMatchObject({ model: 'gpt-4o-mini-2026-01-01', finishReasons: ['length'], usage: { ...PROMPT, completionTokens: 3, totalTokens: 45 } });
  });

  it('max_completion_tokens wins over max_tokens; n = 1 is still reported (the convention drops it, not the reader)', () => {
    expect(requestFacts({ model: 'o3', max_completion_tokens: 50, max_tokens: 10, n: 1 })).toEqual({ model: 'o3', maxTokens: 50, choiceCount: 1 });
  });

  it('streamed with include_usage: every chunk folded gives what the whole answer gives', async () => {
    const params = { model: 'gpt-4o', messages: [{ role: 'user' as const, content: 'Weather?' }], stream: true as const, stream_options: { include_usage: true } };
    expect(requestFacts(params)).toEqual({ model: 'gpt-4o', stream: true });
    const stream = await openai.chat.completions.create(params);
    const { facts, count } = await fold(stream);
    expect(count).toBe(1 + 7 + 1 + 1); // role, seven words, finish, usage
    expect(facts).toEqual({
      id: expect.stringMatching(/^chatcmpl-fake\d{4}$/),
      model: 'gpt-4o-2026-01-01',
      finishReasons: ['stop'],
      usage: { ...PROMPT, completionTokens: 7, totalTokens: 49 },
      serviceTier: 'default',
      systemFingerprint: 'fp_fake',
    });
  });

  it('streamed without usage, two choices calling a tool: a finish reason per choice, no usage', async () => {
    const stream = await openai.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
      n: 2,
      stream: true,
    });
    const { facts } = await fold(stream);
    expect(facts).toEqual({ id: expect.stringMatching(/^chatcmpl-fake/), model: 'gpt-4o-2026-01-01', finishReasons: ['tool_calls', 'tool_calls'], serviceTier: 'default', systemFingerprint: 'fp_fake' });
  });

  it('audio output is speech, a text format text, a JSON schema json', () => {
    expect(requestFacts({ model: 'gpt-4o-audio-preview', modalities: ['text', 'audio'] }).outputType).toBe('speech');
    expect(requestFacts({ response_format: { type: 'text' } }).outputType).toBe('text');
    expect(requestFacts({ response_format: { type: 'json_schema', json_schema: { name: 'x', schema: {} } } }).outputType).toBe('json');
  });

  it('reasoning tokens are read when the model reasoned, and not when it reports 0', async () => {
    const completion = await openai.chat.completions.create({ model: 'o3', messages: [{ role: 'user', content: 'Hi' }], reasoning_effort: 'low' });
    // reasoning_effort alone does not make the fake reason: it reports reasoning_tokens 0, as gpt-4o does.
    expect(completion.usage?.completion_tokens_details?.reasoning_tokens).toBe(0);
    expect(responseFacts(completion).usage).toEqual({ ...PROMPT, completionTokens: 7, totalTokens: 49 });
    expect(responseFacts({ ...completion, usage: { ...completion.usage, completion_tokens_details: { reasoning_tokens: 64 } } }).usage?.reasoningTokens).toBe(64);
  });
});

describe('OpenAI Responses API', () => {
  it('whole: max_output_tokens, text.format, conversation; status completed; reasoning and conversation read back', async () => {
    const params = {
      model: 'gpt-4.1',
      instructions: 'Answer briefly.',
      input: 'Weather in Paris?',
      max_output_tokens: 100,
      temperature: 0.5,
      top_p: 0.8,
      reasoning: { effort: 'low' as const },
      text: { format: { type: 'json_schema' as const, name: 'weather', schema: { type: 'object' } } },
      conversation: 'conv_5j66UpCpwteGg4YSxUnt7lPY',
    };
    const expected = { model: 'gpt-4.1', maxTokens: 100, temperature: 0.5, topP: 0.8, outputType: 'json', conversationId: 'conv_5j66UpCpwteGg4YSxUnt7lPY' };
    expect(requestFacts(params)).toEqual(expected);
    const response = await openai.responses.create(params);
    expect(requestFacts(lastBody())).toEqual(expected);
    expect(response.output_text).toBe('The weather in Paris is rainy today');
    expect(responseFacts(response)).toEqual({
      id: response.id,
      model: 'gpt-4.1-2026-01-01',
      finishReasons: ['completed'],
      usage: { ...PROMPT, completionTokens: 12, totalTokens: 54, reasoningTokens: 5 },
      conversationId: 'conv_5j66UpCpwteGg4YSxUnt7lPY',
      serviceTier: 'default',
    });
    expect(response.id).toMatch(/^resp_fake\d{4}$/);
  });

  it('conversation given as { id }', () => {
    expect(requestFacts({ model: 'gpt-4.1', conversation: { id: 'conv_1' } }).conversationId).toBe('conv_1');
  });

  it('streamed and cut by max_output_tokens: the incomplete reason is the finish reason', async () => {
    const stream = await openai.responses.create({ model: 'gpt-4.1', input: 'Weather?', max_output_tokens: 2, stream: true });
    const { facts, count } = await fold(stream);
    expect(count).toBeGreaterThan(5);
    expect(facts).toEqual({
      id: expect.stringMatching(/^resp_fake/),
      model: 'gpt-4.1-2026-01-01',
      finishReasons: ['max_output_tokens'],
      usage: { ...PROMPT, completionTokens: 2, totalTokens: 44 },
      serviceTier: 'default',
    });
  });

  it('the stream helper (responses.stream) yields the same events; created and in_progress report no finish reason', async () => {
    const stream = openai.responses.stream({ model: 'gpt-4.1', input: 'Weather?' });
    const seen: unknown[] = [];
    for await (const event of stream) seen.push(event);
    const created = seen.find((event) => (event as { type: string }).type === 'response.created');
    expect(streamEventFacts(created)).toEqual({ id: expect.stringMatching(/^resp_fake/), model: 'gpt-4.1-2026-01-01', serviceTier: 'default' });
    expect(foldAll(seen)).toEqual({
      id: expect.stringMatching(/^resp_fake/),
      model: 'gpt-4.1-2026-01-01',
      finishReasons: ['completed'],
      usage: { ...PROMPT, completionTokens: 7, totalTokens: 49 },
      serviceTier: 'default',
    });
    const final = await stream.finalResponse();
    expect(responseFacts(final)).toEqual(foldAll(seen));
  });

  it('failed and cancelled statuses are finish reasons; queued is none yet', () => {
    expect(responseFacts({ object: 'response', id: 'r', status: 'failed', output: [] }).finishReasons).toEqual(['failed']);
    expect(responseFacts({ object: 'response', status: 'cancelled', output: [] }).finishReasons).toEqual(['cancelled']);
    expect(responseFacts({ object: 'response', status: 'queued', output: [] }).finishReasons).toBeUndefined();
    expect(responseFacts({ object: 'response', status: 'incomplete', incomplete_details: { reason: 'content_filter' }, output: [] }).finishReasons).toEqual(['content_filter']);
  });
});

describe('Anthropic Messages', () => {
  it('whole: max_tokens, stop_sequences, top_k, output_config.format; stop_sequence; cache tokens counted in the prompt', async () => {
    const params = {
      model: 'claude-sonnet-5-5',
      max_tokens: 1024,
      system: 'You are terse.',
      messages: [{ role: 'user' as const, content: 'Weather in Paris?' }],
      temperature: 0.3,
      top_p: 0.95,
      top_k: 40,
      stop_sequences: ['rainy'],
      output_config: { format: { type: 'json_schema' as const, schema: { type: 'object' } } },
    };
    const expected = { model: 'claude-sonnet-5-5', maxTokens: 1024, temperature: 0.3, topP: 0.95, topK: 40, stopSequences: ['rainy'], outputType: 'json' };
    expect(requestFacts(params)).toEqual(expected);
    const message = await anthropic.messages.create(params);
    expect(requestFacts(lastBody())).toEqual(expected);
    expect(message.content).toEqual([{ type: 'text', text: 'The weather in Paris is', citations: null }]);
    expect(responseFacts(message)).toEqual({
      id: message.id,
      model: 'claude-sonnet-5-5-20260101',
      finishReasons: ['stop_sequence'],
      // input_tokens 30 + cache read 8 + cache creation 4 = 42
      usage: { promptTokens: 42, completionTokens: 5, totalTokens: 47, cacheReadTokens: 8, cacheCreationTokens: 4 },
    });
    expect(message.id).toMatch(/^msg_fake\d{4}$/);
  });

  it('streamed (create with stream: true) and thinking: message_start and message_delta folded; thinking tokens are reasoning', async () => {
    const params = { model: 'claude-sonnet-5-5', max_tokens: 2048, messages: [{ role: 'user' as const, content: 'Weather?' }], thinking: { type: 'enabled' as const, budget_tokens: 1024 }, stream: true as const };
    expect(requestFacts(params)).toEqual({ model: 'claude-sonnet-5-5', maxTokens: 2048, stream: true });
    const stream = await anthropic.messages.create(params);
    const events: unknown[] = [];
    for await (const event of stream) events.push(event);
    expect(events.map((event) => (event as { type: string }).type)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'content_block_start',
      ...Array<string>(7).fill('content_block_delta'),
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(streamEventFacts(events[0])).toEqual({
      id: expect.stringMatching(/^msg_fake/),
      model: 'claude-sonnet-5-5-20260101',
      usage: { promptTokens: 42, completionTokens: 1, cacheReadTokens: 8, cacheCreationTokens: 4 },
    });
    expect(foldAll(events)).toEqual({
      id: expect.stringMatching(/^msg_fake/),
      model: 'claude-sonnet-5-5-20260101',
      finishReasons: ['end_turn'],
      usage: { promptTokens: 42, completionTokens: 12, totalTokens: 54, cacheReadTokens: 8, cacheCreationTokens: 4, reasoningTokens: 5 },
    });
  });

  it('the stream helper (messages.stream) with a tool: tool_use, and its final message reads the same', async () => {
    const stream = anthropic.messages.stream({
      model: 'claude-sonnet-5-5',
      max_tokens: 512,
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: [{ name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }],
    });
    const events: unknown[] = [];
    for await (const event of stream) events.push(event);
    const folded = foldAll(events);
    expect(folded).toEqual({
      id: expect.stringMatching(/^msg_fake/),
      model: 'claude-sonnet-5-5-20260101',
      finishReasons: ['tool_use'],
      usage: { promptTokens: 42, completionTokens: 9, totalTokens: 51, cacheReadTokens: 8, cacheCreationTokens: 4 },
    });
    expect(responseFacts(await stream.finalMessage())).toEqual(folded);
  });

  it('max_tokens cuts the answer', async () => {
    const message = await anthropic.messages.create({ model: 'claude-haiku-5-5', max_tokens: 2, messages: [{ role: 'user', content: 'Hi' }] });
    expect(responseFacts(message).finishReasons).toEqual(['max_tokens']);
  });
});

describe('failures answered as the providers answer them', () => {
  it('OpenAI 429 and 500 reach the SDK as its RateLimitError and InternalServerError', async () => {
    server.failNext(429);
    const limited = await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] }).catch((error: unknown) => error);
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError);
    expect(limited).toMatchObject({ status: 429, code: 'rate_limit_exceeded', type: 'requests' });
    const failed = await openai.responses
      .create({ model: 'gpt-4.1', input: 'Hi', stream: true }, { headers: { 'x-fake-fail': '500' } })
      .catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(OpenAI.InternalServerError);
    expect(failed).toMatchObject({ status: 500, type: 'server_error' });
  });

  it('Anthropic 429 and 500 reach the SDK as its RateLimitError and InternalServerError', async () => {
    server.failNext(429);
    const limited = await anthropic.messages.create({ model: 'claude-sonnet-5-5', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] }).catch((error: unknown) => error);
    expect(limited).toBeInstanceOf(Anthropic.RateLimitError);
    expect(limited).toMatchObject({ status: 429, error: { type: 'error', error: { type: 'rate_limit_error' } } });
    server.failNext(500);
    const stream = anthropic.messages.stream({ model: 'claude-sonnet-5-5', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] });
    const failed = await stream.finalMessage().catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(Anthropic.InternalServerError);
  });

  it('Gemini and Ollama error bodies', async () => {
    server.failNext(429);
    const gemini = await postJson(`${server.url}/v1beta/models/gemini-2.5-flash:generateContent`, { contents: [] }).catch((error: unknown) => error);
    expect(gemini).toBeInstanceOf(FakeHttpError);
    expect(gemini).toMatchObject({ status: 429, body: { error: { code: 429, status: 'RESOURCE_EXHAUSTED' } } });
    const ollama = await postJson(`${server.url}/api/chat`, { model: 'llama3.2', messages: [] }, { 'x-fake-fail': '500' }).catch((error: unknown) => error);
    expect(ollama).toMatchObject({ status: 500, body: { error: 'llama runner process has terminated' } });
  });
});

describe('Gemini generateContent (REST JSON and the @google/genai parameter shape)', () => {
  const generationConfig = {
    maxOutputTokens: 256,
    temperature: 0.7,
    topP: 0.95,
    topK: 64,
    stopSequences: ['END'],
    candidateCount: 2,
    seed: 1234,
    presencePenalty: 0.25,
    frequencyPenalty: 0.5,
    responseMimeType: 'application/json',
  };
  const settings = { maxTokens: 256, temperature: 0.7, topP: 0.95, topK: 64, stopSequences: ['END'], choiceCount: 2, seed: 1234, presencePenalty: 0.25, frequencyPenalty: 0.5, outputType: 'json' };

  it('whole: generationConfig read; responseId, modelVersion, a finishReason per candidate, thinking tokens', async () => {
    const body = { contents: [{ role: 'user', parts: [{ text: 'Weather in Paris?' }] }], generationConfig: { ...generationConfig, thinkingConfig: { thinkingBudget: 512 } } };
    // The REST body has no model: it is in the URL, so the framework names it.
    expect(requestFacts(body)).toEqual(settings);
    const response = await postJson(`${server.url}/v1beta/models/gemini-2.5-flash:generateContent`, body);
    expect(responseFacts(response)).toEqual({
      id: expect.stringMatching(/^gemini-fake-/),
      model: 'gemini-2.5-flash',
      finishReasons: ['STOP', 'STOP'],
      usage: { promptTokens: 42, completionTokens: 19, totalTokens: 61, cacheReadTokens: 8, reasoningTokens: 5 },
    });
  });

  it('@google/genai parameters: model beside contents, settings in config', () => {
    expect(requestFacts({ model: 'gemini-2.5-pro', contents: 'Hi', config: generationConfig })).toEqual({ model: 'gemini-2.5-pro', ...settings });
    expect(requestFacts({ generation_config: { max_output_tokens: 5, top_k: 3 } })).toEqual({ maxTokens: 5, topK: 3 });
    expect(requestFacts({ generationConfig: { responseModalities: ['TEXT', 'IMAGE'] } }).outputType).toBe('image');
    expect(requestFacts({ config: { responseModalities: ['AUDIO'] } }).outputType).toBe('speech');
    expect(requestFacts({ config: { responseMimeType: 'text/x.enum' } }).outputType).toBe('text');
    expect(requestFacts({ config: { responseJsonSchema: { type: 'object' } } }).outputType).toBe('json');
  });

  it('streamed (alt=sse): running usage totals, the last chunk finishes with MAX_TOKENS', async () => {
    const chunks = await postStream(`${server.url}/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse`, {
      contents: [{ role: 'user', parts: [{ text: 'Weather?' }] }],
      generationConfig: { maxOutputTokens: 4 },
    });
    expect(chunks).toHaveLength(4);
    expect(foldAll(chunks)).toEqual({
      id: expect.stringMatching(/^gemini-fake-/),
      model: 'gemini-2.5-flash',
      finishReasons: ['MAX_TOKENS'],
      usage: { promptTokens: 42, completionTokens: 4, totalTokens: 46, cacheReadTokens: 8 },
    });
  });
});

describe('Ollama chat and generate', () => {
  it('chat, whole: options.num_predict/top_p/top_k/stop/seed, format json; model, done_reason, eval counts', async () => {
    const body = {
      model: 'llama3.2',
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      stream: false,
      format: 'json',
      options: { num_predict: 128, temperature: 0.1, top_p: 0.9, top_k: 20, stop: ['<|eot|>'], seed: 42, frequency_penalty: 0.2, presence_penalty: 0.3 },
    };
    const expected = { model: 'llama3.2', maxTokens: 128, temperature: 0.1, topP: 0.9, topK: 20, stopSequences: ['<|eot|>'], seed: 42, frequencyPenalty: 0.2, presencePenalty: 0.3, stream: false, outputType: 'json' };
    expect(requestFacts(body)).toEqual(expected);
    const response = await postJson(`${server.url}/api/chat`, body);
    expect(responseFacts(response)).toEqual({ model: 'llama3.2', finishReasons: ['stop'], usage: { promptTokens: 42, completionTokens: 7, totalTokens: 49 } });
  });

  it('chat, streamed by default (no stream field, so none reported): the final chunk carries done_reason and counts', async () => {
    const body = { model: 'llama3.2', messages: [{ role: 'user', content: 'Weather?' }], options: { num_predict: 5 } };
    expect(requestFacts(body)).toEqual({ model: 'llama3.2', maxTokens: 5 });
    const chunks = await postStream(`${server.url}/api/chat`, body);
    expect(chunks).toHaveLength(6);
    expect(streamEventFacts(chunks[0])).toEqual({ model: 'llama3.2' });
    expect(foldAll(chunks)).toEqual({ model: 'llama3.2', finishReasons: ['length'], usage: { promptTokens: 42, completionTokens: 5, totalTokens: 47 } });
  });

  it('generate, whole and streamed; num_predict -1 (no limit) is no max tokens; a JSON-schema format is json', async () => {
    const body = { model: 'qwen3', prompt: 'Weather?', system: 'Be brief.', format: { type: 'object' }, options: { num_predict: -1 } };
    expect(requestFacts(body)).toEqual({ model: 'qwen3', outputType: 'json' });
    const whole = await postJson(`${server.url}/api/generate`, { ...body, stream: false });
    expect(responseFacts(whole)).toEqual({ model: 'qwen3', finishReasons: ['stop'], usage: { promptTokens: 42, completionTokens: 7, totalTokens: 49 } });
    const chunks = await postStream(`${server.url}/api/generate`, body);
    expect(foldAll(chunks)).toEqual(responseFacts(whole));
  });
});

describe('serverOf', () => {
  it('the SDK clients base URLs: 127.0.0.1 and the fake server port', () => {
    expect(serverOf(openai.baseURL)).toEqual({ address: '127.0.0.1', port: server.port });
    expect(serverOf(anthropic.baseURL)).toEqual({ address: '127.0.0.1', port: server.port });
  });

  it('default ports by scheme, explicit ones kept, never userinfo or query', () => {
    expect(serverOf('https://api.openai.com/v1')).toEqual({ address: 'api.openai.com', port: 443 });
    expect(serverOf('https://api.anthropic.com')).toEqual({ address: 'api.anthropic.com', port: 443 });
    expect(serverOf('http://localhost:11434')).toEqual({ address: 'localhost', port: 11434 });
    expect(serverOf('http://ollama.internal/api')).toEqual({ address: 'ollama.internal', port: 80 });
    expect(serverOf('https://api.openai.com:443/v1')).toEqual({ address: 'api.openai.com', port: 443 });
    expect(serverOf(new URL('wss://realtime.example.com/v1'))).toEqual({ address: 'realtime.example.com', port: 443 });
    expect(serverOf('https://user:secret@gateway.example.com:8443/v1?key=abc')).toEqual({ address: 'gateway.example.com', port: 8443 });
    expect(serverOf('http://[::1]:8080/v1')).toEqual({ address: '::1', port: 8080 });
  });

  it('no scheme: the address, and the port only when written; nothing for what names no server', () => {
    expect(serverOf('localhost:1234/v1')).toEqual({ address: 'localhost', port: 1234 });
    expect(serverOf('api.example.com')).toEqual({ address: 'api.example.com' });
    for (const nothing of [undefined, '', '   ', 'file:///tmp/x', 'http://', 42 as unknown as string]) expect(serverOf(nothing)).toEqual({});
  });

  it('reads a base URL once and remembers it, answering right for more URLs than it remembers', () => {
    expect(serverOf('https://api.openai.com/v1')).toBe(serverOf('https://api.openai.com/v1'));
    for (let round = 0; round < 2; round += 1) {
      for (let port = 9000; port < 9040; port += 1) expect(serverOf(`http://gateway-${port}.internal:${port}/v1`)).toEqual({ address: `gateway-${port}.internal`, port });
    }
    // One with userinfo or a query may carry a key: read each time, never kept.
    const withKey = 'https://user:secret@gateway.example.com:8443/v1?key=abc';
    expect(serverOf(withKey)).toEqual({ address: 'gateway.example.com', port: 8443 });
    expect(serverOf(withKey)).not.toBe(serverOf(withKey));
    const hostile = Object.create(URL.prototype, { href: { get: () => { throw new Error('getter'); } } }) as URL;
    expect(serverOf(hostile)).toEqual({});
  });
});

describe('folding and robustness', () => {
  it('mergeResponseFacts: later id and model win, finish reasons accumulate, usage folds by field', () => {
    const a: ResponseFacts = { id: 'a', model: 'm1', finishReasons: ['stop'], usage: { promptTokens: 10, completionTokens: 1 } };
    const b: ResponseFacts = { model: 'm2', finishReasons: ['length'], usage: { completionTokens: 20 } };
    expect(mergeResponseFacts(a, b)).toEqual({ id: 'a', model: 'm2', finishReasons: ['stop', 'length'], usage: { promptTokens: 10, completionTokens: 20 } });
    expect(mergeResponseFacts({}, {})).toEqual({});
    expect(completeResponseFacts(mergeResponseFacts(a, b)).usage).toEqual({ promptTokens: 10, completionTokens: 20, totalTokens: 30 });
  });

  it("the kit's own response shape", () => {
    expect(responseFacts({ id: 'x', model: 'fake-large', finishReason: 'stop', usage: { promptTokens: 3, completionTokens: 4, reasoningTokens: 0 } })).toEqual({
      id: 'x',
      model: 'fake-large',
      finishReasons: ['stop'],
      usage: { promptTokens: 3, completionTokens: 4, totalTokens: 7, reasoningTokens: 0 },
    });
  });

  it('wrong types are not reported', () => {
    expect(requestFacts({ model: 42, max_tokens: -1, temperature: Number.NaN, top_p: '0.9', stop: [1, ''], seed: 1.5, n: 0, stream: 'yes' })).toEqual({});
    expect(responseFacts({ choices: [{ finish_reason: null }], id: 7 })).toEqual({});
  });

  it('never throws: junk, throwing getters and proxies are "nothing known"', () => {
    const hostile = new Proxy({}, { get: () => { throw new Error('trap'); }, has: () => { throw new Error('trap'); }, ownKeys: () => { throw new Error('trap'); } });
    const getter = Object.defineProperty({ choices: [] }, 'usage', { get: () => { throw new Error('getter'); }, enumerable: true });
    for (const junk of [undefined, null, 0, 'text', [], hostile, getter, { type: 'message_delta', delta: hostile }, { type: 'response.completed', response: hostile }]) {
      expect(() => requestFacts(junk)).not.toThrow();
      expect(() => responseFacts(junk)).not.toThrow();
      expect(() => streamEventFacts(junk)).not.toThrow();
    }
    expect(requestFacts(hostile)).toEqual({});
    expect(responseFacts(hostile)).toEqual({});
    expect(streamEventFacts({ type: 'message_delta', delta: hostile })).toEqual({});
    expect(() => mergeResponseFacts(hostile as ResponseFacts, {})).not.toThrow();
  });
});

describe('response facts as built', () => {
  // toEqual ignores keys whose value is undefined; these pin that none are there and the key order.
  it('keep only what is known, in the order id, model, finishReasons, usage, conversationId', () => {
    expect(Object.keys(responseFacts({ model: 'm', choices: [{}], id: 'x' }))).toEqual(['id', 'model']);
    expect(Object.keys(responseFacts({ object: 'response', status: 'completed', output: [], conversation: { id: 'c' }, usage: { input_tokens: 1 }, model: 'm' }))).toEqual([
      'model',
      'finishReasons',
      'usage',
      'conversationId',
    ]);
    expect(Object.keys(streamEventFacts({ type: 'message_start', message: { id: 'a', model: 'm', stop_reason: 'end_turn', usage: { input_tokens: 1 } } }))).toEqual(['id', 'model', 'usage']);
    expect(Object.keys(streamEventFacts({ type: 'message_delta', delta: {} }))).toEqual([]);
    expect(Object.keys(mergeResponseFacts({ model: 'a' }, { id: 'b' }))).toEqual(['id', 'model']);
  });
});

describe('isOutputChunk: the chunks the chunk metrics count', () => {
  it.each([
    ['a piece of text', 'Hello', true],
    ['an empty string', '', false],
    ['an OpenAI role chunk (content "")', { choices: [{ index: 0, delta: { role: 'assistant', content: '' } }] }, false],
    ['an OpenAI tool-call delta', { choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '{"ci' } }] } }] }, true],
    ['an OpenAI usage chunk', { choices: [], usage: { prompt_tokens: 4 } }, false],
    ['a Responses reasoning summary delta', { type: 'response.reasoning_summary_text.delta', delta: 'Thinking' }, true],
    ['a Responses lifecycle event', { type: 'response.output_item.done', item: {} }, false],
    ['an Anthropic signature delta', { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'x' } }, false],
    ['an Anthropic ping', { type: 'ping' }, false],
    ['a Gemini function call', { candidates: [{ content: { parts: [{ functionCall: { name: 'f', args: {} } }] } }] }, true],
    ['a Gemini chunk with nothing in it', { candidates: [{ content: { parts: [{ text: '' }] }, finishReason: 'STOP' }] }, false],
    ['an Ollama thinking chunk', { model: 'm', message: { role: 'assistant', content: '', thinking: 'Hmm' }, done: false }, true],
    ['a shape the kit does not know', { token: 'x' }, true],
    ['a chunk whose fields throw', new Proxy({}, { get: () => { throw new Error('no'); } }), true],
  ])('%s', (_name, chunk, output) => {
    expect(isOutputChunk(chunk)).toBe(output);
  });
});

describe('toolDefinitions: gen_ai.tool.definitions of a request', () => {
  it('reads every provider shape as { type, name }, built-in tools named after their type or key', () => {
    expect(toolDefinitions({ contents: [], tools: [{ functionDeclarations: [{ name: 'get_weather', parameters: {} }, { name: 'get_time' }] }, { googleSearch: {} }] })).toEqual([
      { type: 'function', name: 'get_weather' },
      { type: 'function', name: 'get_time' },
      { type: 'googleSearch', name: 'googleSearch' },
    ]);
    expect(toolDefinitions({ model: 'gemini-2.5-flash', contents: [], config: { tools: [{ codeExecution: {} }] } })).toEqual([{ type: 'codeExecution', name: 'codeExecution' }]);
    expect(toolDefinitions({ tools: [{ type: 'web_search_20250305', name: 'web_search', max_uses: 3 }, { type: 'custom', name: 'lookup', input_schema: {} }] })).toEqual([
      { type: 'web_search_20250305', name: 'web_search' },
      { type: 'function', name: 'lookup' },
    ]);
    expect(toolDefinitions({ model: 'llama3.2', messages: [], tools: [{ type: 'function', function: { name: 'get_weather' } }] })).toEqual([{ type: 'function', name: 'get_weather' }]);
  });

  it('no tools, or nothing it can read: none', () => {
    expect(toolDefinitions({ model: 'gpt-4o', messages: [] })).toBeUndefined();
    expect(toolDefinitions({ tools: [] })).toBeUndefined();
    expect(toolDefinitions({ tools: [42, null, { type: 'function', function: { description: 'no name' } }] })).toBeUndefined();
    expect(toolDefinitions(new Proxy({}, { get: () => { throw new Error('no'); } }))).toBeUndefined();
  });
});
