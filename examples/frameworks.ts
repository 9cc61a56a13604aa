/**
 * Frameworks that report work through callbacks, instrumented by the kit's adapters:
 * a LangChain.js agent (a real ChatOpenAI and a tool) through `createLangChainHandler()`, and an
 * OpenAI Agents SDK run (an Agent with a tool and a handoff) through
 * `createOpenAIAgentsProcessor()`. Both models talk to a local OpenAI-compatible fake server on
 * 127.0.0.1 (the one the tests use), so the token counts are the ones a provider reports.
 *
 *   node examples/frameworks.ts            # span trees and metrics on the console
 */
import { RunnableLambda, type RunnableConfig } from '@langchain/core/runnables';
import { tool as langChainTool } from '@langchain/core/tools';
import { ChatOpenAI } from '@langchain/openai';
import { Agent, run, setDefaultOpenAIClient, setTraceProcessors, setTracingDisabled, tool } from '@openai/agents';
import OpenAI from 'openai';
import { z } from 'zod';
import { createLangChainHandler } from '../src/adapters/langchain/index.ts';
import { createOpenAIAgentsProcessor } from '../src/adapters/openai-agents/index.ts';
import { configureTelemetry, shutdownTelemetry } from '../src/runtime/index.ts';
import { startFakeLlmServer } from '../test/support/fake-llm-server.ts';

const server = await startFakeLlmServer({ callEachTool: true });
configureTelemetry({ serviceName: 'frameworks-demo', consoleExport: true, conventions: 'gen_ai' });

// LangChain.js: one handler, passed where LangChain takes callbacks.
const handler = createLangChainHandler();
const model = new ChatOpenAI({ model: 'gpt-4o-mini', apiKey: 'demo', configuration: { baseURL: `${server.url}/v1` } });
const weather = langChainTool(async ({ city }: { city: string }) => `Sunny in ${city}`, {
  name: 'get_weather',
  description: 'The weather in a city',
  schema: z.object({ city: z.string() }),
});
const agent = RunnableLambda.from(async (question: string, config?: RunnableConfig) => {
  const answer = await model.invoke(question, config);
  return `${String(answer.content)} (${await weather.invoke({ city: 'Paris' }, config)})`;
}).withConfig({ runName: 'weather_agent' });
console.log('LangChain:', await agent.invoke('Weather in Paris?', { callbacks: [handler] }));

// OpenAI Agents SDK: one processor (setTraceProcessors replaces the SDK's exporter to OpenAI).
setDefaultOpenAIClient(new OpenAI({ apiKey: 'demo', baseURL: `${server.url}/v1` }) as never);
setTracingDisabled(false);
setTraceProcessors([createOpenAIAgentsProcessor({ serverUrl: `${server.url}/v1` })]);
const getWeather = tool({ name: 'get_weather', description: 'The weather in a city', parameters: z.object({ city: z.string() }), execute: async ({ city }) => `Sunny in ${city}` });
const weatherAgent = new Agent({ name: 'weather_agent', instructions: 'You report the weather.', model: 'gpt-4o-mini' });
const triage = new Agent({ name: 'triage', instructions: 'Route the question.', model: 'gpt-4o-mini', tools: [getWeather], handoffs: [weatherAgent] });
console.log('Agents SDK:', (await run(triage, 'Weather in Paris?')).finalOutput);

await shutdownTelemetry();
await server.close();
