/**
 * The OpenAI Agents SDK adapter with the real SDK (`@openai/agents`): a triage agent with a tool
 * and a handoff to a second agent, its model the SDK's Responses API model pointed at the local
 * fake OpenAI server (which calls each offered tool once, then answers).
 */
import { Agent, run, setDefaultOpenAIClient, setTraceProcessors, setTracingDisabled, tool, withAgentSpan, withFunctionSpan, withTrace } from '@openai/agents';
import { SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createOpenAIAgentsProcessor } from '../../src/adapters/openai-agents/index.ts';
import { setContentCapture } from '../../src/instrumentation/index.ts';
import { startFakeLlmServer, type FakeLlmServer } from '../support/fake-llm-server.ts';
import { useInMemoryTelemetry, type InMemoryTelemetry } from '../support/in-memory.ts';

let server: FakeLlmServer;
let telemetry: InMemoryTelemetry | undefined;
beforeAll(async () => {
  server = await startFakeLlmServer({ callEachTool: true });
  setDefaultOpenAIClient(new OpenAI({ apiKey: 'test-key', baseURL: `${server.url}/v1`, maxRetries: 0 }) as never);
  // The SDK turns tracing off under NODE_ENV=test; on, with only the kit's processor (no export to OpenAI).
  setTracingDisabled(false);
});
afterAll(async () => {
  setTraceProcessors([]);
  setTracingDisabled(true);
  await server.close();
});
afterEach(async () => {
  await telemetry?.shutdown();
  telemetry = undefined;
});

function agents(failingTool = false) {
  let calls = 0;
  const getWeather = tool({
    name: 'get_weather',
    description: 'The weather in a city',
    parameters: z.object({ city: z.string() }),
    execute: async ({ city }) => {
      calls += 1;
      if (failingTool && calls === 1) throw new Error('weather service timed out');
      return `Sunny in ${city}`;
    },
  });
  const weatherAgent = new Agent({ name: 'weather_agent', instructions: 'You report the weather.', model: 'gpt-4o-mini' });
  const triage = new Agent({ name: 'triage', instructions: 'Route the question.', model: 'gpt-4o-mini', tools: [getWeather], handoffs: [weatherAgent] });
  return triage;
}

function byName(spans: readonly ReadableSpan[], name: string): ReadableSpan[] {
  return spans.filter((span) => span.name === name);
}

const parentOf = (span: ReadableSpan | undefined) => span?.parentSpanContext?.spanId;
const idOf = (span: ReadableSpan | undefined) => span?.spanContext().spanId;

describe('an Agent with a tool and a handoff', () => {
  it('records the workflow, both agent runs, three model calls, the tool call and the handoff', async () => {
    telemetry = useInMemoryTelemetry({ conventions: 'both' });
    setContentCapture({ enabled: true });
    const processor = createOpenAIAgentsProcessor({ serverUrl: `${server.url}/v1` });
    setTraceProcessors([processor]);
    const result = await run(agents(), 'Weather in Paris?');
    expect(result.finalOutput).toBe('The weather in Paris is rainy today');
    expect(result.lastAgent?.name).toBe('weather_agent');

    const spans = await telemetry.spans();
    const [workflow] = byName(spans, 'invoke_workflow Agent workflow');
    const [triage] = byName(spans, 'invoke_agent triage');
    const [weatherAgent] = byName(spans, 'invoke_agent weather_agent');
    const chats = byName(spans, 'chat gpt-4o-mini-2026-01-01');
    const [toolCall] = byName(spans, 'execute_tool get_weather');
    const [handoff] = byName(spans, 'execute_tool transfer_to_weather_agent');
    expect(spans).toHaveLength(8);
    expect(parentOf(triage)).toBe(idOf(workflow));
    expect(parentOf(weatherAgent)).toBe(idOf(workflow));
    expect(chats.map(parentOf)).toEqual([idOf(triage), idOf(triage), idOf(weatherAgent)]);
    expect(parentOf(toolCall)).toBe(idOf(triage));
    expect(parentOf(handoff)).toBe(idOf(triage));

    // The model calls as the provider answered them.
    expect(chats[0]?.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.response.id': 'resp_fake0001',
      'gen_ai.response.model': 'gpt-4o-mini-2026-01-01',
      'gen_ai.usage.input_tokens': 42,
      'gen_ai.usage.output_tokens': 9,
      'gen_ai.usage.cache_read.input_tokens': 8,
      'server.address': '127.0.0.1',
      'server.port': server.port,
    });
    expect(JSON.parse(chats[2]?.attributes['gen_ai.output.messages'] as string)).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: 'The weather in Paris is rainy today' }], finish_reason: 'stop' },
    ]);
    // The tool call and the handoff, counted on the triage run, which adds up its two calls' tokens.
    expect(toolCall?.attributes).toMatchObject({ 'agent.name': 'triage', 'gen_ai.tool.type': 'function', 'tool.result.length': 'Sunny in Paris'.length });
    expect(handoff?.attributes).toMatchObject({ 'gen_ai.tool.description': 'Handoff from triage to weather_agent' });
    expect(triage?.attributes).toMatchObject({ 'gen_ai.provider.name': 'openai', 'agent.tool_calls': 2, 'gen_ai.usage.input_tokens': 84, 'gen_ai.usage.output_tokens': 18 });
    expect(weatherAgent?.attributes).toMatchObject({ 'gen_ai.provider.name': 'openai', 'agent.tool_calls': 0, 'gen_ai.usage.input_tokens': 42, 'gen_ai.usage.output_tokens': 7 });

    expect(await telemetry.counter('llm.requests.total', { provider: 'openai', status: 'success' })).toBe(3);
    expect(await telemetry.histogram('gen_ai.client.token.usage', { 'gen_ai.token.type': 'input' })).toMatchObject({ count: 3, sum: 126 });
    expect(await telemetry.counter('agent.executions.total', { status: 'success' })).toBe(2);
    expect(await telemetry.counter('agent.tool_calls.total', { agent_name: 'triage' })).toBe(2);
    expect(processor.runsInFlight).toBe(0);
    expect(await telemetry.telemetry()).toConformToSpec();
  });

  it('records a tool that fails as a failed tool call; the run goes on', async () => {
    telemetry = useInMemoryTelemetry({ conventions: 'flo' });
    const processor = createOpenAIAgentsProcessor();
    setTraceProcessors([processor]);
    const result = await run(agents(true), 'Weather in Paris?');
    expect(result.finalOutput).toBe('The weather in Paris is rainy today');
    const [toolCall] = byName(await telemetry.spans(), 'agent.tool.get_weather');
    expect(toolCall?.status.code).toBe(SpanStatusCode.ERROR);
    expect(await telemetry.counter('agent.tool_calls.total', { tool_name: 'get_weather', status: 'error' })).toBe(1);
    expect(processor.runsInFlight).toBe(0);
  });

  it('names the provider of an agent run from its start: gen_ai.provider.name is required there, model call or not', async () => {
    telemetry = useInMemoryTelemetry({ conventions: 'gen_ai' });
    const processor = createOpenAIAgentsProcessor({ provider: 'anthropic' });
    setTraceProcessors([processor]);
    await withTrace('Agent workflow', () =>
      withAgentSpan(() => withFunctionSpan(async () => 'Sunny', { data: { name: 'get_weather', input: '{}', output: 'Sunny' } }), { data: { name: 'triage' } }),
    );
    const [agent] = byName(await telemetry.spans(), 'invoke_agent triage');
    expect(agent?.attributes['gen_ai.provider.name']).toBe('anthropic');
    expect(processor.runsInFlight).toBe(0);
  });
});
