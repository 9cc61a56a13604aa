/**
 * What each framework adapter emits in `gen_ai` mode, proven with OpenTelemetry Weaver's
 * live-check against the released semantic conventions v1.41.1: no violation. Each adapter runs
 * its framework for real (a LangChain agent chain with a real ChatOpenAI, whole and streamed, and
 * a tool that fails once; an OpenAI Agents SDK Agent with a tool and a handoff), against the local
 * fake OpenAI server, exported by the kit's own runtime over OTLP gRPC to
 * `weaver registry live-check` on 127.0.0.1 (see test/semconv/live-check.test.ts for the harness).
 *
 * Locally the test skips, saying why, without Weaver or the pinned v1.41.1 registry; in CI it fails.
 */
import { relative } from 'node:path';
import { RunnableLambda, type RunnableConfig } from '@langchain/core/runnables';
import { tool as langChainTool } from '@langchain/core/tools';
import { ChatOpenAI } from '@langchain/openai';
import { Agent, run, setDefaultOpenAIClient, setTraceProcessors, setTracingDisabled, tool as agentsTool } from '@openai/agents';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createLangChainHandler } from '../../src/adapters/langchain/index.ts';
import { createOpenAIAgentsProcessor } from '../../src/adapters/openai-agents/index.ts';
import { configureTelemetry, shutdownTelemetry } from '../../src/runtime/configure.ts';
import { startFakeLlmServer, type FakeLlmServer } from '../support/fake-llm-server.ts';
import { groupFindings, startLiveCheck, summaryLine, type LiveCheck, type LiveCheckReport } from '../support/live-check.ts';
import { REFERENCE, referenceRegistry } from '../support/reference.ts';
import { captureDiagLines } from '../support/telemetry-env.ts';
import { availableWeaver, REPO_ROOT } from '../support/weaver.ts';

const weaver = availableWeaver();
const semconvModel = weaver === undefined ? undefined : referenceRegistry(REFERENCE.semconv);

async function langChainWorkload(server: FakeLlmServer): Promise<void> {
  const handler = createLangChainHandler();
  const model = new ChatOpenAI({ model: 'gpt-4o-mini', apiKey: 'test-key', maxRetries: 0, configuration: { baseURL: `${server.url}/v1` } });
  let attempts = 0;
  const weather = langChainTool(
    async ({ city }: { city: string }) => {
      attempts += 1;
      if (attempts === 1) throw new Error('weather service timed out');
      return `Sunny in ${city}`;
    },
    { name: 'get_weather', description: 'The weather in a city', schema: z.object({ city: z.string() }) },
  );
  const agent = RunnableLambda.from(async (question: string, config?: RunnableConfig) => {
    const answer = await model.invoke(question, config);
    let text = '';
    for await (const chunk of await model.stream(question, config)) text += String(chunk.content);
    const observation = await weather.invoke({ city: 'Paris' }, config).catch(() => weather.invoke({ city: 'Paris' }, config));
    return `${String(answer.content)} / ${text} (${observation})`;
  }).withConfig({ runName: 'weather_agent' });
  await agent.invoke('Weather in Paris?', { callbacks: [handler] });
}

async function agentsWorkload(server: FakeLlmServer): Promise<void> {
  setDefaultOpenAIClient(new OpenAI({ apiKey: 'test-key', baseURL: `${server.url}/v1`, maxRetries: 0 }) as never);
  setTracingDisabled(false);
  setTraceProcessors([createOpenAIAgentsProcessor({ serverUrl: `${server.url}/v1` })]);
  try {
    const getWeather = agentsTool({ name: 'get_weather', description: 'The weather in a city', parameters: z.object({ city: z.string() }), execute: async ({ city }) => `Sunny in ${city}` });
    const weatherAgent = new Agent({ name: 'weather_agent', instructions: 'You report the weather.', model: 'gpt-4o-mini' });
    const triage = new Agent({ name: 'triage', instructions: 'Route the question.', model: 'gpt-4o-mini', tools: [getWeather], handoffs: [weatherAgent] });
    await run(triage, 'Weather in Paris?');
  } finally {
    setTraceProcessors([]);
    setTracingDisabled(true);
  }
}

const ADAPTERS = [
  { adapter: 'LangChain.js', workload: langChainWorkload, callEachTool: false, spans: 5 },
  { adapter: 'OpenAI Agents SDK', workload: agentsWorkload, callEachTool: true, spans: 8 },
] as const;

describe.skipIf(weaver === undefined || semconvModel === undefined).each(ADAPTERS)('weaver registry live-check of the $adapter adapter, gen_ai vs semconv v1.41.1', ({ workload, callEachTool, spans: expectedSpans }) => {
  let server: FakeLlmServer;
  let check: LiveCheck | undefined;
  let report: LiveCheckReport;
  const spans: ReadableSpan[] = [];

  beforeAll(async () => {
    server = await startFakeLlmServer({ callEachTool });
    check = await startLiveCheck({ weaver: weaver!, registry: relative(REPO_ROOT, semconvModel!), label: 'semconv v1.41.1' });
    const recorder: SpanProcessor = { onStart: () => {}, onEnd: (span) => void spans.push(span), forceFlush: async () => {}, shutdown: async () => {} };
    configureTelemetry({
      serviceName: 'flo-live-check',
      environment: 'ci',
      otlpEndpoint: check.endpoint,
      conventions: 'gen_ai',
      captureContent: true,
      metricExportIntervalMillis: 600_000,
      shutdownTimeoutMillis: 15_000,
      spanProcessors: [recorder],
      diagLogger: captureDiagLines().logger,
      logLevel: 'warn',
    });
    try {
      await workload(server);
    } finally {
      await shutdownTelemetry();
    }
    report = await check.stop();
    console.log(summaryLine('gen_ai', report));
  }, 180_000);

  afterAll(async () => {
    check?.kill();
    await shutdownTelemetry();
    await server?.close();
  });

  it('Weaver received every span the SDK ended, and the GenAI client metrics', () => {
    expect(spans).toHaveLength(expectedSpans);
    expect(report.spanNames.toSorted()).toEqual(spans.map((span) => span.name).toSorted());
    expect(report.metricNames).toEqual(expect.arrayContaining(['gen_ai.client.operation.duration', 'gen_ai.client.token.usage']));
  });

  it('no violation', () => {
    expect(report.entities.span ?? 0).toBeGreaterThan(0);
    const violations = [...groupFindings(report.findings, ['violation'])].map(([key, count]) => `${key} ×${count}`);
    expect(violations).toEqual([]);
  });
});
