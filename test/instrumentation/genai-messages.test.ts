/**
 * Content capture in the GenAI JSON form: real SDK requests and responses
 * (the `openai` and `@anthropic-ai/sdk` clients against the local fake
 * server, whole and streamed), Gemini and Ollama JSON, and plain strings,
 * converted to gen_ai.input.messages / gen_ai.output.messages /
 * gen_ai.system_instructions, each checked against the official JSON
 * schemas of semantic conventions v1.41.1, then captured through the kit's
 * redaction and truncation.
 */
import { readFileSync } from 'node:fs';
import type Anthropic from '@anthropic-ai/sdk';
import type OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  captureMessages,
  capturedGenAiContent,
  capturedInputMessages,
  capturedOutputMessages,
  capturedSystemInstructions,
  inputMessages,
  outputFinishReason,
  OutputMessagesCollector,
  outputMessages,
  redactMessages,
  systemInstructions,
  type GenAiMessage,
} from '../../src/instrumentation/genai-messages.ts';
import { resetContentCapture, setContentCapture } from '../../src/runtime/bind.ts';
import type { ContentCaptureSettings } from '../../src/runtime/content.ts';
import { postJson, postStream, startFakeLlmServer, type FakeLlmServer } from '../support/fake-llm-server.ts';
import { useInMemoryTelemetry } from '../support/in-memory.ts';
import { anthropicClient, openAiClient } from '../support/sdk-clients.ts';
import { validate } from '../support/json-schema-lite.ts';

const schema = (name: string): Record<string, unknown> => JSON.parse(readFileSync(new URL(`fixtures/genai-schemas/${name}.json`, import.meta.url), 'utf8')) as Record<string, unknown>;
const INPUT_SCHEMA = schema('gen-ai-input-messages');
const OUTPUT_SCHEMA = schema('gen-ai-output-messages');
const SYSTEM_SCHEMA = schema('gen-ai-system-instructions');

function expectInput(value: unknown): void {
  expect(validate(INPUT_SCHEMA, value)).toEqual([]);
}
function expectOutput(value: unknown): void {
  expect(validate(OUTPUT_SCHEMA, value)).toEqual([]);
}
function expectSystem(value: unknown): void {
  expect(validate(SYSTEM_SCHEMA, value)).toEqual([]);
}

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
  resetContentCapture();
});

const ANSWER = 'The weather in Paris is rainy today';
const PIXEL = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
const WEATHER_TOOL = { type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } };

describe('the schema checker itself', () => {
  it('rejects what the schemas forbid', () => {
    expect(validate(OUTPUT_SCHEMA, [{ role: 'assistant', parts: [] }])).not.toEqual([]); // no finish_reason
    expect(validate(INPUT_SCHEMA, [{ role: 'user', parts: [{ type: 'text' }] }])).not.toEqual([]); // text without content
    expect(validate(INPUT_SCHEMA, [{ role: 'user', parts: [{ type: 'tool_call', id: 'x' }] }])).not.toEqual([]); // no name
    expect(validate(SYSTEM_SCHEMA, { type: 'text', content: 'x' })).not.toEqual([]); // not a list
  });
});

describe('OpenAI Chat Completions', () => {
  const request = {
    model: 'gpt-4o',
    messages: [
      { role: 'system' as const, content: 'You are a weather bot.' },
      { role: 'user' as const, name: 'ada', content: [{ type: 'text' as const, text: 'Weather in Paris?' }, { type: 'image_url' as const, image_url: { url: `data:image/png;base64,${PIXEL}` } }] },
      { role: 'assistant' as const, content: null, tool_calls: [{ id: 'call_1', type: 'function' as const, function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
      { role: 'tool' as const, tool_call_id: 'call_1', content: 'rainy, 57°F' },
    ],
    tools: [WEATHER_TOOL],
  };

  it('input: system messages stay in the history, images become blobs, tool calls and results keep their ids', async () => {
    const messages = inputMessages(request);
    expect(messages).toEqual([
      { role: 'system', parts: [{ type: 'text', content: 'You are a weather bot.' }] },
      { role: 'user', name: 'ada', parts: [{ type: 'text', content: 'Weather in Paris?' }, { type: 'blob', modality: 'image', mime_type: 'image/png', content: PIXEL }] },
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_1', response: 'rainy, 57°F' }] },
    ]);
    expectInput(messages);
    expect(systemInstructions(request)).toBeUndefined();
    // The same request, as it went over the wire, reads the same.
    await openai.chat.completions.create(request);
    expect(inputMessages(server.requests.at(-1)?.body)).toEqual(messages);
  });

  it('output, whole: one message per choice, finish reasons in the schema terms', async () => {
    const completion = await openai.chat.completions.create({ model: 'gpt-4o', n: 2, max_completion_tokens: 4, messages: [{ role: 'user', content: 'Weather?' }] });
    const messages = outputMessages(completion);
    expect(messages).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: 'The weather in Paris' }], finish_reason: 'length' },
      { role: 'assistant', parts: [{ type: 'text', content: 'The weather in Paris' }], finish_reason: 'length' },
    ]);
    expectOutput(messages);
  });

  it('output, whole: a tool call (finish reason tool_calls → tool_call), arguments parsed', async () => {
    const completion = await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Weather in Paris?' }], tools: [WEATHER_TOOL] });
    const messages = outputMessages(completion);
    expect(messages).toEqual([{ role: 'assistant', parts: [{ type: 'tool_call', id: completion.choices[0]?.message.tool_calls?.[0]?.id, name: 'get_weather', arguments: { city: 'Paris' } }], finish_reason: 'tool_call' }]);
    expectOutput(messages);
  });

  it('output, streamed: the collector builds text and tool-call argument deltas per choice, like the whole answer', async () => {
    const text = new OutputMessagesCollector();
    for await (const chunk of await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Weather?' }], stream: true, stream_options: { include_usage: true } })) text.add(chunk);
    expect(text.messages()).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: ANSWER }], finish_reason: 'stop' }]);

    const tools = new OutputMessagesCollector();
    const stream = await openai.chat.completions.create({ model: 'gpt-4o', n: 2, messages: [{ role: 'user', content: 'Weather in Paris?' }], tools: [WEATHER_TOOL], stream: true });
    for await (const chunk of stream) tools.add(chunk);
    const call = { type: 'tool_call', id: expect.stringMatching(/^call_fake/), name: 'get_weather', arguments: { city: 'Paris' } };
    expect(tools.messages()).toEqual([
      { role: 'assistant', parts: [call], finish_reason: 'tool_call' },
      { role: 'assistant', parts: [call], finish_reason: 'tool_call' },
    ]);
    expectOutput(tools.messages());
  });

  it('legacy Completions (text_completion): choices[].text, whole and streamed', () => {
    const whole = { id: 'cmpl-1', object: 'text_completion', model: 'gpt-3.5-turbo-instruct', choices: [{ index: 0, text: 'Rainy.', finish_reason: 'length' }] };
    expect(outputMessages(whole)).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: 'Rainy.' }], finish_reason: 'length' }]);
    const collector = new OutputMessagesCollector();
    collector.add({ object: 'text_completion', choices: [{ index: 0, text: 'Rai', finish_reason: null }] });
    collector.add({ object: 'text_completion', choices: [{ index: 0, text: 'ny.', finish_reason: 'length' }] });
    expect(collector.messages()).toEqual(outputMessages(whole));
  });

  it('legacy function messages, refusals, audio input and file ids', () => {
    const messages = inputMessages({
      messages: [
        { role: 'developer', content: 'Be terse.' },
        { role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'wav' } }, { type: 'file', file: { file_id: 'file-abc' } }] },
        { role: 'assistant', content: null, refusal: 'I cannot help with that.' },
        { role: 'assistant', content: null, function_call: { name: 'lookup', arguments: 'not json' } },
        { role: 'function', name: 'lookup', content: '42' },
      ],
    });
    expect(messages).toEqual([
      { role: 'developer', parts: [{ type: 'text', content: 'Be terse.' }] },
      { role: 'user', parts: [{ type: 'blob', modality: 'audio', mime_type: 'audio/wav', content: 'UklGRg==' }, { type: 'file', modality: 'document', file_id: 'file-abc' }] },
      { role: 'assistant', parts: [{ type: 'refusal', content: 'I cannot help with that.' }] },
      { role: 'assistant', parts: [{ type: 'tool_call', name: 'lookup', arguments: 'not json' }] },
      { role: 'function', name: 'lookup', parts: [{ type: 'tool_call_response', response: '42' }] },
    ]);
    expectInput(messages);
  });
});

describe('OpenAI Responses API', () => {
  const request = {
    model: 'gpt-4.1',
    instructions: 'You are a weather bot.',
    input: [
      { role: 'user' as const, content: [{ type: 'input_text' as const, text: 'Weather in Paris?' }, { type: 'input_image' as const, image_url: 'https://example.com/paris.png', detail: 'auto' as const }] },
      { type: 'function_call' as const, call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
      { type: 'function_call_output' as const, call_id: 'call_1', output: 'rainy, 57°F' },
    ],
  };

  it('instructions are system instructions; input items become messages', async () => {
    expect(systemInstructions(request)).toEqual([{ type: 'text', content: 'You are a weather bot.' }]);
    expectSystem(systemInstructions(request));
    const messages = inputMessages(request);
    expect(messages).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'Weather in Paris?' }, { type: 'uri', modality: 'image', uri: 'https://example.com/paris.png' }] },
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_1', response: 'rainy, 57°F' }] },
    ]);
    expectInput(messages);
    await openai.responses.create(request);
    expect(inputMessages(server.requests.at(-1)?.body)).toEqual(messages);
    expect(inputMessages({ model: 'gpt-4.1', input: 'Hi' })).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'Hi' }] }]);
  });

  it('output, whole: reasoning summary and text in one message; a function call finishes with tool_call', async () => {
    const reasoned = await openai.responses.create({ model: 'gpt-4.1', input: 'Weather?', reasoning: { effort: 'low', summary: 'auto' } });
    expect(outputMessages(reasoned)).toEqual([
      { role: 'assistant', parts: [{ type: 'reasoning', content: 'Looking up the weather.' }, { type: 'text', content: ANSWER }], finish_reason: 'stop' },
    ]);
    const called = await openai.responses.create({ model: 'gpt-4.1', input: 'Weather in Paris?', tools: [{ type: 'function', name: 'get_weather', parameters: { type: 'object' }, strict: false }] });
    const messages = outputMessages(called);
    expect(messages).toEqual([{ role: 'assistant', parts: [{ type: 'tool_call', id: expect.stringMatching(/^call_fake/), name: 'get_weather', arguments: { city: 'Paris' } }], finish_reason: 'tool_call' }]);
    expectOutput(messages);
  });

  it('output, streamed: the final response event gives the messages; a cut answer finishes with length', async () => {
    const collector = new OutputMessagesCollector();
    for await (const event of await openai.responses.create({ model: 'gpt-4.1', input: 'Weather?', max_output_tokens: 3, stream: true })) collector.add(event);
    expect(collector.messages()).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: 'The weather in' }], finish_reason: 'length' }]);
  });

  it('output, streamed and cut off before the final event: the text deltas so far', () => {
    const collector = new OutputMessagesCollector();
    collector.add({ type: 'response.output_text.delta', output_index: 0, content_index: 0, delta: 'The weather' });
    collector.add({ type: 'response.output_text.delta', output_index: 0, content_index: 0, delta: ' in' });
    expect(collector.messages()).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: 'The weather in' }], finish_reason: 'stop' }]);
    expect(collector.messages('error')?.[0]?.finish_reason).toBe('error');
  });
});

describe('Anthropic Messages', () => {
  const request = {
    model: 'claude-sonnet-5-5',
    max_tokens: 1024,
    system: [{ type: 'text' as const, text: 'You are a weather bot.' }, { type: 'text' as const, text: 'Answer in one sentence.' }],
    messages: [
      { role: 'user' as const, content: [{ type: 'text' as const, text: 'Weather in Paris?' }, { type: 'image' as const, source: { type: 'base64' as const, media_type: 'image/png' as const, data: PIXEL } }] },
      { role: 'assistant' as const, content: [{ type: 'tool_use' as const, id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } }] },
      { role: 'user' as const, content: [{ type: 'tool_result' as const, tool_use_id: 'toolu_1', content: [{ type: 'text' as const, text: 'rainy, 57°F' }] }] },
    ],
  };

  it('system blocks are system instructions; content blocks become parts, tool results keep their ids', async () => {
    expect(systemInstructions(request)).toEqual([
      { type: 'text', content: 'You are a weather bot.' },
      { type: 'text', content: 'Answer in one sentence.' },
    ]);
    expectSystem(systemInstructions(request));
    const messages = inputMessages(request);
    expect(messages).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'Weather in Paris?' }, { type: 'blob', modality: 'image', mime_type: 'image/png', content: PIXEL }] },
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'toolu_1', name: 'get_weather', arguments: { city: 'Paris' } }] },
      { role: 'user', parts: [{ type: 'tool_call_response', id: 'toolu_1', response: 'rainy, 57°F' }] },
    ]);
    expectInput(messages);
    await anthropic.messages.create(request);
    expect(inputMessages(server.requests.at(-1)?.body)).toEqual(messages);
    expect(systemInstructions({ ...request, system: 'Be brief.' })).toEqual([{ type: 'text', content: 'Be brief.' }]);
  });

  it('output, whole: thinking is reasoning, tool_use a tool call; end_turn → stop, stop_sequence → stop, tool_use → tool_call', async () => {
    const thought = await anthropic.messages.create({ model: 'claude-sonnet-5-5', max_tokens: 2048, thinking: { type: 'enabled', budget_tokens: 1024 }, messages: [{ role: 'user', content: 'Weather?' }] });
    expect(outputMessages(thought)).toEqual([{ role: 'assistant', parts: [{ type: 'reasoning', content: 'Looking up the weather.' }, { type: 'text', content: ANSWER }], finish_reason: 'stop' }]);
    const stopped = await anthropic.messages.create({ model: 'claude-sonnet-5-5', max_tokens: 100, stop_sequences: ['rainy'], messages: [{ role: 'user', content: 'Weather?' }] });
    expect(outputMessages(stopped)?.[0]?.finish_reason).toBe('stop');
    const called = await anthropic.messages.create({ model: 'claude-sonnet-5-5', max_tokens: 100, messages: [{ role: 'user', content: 'Weather in Paris?' }], tools: [{ name: 'get_weather', input_schema: { type: 'object' } }] });
    const messages = outputMessages(called);
    expect(messages).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: 'Let me check.' }, { type: 'tool_call', id: expect.stringMatching(/^toolu_fake/), name: 'get_weather', arguments: { city: 'Paris' } }], finish_reason: 'tool_call' },
    ]);
    expectOutput(messages);
  });

  it('output, streamed: the collector follows content blocks by index (thinking, text, tool input JSON deltas) and equals the final message', async () => {
    const stream = anthropic.messages.stream({
      model: 'claude-sonnet-5-5',
      max_tokens: 2048,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: [{ name: 'get_weather', input_schema: { type: 'object' } }],
    });
    const collector = new OutputMessagesCollector();
    for await (const event of stream) collector.add(event);
    const expected = [
      {
        role: 'assistant',
        parts: [
          { type: 'reasoning', content: 'Looking up the weather.' },
          { type: 'text', content: 'Let me check.' },
          { type: 'tool_call', id: expect.stringMatching(/^toolu_fake/), name: 'get_weather', arguments: { city: 'Paris' } },
        ],
        finish_reason: 'tool_call',
      },
    ];
    expect(collector.messages()).toEqual(expected);
    expect(outputMessages(await stream.finalMessage())).toEqual(collector.messages());
    expectOutput(collector.messages());
  });

  it('documents, URLs, server tools and blocks the kit does not know', () => {
    const messages = inputMessages({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'document', source: { type: 'url', url: 'https://example.com/report.pdf' } },
            { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'plain text doc' } },
            { type: 'image', source: { type: 'file', file_id: 'file_011' } },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { query: 'paris weather' } },
            { type: 'web_search_tool_result', tool_use_id: 'srvtoolu_1', content: [{ type: 'web_search_result', url: 'https://weather.example', title: 'Paris' }] },
            { type: 'redacted_thinking', data: 'EncryptedBlob' },
            { type: 'container_upload', file_id: 'file_x' },
          ],
        },
      ],
    });
    expect(messages).toEqual([
      {
        role: 'user',
        parts: [
          { type: 'uri', modality: 'document', uri: 'https://example.com/report.pdf' },
          { type: 'text', content: 'plain text doc' },
          { type: 'file', modality: 'image', file_id: 'file_011' },
        ],
      },
      {
        role: 'assistant',
        parts: [
          { type: 'server_tool_call', id: 'srvtoolu_1', name: 'web_search', server_tool_call: { type: 'web_search', input: { query: 'paris weather' } } },
          { type: 'server_tool_call_response', id: 'srvtoolu_1', server_tool_call_response: { type: 'web_search_tool_result', content: [{ type: 'web_search_result', url: 'https://weather.example', title: 'Paris' }] } },
          { type: 'redacted_thinking' },
          { type: 'container_upload' },
        ],
      },
    ]);
    expectInput(messages);
  });
});

describe('Gemini', () => {
  const request = {
    systemInstruction: { parts: [{ text: 'You are a weather bot.' }] },
    contents: [
      { role: 'user', parts: [{ text: 'Weather in Paris?' }, { inlineData: { mimeType: 'image/png', data: PIXEL } }, { fileData: { mimeType: 'video/mp4', fileUri: 'gs://bucket/clip.mp4' } }] },
      { role: 'model', parts: [{ functionCall: { id: 'fc_1', name: 'get_weather', args: { city: 'Paris' } } }] },
      { role: 'user', parts: [{ functionResponse: { id: 'fc_1', name: 'get_weather', response: { forecast: 'rainy' } } }] },
    ],
    tools: [{ functionDeclarations: [{ name: 'get_weather' }] }],
  };

  it('systemInstruction and contents (model → assistant)', async () => {
    expect(systemInstructions(request)).toEqual([{ type: 'text', content: 'You are a weather bot.' }]);
    const messages = inputMessages(request);
    expect(messages).toEqual([
      {
        role: 'user',
        parts: [
          { type: 'text', content: 'Weather in Paris?' },
          { type: 'blob', modality: 'image', mime_type: 'image/png', content: PIXEL },
          { type: 'uri', modality: 'video', mime_type: 'video/mp4', uri: 'gs://bucket/clip.mp4' },
        ],
      },
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'fc_1', name: 'get_weather', arguments: { city: 'Paris' } }] },
      { role: 'user', parts: [{ type: 'tool_call_response', id: 'fc_1', response: { forecast: 'rainy' } }] },
    ]);
    expectInput(messages);
    expect(inputMessages({ model: 'gemini-2.5-flash', contents: 'Hi', config: { systemInstruction: 'Be brief.' } })).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'Hi' }] }]);
    expect(systemInstructions({ contents: 'Hi', config: { systemInstruction: 'Be brief.' } })).toEqual([{ type: 'text', content: 'Be brief.' }]);
  });

  it('output, whole and streamed: thoughts are reasoning, a candidate per message; STOP with a function call is tool_call', async () => {
    const whole = await postJson(`${server.url}/v1beta/models/gemini-2.5-flash:generateContent`, { contents: 'Hi', generationConfig: { candidateCount: 2, thinkingConfig: { thinkingBudget: 128 } } });
    const message = { role: 'assistant', parts: [{ type: 'reasoning', content: 'Looking up the weather.' }, { type: 'text', content: ANSWER }], finish_reason: 'stop' };
    expect(outputMessages(whole)).toEqual([message, message]);
    expectOutput(outputMessages(whole));

    const collector = new OutputMessagesCollector();
    for (const chunk of await postStream(`${server.url}/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse`, { contents: 'Hi', generationConfig: { maxOutputTokens: 4 } })) collector.add(chunk);
    expect(collector.messages()).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: 'The weather in Paris' }], finish_reason: 'length' }]);

    // Gemini says STOP when it calls a function; the message calls one, so its finish reason is tool_call.
    const called = await postJson(`${server.url}/v1beta/models/gemini-2.5-flash:generateContent`, { contents: 'Weather?', tools: request.tools });
    expect(called.candidates).toMatchObject([{ finishReason: 'STOP' }]);
    expect(outputMessages(called)).toEqual([{ role: 'assistant', parts: [{ type: 'tool_call', name: 'get_weather', arguments: { city: 'Paris' } }], finish_reason: 'tool_call' }]);
    // The request above ends with the function's response: the model answers in text.
    const answered = await postJson(`${server.url}/v1beta/models/gemini-2.5-flash:generateContent`, request);
    expect(outputMessages(answered)).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: ANSWER }], finish_reason: 'stop' }]);
  });
});

describe('Ollama', () => {
  it('chat input: images, tool calls with object arguments, tool messages; generate: system and prompt', () => {
    const messages = inputMessages({
      model: 'llama3.2',
      messages: [
        { role: 'system', content: 'You are a weather bot.' },
        { role: 'user', content: 'What is this?', images: [PIXEL] },
        { role: 'assistant', content: '', tool_calls: [{ function: { name: 'get_weather', arguments: { city: 'Paris' } } }] },
        { role: 'tool', content: 'rainy', tool_name: 'get_weather' },
      ],
    });
    expect(messages).toEqual([
      { role: 'system', parts: [{ type: 'text', content: 'You are a weather bot.' }] },
      { role: 'user', parts: [{ type: 'text', content: 'What is this?' }, { type: 'blob', modality: 'image', content: PIXEL }] },
      { role: 'assistant', parts: [{ type: 'tool_call', name: 'get_weather', arguments: { city: 'Paris' } }] },
      { role: 'tool', name: 'get_weather', parts: [{ type: 'tool_call_response', response: 'rainy' }] },
    ]);
    expectInput(messages);
    const generate = { model: 'qwen3', system: 'Be brief.', prompt: 'Weather?' };
    expect(systemInstructions(generate)).toEqual([{ type: 'text', content: 'Be brief.' }]);
    expect(inputMessages(generate)).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'Weather?' }] }]);
  });

  it('output: chat and generate, whole and streamed; thinking is reasoning; done_reason length → length', async () => {
    const chat = await postJson(`${server.url}/api/chat`, { model: 'qwen3', messages: [{ role: 'user', content: 'Hi' }], think: true, stream: false });
    expect(outputMessages(chat)).toEqual([{ role: 'assistant', parts: [{ type: 'reasoning', content: 'Looking up the weather.' }, { type: 'text', content: ANSWER }], finish_reason: 'stop' }]);
    const tool = await postJson(`${server.url}/api/chat`, { model: 'llama3.2', messages: [{ role: 'user', content: 'Weather?' }], tools: [WEATHER_TOOL], stream: false });
    expect(outputMessages(tool)).toEqual([{ role: 'assistant', parts: [{ type: 'tool_call', name: 'get_weather', arguments: { city: 'Paris' } }], finish_reason: 'tool_call' }]);

    const streamed = new OutputMessagesCollector();
    for (const chunk of await postStream(`${server.url}/api/chat`, { model: 'llama3.2', messages: [{ role: 'user', content: 'Hi' }], options: { num_predict: 2 } })) streamed.add(chunk);
    expect(streamed.messages()).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: 'The weather' }], finish_reason: 'length' }]);

    const generated = new OutputMessagesCollector();
    for (const chunk of await postStream(`${server.url}/api/generate`, { model: 'llama3.2', prompt: 'Hi' })) generated.add(chunk);
    expect(generated.messages()).toEqual(outputMessages(await postJson(`${server.url}/api/generate`, { model: 'llama3.2', prompt: 'Hi', stream: false })));
  });
});

describe('plain strings and finish reasons', () => {
  it("traceLlmCall's prompt and completion strings: one user message, one assistant message", () => {
    expect(inputMessages('Weather in Paris?')).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'Weather in Paris?' }] }]);
    expect(outputMessages('Rainy.')).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: 'Rainy.' }], finish_reason: 'stop' }]);
    expect(outputMessages('Rainy.', 'length')?.[0]?.finish_reason).toBe('length');
    const collector = new OutputMessagesCollector();
    for (const piece of ['Rai', 'ny.']) collector.add(piece);
    expect(collector.messages()).toEqual(outputMessages('Rainy.'));
  });

  it('provider reasons map onto the schema values; unknown ones pass through', () => {
    const cases: Array<[string, string]> = [
      ['stop', 'stop'],
      ['end_turn', 'stop'],
      ['STOP', 'stop'],
      ['max_tokens', 'length'],
      ['MAX_TOKENS', 'length'],
      ['max_output_tokens', 'length'],
      ['refusal', 'content_filter'],
      ['SAFETY', 'content_filter'],
      ['tool_calls', 'tool_call'],
      ['tool_use', 'tool_call'],
      ['MALFORMED_FUNCTION_CALL', 'error'],
      ['failed', 'error'],
      ['pause_turn', 'pause_turn'],
      ['load', 'load'],
    ];
    for (const [given, expected] of cases) expect(outputFinishReason(given)).toBe(expected);
  });

  it('nothing known is undefined, and hostile values never throw', () => {
    const hostile = new Proxy({}, { get: () => { throw new Error('trap'); }, has: () => { throw new Error('trap'); }, ownKeys: () => { throw new Error('trap'); } });
    for (const junk of [undefined, null, 42, {}, { messages: 'x' }, hostile]) {
      expect(inputMessages(junk)).toBeUndefined();
      expect(outputMessages(junk)).toBeUndefined();
      expect(systemInstructions(junk)).toBeUndefined();
    }
    const collector = new OutputMessagesCollector();
    expect(() => {
      collector.add(hostile);
      collector.add({ choices: [hostile] });
      collector.add({ type: 'content_block_delta', index: 0, delta: hostile });
    }).not.toThrow();
    expect(collector.messages()).toBeUndefined();
  });
});

describe('capture: opt-in, redacted and truncated per text, structure kept', () => {
  const mask = (text: string): string => text.replace(/[\w.]+@[\w.]+/g, '[email]');
  const on: ContentCaptureSettings = { enabled: true, maxLength: 4096, redact: mask };
  const off: ContentCaptureSettings = { enabled: false, maxLength: 4096, redact: undefined };

  const request = {
    model: 'gpt-4o',
    messages: [
      { role: 'system', content: 'Reply to ada@example.com.' },
      { role: 'user', content: [{ type: 'text', text: 'Mail bob@example.com the forecast' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${PIXEL}` } }] },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'send_mail', arguments: '{"to":"bob@example.com","cc":["eve@example.com"],"urgent":true}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: 'sent to bob@example.com' },
    ],
  };

  it('off: nothing at all', () => {
    expect(capturedInputMessages(request, off)).toBeUndefined();
    expect(capturedOutputMessages('x', off)).toBeUndefined();
    expect(capturedSystemInstructions({ system: 'x' }, off)).toBeUndefined();
    expect(capturedGenAiContent({ request, completion: 'x' }, off)).toEqual({});
    expect(captureMessages(inputMessages(request), 'prompt', off)).toBeUndefined();
  });

  it('on: every text through the hook as a prompt, strings inside tool arguments too; ids, names and blobs untouched', () => {
    const kinds: string[] = [];
    const captured = capturedInputMessages(request, { ...on, redact: (text, kind) => (kinds.push(kind), mask(text)) });
    expect(captured).toEqual([
      { role: 'system', parts: [{ type: 'text', content: 'Reply to [email]' }] },
      { role: 'user', parts: [{ type: 'text', content: 'Mail [email] the forecast' }, { type: 'blob', modality: 'image', mime_type: 'image/png', content: PIXEL }] },
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_1', name: 'send_mail', arguments: { to: '[email]', cc: ['[email]'], urgent: true } }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_1', response: 'sent to [email]' }] },
    ]);
    expect(new Set(kinds)).toEqual(new Set(['prompt']));
    expect(kinds).toHaveLength(5); // two texts, two strings in the arguments, the tool's response
    expectInput(captured);
  });

  it("a participant's name goes through the hook too, and is left out when the hook drops it", () => {
    const request = { messages: [{ role: 'user', name: 'bob@example.com', content: 'Hi' }] };
    expect(capturedInputMessages(request, on)).toEqual([{ role: 'user', name: '[email]', parts: [{ type: 'text', content: 'Hi' }] }]);
    expect(capturedInputMessages(request, { ...on, redact: (text) => (text.includes('@') ? (undefined as unknown as string) : text) })).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'Hi' }] }]);
  });

  it('outputs go to the hook as completions', () => {
    const kinds: string[] = [];
    const captured = capturedOutputMessages({ type: 'message', content: [{ type: 'text', text: 'Sent to bob@example.com' }], stop_reason: 'end_turn' }, { ...on, redact: (text, kind) => (kinds.push(kind), mask(text)) });
    expect(captured).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: 'Sent to [email]' }], finish_reason: 'stop' }]);
    expect(kinds).toEqual(['completion']);
  });

  it('truncation cuts each text, keeping the JSON structure; a blob longer than maxLength keeps its kind but not its content', () => {
    const captured = capturedInputMessages(request, { enabled: true, maxLength: 8, redact: undefined });
    expect(captured).toEqual([
      { role: 'system', parts: [{ type: 'text', content: 'Reply to' }] },
      { role: 'user', parts: [{ type: 'text', content: 'Mail bob' }, { type: 'blob', modality: 'image', mime_type: 'image/png' }] },
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_1', name: 'send_mail', arguments: { to: 'bob@exam', cc: ['eve@exam'], urgent: true } }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_1', response: 'sent to ' }] },
    ]);
  });

  it('a hook that throws or returns no string drops the part, not the message; the raw text never gets through', () => {
    const failing = (text: string): string => {
      if (text.includes('bob')) throw new Error('hook failed');
      return text;
    };
    const captured = capturedInputMessages(request, { ...on, redact: failing });
    expect(captured).toEqual([
      { role: 'system', parts: [{ type: 'text', content: 'Reply to ada@example.com.' }] },
      { role: 'user', parts: [{ type: 'blob', modality: 'image', mime_type: 'image/png', content: PIXEL }] },
      { role: 'assistant', parts: [] },
      { role: 'tool', parts: [] },
    ]);
    expect(JSON.stringify(captured)).not.toContain('bob');
    const undefinedHook = redactMessages(inputMessages('secret') as GenAiMessage[], 'prompt', () => undefined);
    expect(undefinedHook).toEqual([{ role: 'user', parts: [] }]);
  });

  it("the session's capture settings are the default: setContentCapture turns it on", async () => {
    expect(capturedInputMessages('Hi')).toBeUndefined(); // no session: nothing captured
    const telemetry = useInMemoryTelemetry();
    try {
      expect(capturedInputMessages('Hi')).toBeUndefined();
      setContentCapture({ enabled: true, maxLength: 3, redact: (text) => text.toUpperCase() });
      expect(capturedInputMessages('Hello')).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'HEL' }] }]);
      resetContentCapture();
    } finally {
      await telemetry.shutdown();
    }
  });

  it('capturedGenAiContent: all three attributes from a request and a response, or from the prompt and completion strings', async () => {
    const message = await anthropic.messages.create({ model: 'claude-sonnet-5-5', max_tokens: 100, system: 'Write to ada@example.com', messages: [{ role: 'user', content: 'Hi from bob@example.com' }] });
    const content = capturedGenAiContent({ request: { system: 'Write to ada@example.com', messages: [{ role: 'user', content: 'Hi from bob@example.com' }] }, response: message }, on);
    expect(content).toEqual({
      systemInstructions: [{ type: 'text', content: 'Write to [email]' }],
      inputMessages: [{ role: 'user', parts: [{ type: 'text', content: 'Hi from [email]' }] }],
      outputMessages: [{ role: 'assistant', parts: [{ type: 'text', content: ANSWER }], finish_reason: 'stop' }],
    });
    expect(capturedGenAiContent({ prompt: 'ask ada@example.com', completion: 'ok' }, on)).toEqual({
      inputMessages: [{ role: 'user', parts: [{ type: 'text', content: 'ask [email]' }] }],
      outputMessages: [{ role: 'assistant', parts: [{ type: 'text', content: 'ok' }], finish_reason: 'stop' }],
    });
    const collector = new OutputMessagesCollector();
    collector.add('mail eve@example.com');
    expect(capturedGenAiContent({ prompt: 'x', outputMessages: collector.messages() }, on).outputMessages).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: 'mail [email]' }], finish_reason: 'stop' }]);
  });

  it('the collector keeps at most twice maxLength plus 1024 characters of a huge stream', () => {
    const collector = new OutputMessagesCollector(10);
    for (let i = 0; i < 2000; i += 1) collector.add('0123456789');
    const part = collector.messages()?.[0]?.parts[0] as { content: string };
    expect(part.content).toHaveLength(10 * 2 + 1024);
  });
});
