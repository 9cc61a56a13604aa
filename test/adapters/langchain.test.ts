/**
 * The LangChain.js adapter with the real `@langchain/core`: a chain of a prompt, a fake chat
 * model and a parser; an agent chain whose tool fails once; a streamed model call; and a real
 * `ChatOpenAI` from `@langchain/openai` against the local fake OpenAI server, so the token usage
 * is what the provider reported.
 */
import { SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { StringOutputParser } from '@langchain/core/output_parsers';
import { ChatPromptTemplate } from '@langchain/core/prompts';
import { RunnableLambda, type RunnableConfig } from '@langchain/core/runnables';
import { tool } from '@langchain/core/tools';
import { FakeListChatModel, FakeStreamingChatModel } from '@langchain/core/utils/testing';
import { ChatOpenAI } from '@langchain/openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createLangChainHandler } from '../../src/adapters/langchain/index.ts';
import { setContentCapture } from '../../src/instrumentation/index.ts';
import { startFakeLlmServer, type FakeLlmServer } from '../support/fake-llm-server.ts';
import { useInMemoryTelemetry, type InMemoryTelemetry } from '../support/in-memory.ts';

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

function openai(): ChatOpenAI {
  return new ChatOpenAI({ model: 'gpt-4o-mini', apiKey: 'test-key', maxRetries: 0, configuration: { baseURL: `${server.url}/v1` } });
}

function byName(spans: readonly ReadableSpan[], name: string): ReadableSpan {
  const found = spans.filter((span) => span.name === name);
  if (found.length !== 1) throw new Error(`expected one span named ${name}, found ${found.length}: ${spans.map((span) => span.name).join(', ')}`);
  return found[0] as ReadableSpan;
}

const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
const idOf = (span: ReadableSpan) => span.spanContext().spanId;

describe('a chain of a prompt, a fake chat model and a parser', () => {
  it('is a workflow with one chat call under it; the prompt and the parser are not operations', async () => {
    telemetry = useInMemoryTelemetry({ conventions: 'both' });
    setContentCapture({ enabled: true });
    const handler = createLangChainHandler();
    const prompt = ChatPromptTemplate.fromMessages([
      ['system', 'Answer in one word.'],
      ['human', 'Weather in {city}?'],
    ]);
    const chain = prompt.pipe(new FakeListChatModel({ responses: ['Rainy.'] })).pipe(new StringOutputParser());
    expect(await chain.invoke({ city: 'Paris' }, { callbacks: [handler] })).toBe('Rainy.');

    const spans = await telemetry.spans();
    expect(spans.map((span) => span.name).sort()).toEqual(['chat FakeListChatModel', 'invoke_workflow RunnableSequence']);
    const workflow = byName(spans, 'invoke_workflow RunnableSequence');
    const chat = byName(spans, 'chat FakeListChatModel');
    expect(parentOf(chat)).toBe(idOf(workflow));
    expect(workflow.attributes).toMatchObject({ 'workflow.name': 'RunnableSequence', 'workflow.result.length': 6 });
    expect(chat.attributes).toMatchObject({ 'llm.provider': 'FakeListChatModel', 'gen_ai.operation.name': 'chat', 'llm.response.received': true });
    // A whole-response call: gen_ai.request.stream is written for streamed calls only.
    expect(chat.attributes).not.toHaveProperty('gen_ai.request.stream');
    // Content capture: the messages LangChain sent, in the GenAI structure, and the answer.
    expect(JSON.parse(chat.attributes['gen_ai.input.messages'] as string)).toEqual([
      { role: 'system', parts: [{ type: 'text', content: 'Answer in one word.' }] },
      { role: 'user', parts: [{ type: 'text', content: 'Weather in Paris?' }] },
    ]);
    expect(chat.attributes['llm.response.content']).toBe('Rainy.');
    expect(await telemetry.counter('llm.requests.total', { status: 'success' })).toBe(1);
    expect(await telemetry.counter('workflow.executions.total', { workflow_name: 'RunnableSequence', status: 'success' })).toBe(1);
    expect(handler.runsInFlight).toBe(0);
    // LangChain may copy handlers; a copy must keep the runs in flight, so it is the handler itself.
    expect(handler.copy()).toBe(handler);
    expect(await telemetry.telemetry()).toConformToSpec();
  });
});

describe('an agent whose tool fails once', () => {
  it('records the agent run, both tool calls (the first failed) and the real ChatOpenAI call, with its tokens on the run', async () => {
    telemetry = useInMemoryTelemetry({ conventions: 'both' });
    const handler = createLangChainHandler();
    let attempts = 0;
    const weather = tool(
      async ({ city }: { city: string }) => {
        attempts += 1;
        if (attempts === 1) throw new Error('weather service timed out');
        return `Sunny in ${city}`;
      },
      { name: 'get_weather', description: 'The weather in a city', schema: z.object({ city: z.string() }) },
    );
    const model = openai();
    const agent = RunnableLambda.from(async (question: string, config?: RunnableConfig) => {
      const answer = await model.invoke(question, config);
      let observation: string;
      try {
        observation = await weather.invoke({ city: 'Paris' }, config);
      } catch {
        observation = await weather.invoke({ city: 'Paris' }, config);
      }
      return `${String(answer.content)} (${observation})`;
    }).withConfig({ runName: 'weather_agent' });
    const result = await agent.invoke('Weather in Paris?', { callbacks: [handler] });
    expect(result).toBe('The weather in Paris is rainy today (Sunny in Paris)');

    const spans = await telemetry.spans();
    const run = byName(spans, 'invoke_agent weather_agent');
    const tools = spans.filter((span) => span.name === 'execute_tool get_weather');
    const chat = byName(spans, 'chat gpt-4o-mini');
    expect(tools).toHaveLength(2);
    for (const child of [...tools, chat]) expect(parentOf(child)).toBe(idOf(run));
    expect(tools.map((span) => span.status.code)).toEqual([SpanStatusCode.ERROR, SpanStatusCode.UNSET]);
    expect(tools[0]?.events.map((event) => event.name)).toEqual(['exception']);
    expect(tools[0]?.attributes).toMatchObject({ 'error.type': 'Error', 'agent.name': 'weather_agent', 'gen_ai.tool.type': 'function' });
    // The run counted both tool calls and added up the call's tokens, as reported by the provider.
    expect(run.attributes).toMatchObject({ 'agent.tool_calls': 2, 'gen_ai.usage.input_tokens': 42, 'gen_ai.usage.output_tokens': 7, 'gen_ai.provider.name': 'openai' });
    expect(await telemetry.counter('agent.tool_calls.total', { agent_name: 'weather_agent', tool_name: 'get_weather', status: 'error' })).toBe(1);
    expect(await telemetry.counter('agent.tool_calls.total', { agent_name: 'weather_agent', tool_name: 'get_weather', status: 'success' })).toBe(1);
    expect(await telemetry.counter('agent.executions.total', { agent_name: 'weather_agent', status: 'success' })).toBe(1);
    expect(handler.runsInFlight).toBe(0);
    expect(await telemetry.telemetry()).toConformToSpec();
  });
});

describe('a real ChatOpenAI against the fake OpenAI server', () => {
  it('records the usage, model, id and finish reason the provider reported', async () => {
    telemetry = useInMemoryTelemetry({ conventions: 'both' });
    await openai().invoke('Weather in Paris?', { callbacks: [createLangChainHandler()] });
    const chat = byName(await telemetry.spans(), 'chat gpt-4o-mini');
    expect(chat.attributes).toMatchObject({
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.response.model': 'gpt-4o-mini-2026-01-01',
      'gen_ai.response.id': expect.stringMatching(/^chatcmpl-fake/),
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 42,
      'gen_ai.usage.output_tokens': 7,
      'llm.usage.total_tokens': 49,
      'gen_ai.usage.cache_read.input_tokens': 8,
      'server.address': '127.0.0.1',
      'server.port': server.port,
    });
    expect(await telemetry.counter('llm.tokens.total', { provider: 'openai', model: 'gpt-4o-mini' })).toBe(49);
    expect(await telemetry.histogram('gen_ai.client.token.usage', { 'gen_ai.token.type': 'input' })).toMatchObject({ count: 1, sum: 42 });
  });

  it('records a streamed call as a stream: chunks, time to first chunk, and the usage of the last chunk', async () => {
    telemetry = useInMemoryTelemetry({ conventions: 'flo' });
    setContentCapture({ enabled: true });
    const handler = createLangChainHandler();
    const pieces: string[] = [];
    for await (const chunk of await openai().stream('Weather in Paris?', { callbacks: [handler] })) pieces.push(String(chunk.content));
    expect(pieces.join('')).toBe('The weather in Paris is rainy today');

    const span = byName(await telemetry.spans(), 'llm.openai.stream');
    expect(span.attributes).toMatchObject({
      'llm.operation': 'stream',
      'llm.stream.completed': true,
      'llm.usage.prompt_tokens': 42,
      'llm.usage.completion_tokens': 7,
      'llm.response.content': 'The weather in Paris is rainy today',
    });
    // OpenAI streams a role chunk, seven words, a finish chunk and the usage chunk: the seven words are the output.
    expect(span.attributes['llm.stream.chunks']).toBe(7);
    expect(span.attributes['llm.stream.time_to_first_chunk_ms']).toBeGreaterThan(0);
    expect(await telemetry.counter('llm.streams.total', { status: 'success' })).toBe(1);
    expect(await telemetry.counter('llm.stream.chunks.total')).toBe(7);
    expect(handler.runsInFlight).toBe(0);
  });

  it('records a streamed fake model: its tokens are its chunks', async () => {
    telemetry = useInMemoryTelemetry({ conventions: 'gen_ai' });
    const model = new FakeStreamingChatModel({ responses: [{ content: 'Sunny' } as never], sleep: 2 } as never);
    const handler = createLangChainHandler();
    let text = '';
    for await (const chunk of await model.stream('Weather?', { callbacks: [handler] })) text += String(chunk.content);
    expect(text).toBe('Sunny');
    const span = byName(await telemetry.spans(), 'chat FakeStreamingChatModel');
    expect(span.attributes).toMatchObject({ 'gen_ai.request.stream': true, 'gen_ai.operation.name': 'chat' });
    expect(await telemetry.histogram('gen_ai.client.operation.time_to_first_chunk', { 'gen_ai.provider.name': 'FakeStreamingChatModel' })).toMatchObject({ count: 1 });
    expect(await telemetry.histogram('gen_ai.client.operation.time_per_output_chunk')).toMatchObject({ count: 4 });
  });

  it('records a failed call as an error', async () => {
    telemetry = useInMemoryTelemetry({ conventions: 'flo' });
    server.failNext(500);
    await expect(openai().invoke('Weather?', { callbacks: [createLangChainHandler()] })).rejects.toThrow();
    const span = byName(await telemetry.spans(), 'llm.openai.generate');
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['llm.response.received']).toBe(false);
    expect(await telemetry.counter('llm.errors.total', { provider: 'openai' })).toBe(1);
  });
});
