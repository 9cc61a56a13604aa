/**
 * One emitter per session (issue 24): `configureTelemetry()` and `bindProviders()` choose, once, the
 * tables of the session's conventions (the selection) and the kit's emitter for them, and hand them
 * to the helpers on the binding; the helpers report every observation to that one object.
 * Then the GenAI opt-in end to end in memory: the development names, the usage counters by kind
 * with their modality, the renamed chunk metrics, agent runs and workflows as invocations.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { EMITTERS, type ConventionsEmitter } from '../../src/generated/conventions.ts';
import { traceAgentRun, traceLlmCall, traceLlmStream, traceNode, traceRouterDecision, traceToolCall, traceWorkflow } from '../../src/instrumentation/index.ts';
import { bindProviders, currentSession, unbindProviders } from '../../src/runtime/bind.ts';
import { setBinding } from '../../src/runtime/binding.ts';
import { configureTelemetry, shutdownTelemetry } from '../../src/runtime/configure.ts';
import { SELECTIONS, selectionIndex, type Conventions } from '../../src/runtime/rules.ts';
import { TELEMETRY_DEFAULTS } from '../../src/runtime/settings.ts';
import { createProviders } from '../support/harness.ts';
import { useInMemoryTelemetry, type InMemoryTelemetry } from '../support/in-memory.ts';
import { captureDiagLines } from '../support/telemetry-env.ts';

let telemetry: InMemoryTelemetry | undefined;
afterEach(async () => {
  await telemetry?.shutdown();
  telemetry = undefined;
  unbindProviders();
  await shutdownTelemetry();
});

const OPT_IN = ['gen_ai_latest_experimental'] as const;

describe('the session’s conventions are chosen once, when telemetry is bound', () => {
  it.each(SELECTIONS.map((selection) => [selection.conventions, selection.genAiOptIn] as const))(
    'configureTelemetry({ conventions: %s, semconvStabilityOptIn: %s }): the binding holds that selection and its emitter',
    (conventions, optIn) => {
      configureTelemetry({ conventions, semconvStabilityOptIn: optIn === undefined ? undefined : [optIn], diagLogger: captureDiagLines().logger, logLevel: 'none' });
      const session = currentSession();
      const index = selectionIndex(conventions, optIn);
      expect(session?.selection).toBe(index);
      expect(session?.emitter).toBe(EMITTERS[index]);
    },
  );

  it('bindProviders takes its defaults from the settings table, and follows the opt-in too', () => {
    const { tracerProvider, meterProvider } = createProviders();
    const session = bindProviders({ tracerProvider, meterProvider });
    expect([session.conventions, session.errorMessages, session.genAiOptIn]).toEqual([TELEMETRY_DEFAULTS.conventions, TELEMETRY_DEFAULTS.errorMessages, undefined]);
    expect(session.emitter).toBe(EMITTERS[selectionIndex(TELEMETRY_DEFAULTS.conventions, undefined)]);
    const latest = bindProviders({ tracerProvider, meterProvider, conventions: 'gen_ai', semconvStabilityOptIn: ['http', ...OPT_IN] });
    expect(latest.emitter).toBe(EMITTERS[selectionIndex('gen_ai', 'gen_ai_latest_experimental')]);
  });

  it('an opt-in changes nothing in flo, which has no GenAI part', () => {
    const { tracerProvider, meterProvider } = createProviders();
    expect(bindProviders({ tracerProvider, meterProvider, conventions: 'flo', semconvStabilityOptIn: OPT_IN }).selection).toBe(selectionIndex('flo', undefined));
  });
});

/** An emitter that notes every observation (method, value, a copy of the facts). */
function recordingEmitter(): { emitter: ConventionsEmitter; calls: Array<[string, ...unknown[]]> } {
  const calls: Array<[string, ...unknown[]]> = [];
  const records = new Proxy({}, { get: () => true });
  const emitter = new Proxy({} as ConventionsEmitter, {
    get: (_, method: string) =>
      method === 'records' ? records : (...args: unknown[]) => void calls.push([method, ...args.map((arg) => (typeof arg === 'object' && arg !== null ? { ...arg } : arg))]),
  });
  return { emitter, calls };
}

describe('the helpers report what they observe to the binding’s emitter, and only to it', () => {
  it('an LLM call, a stream, an agent with a tool, a workflow with a node and a router', async () => {
    telemetry = useInMemoryTelemetry();
    const { emitter, calls } = recordingEmitter();
    setBinding({ ...currentSession()!, emitter });
    const response = { model: 'gpt-4o-2024', choices: [{ message: { content: 'hi' } }], usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 } };
    await traceWorkflow({ name: 'desk' }, async () => {
      await traceRouterDecision({ routerName: 'triage' }, async () => 'billing');
      await traceNode({ name: 'billing', type: 'agent' }, () =>
        traceAgentRun({ name: 'billing', type: 'tool_using', historySize: 2 }, async (agent) => {
          agent.recordRetry('rate_limited');
          await traceToolCall({ name: 'lookup' }, async () => 'found');
          await traceLlmCall({ provider: 'openai', model: 'gpt-4o' }, async () => response);
          for await (const _ of traceLlmStream({ provider: 'openai', model: 'gpt-4o' }, async function* () {
            yield { choices: [{ delta: { content: 'a' } }] };
            yield { choices: [{ delta: { content: 'b' } }] };
          })) {
            // consumed
          }
        }),
      );
    });
    const methods = calls.map(([method]) => method);
    expect(methods).toEqual([
      'workflowRouterDecision',
      'agentHistory',
      'agentRetry',
      'toolCall',
      'llmRequest',
      'llmUsageInput',
      'llmUsageOutput',
      'llmUsageTotal',
      'llmUsageCacheRead',
      'llmUsageCacheWrite',
      'llmUsageReasoning',
      'llmStreamStart',
      'llmStreamFirstChunk',
      'llmStreamChunk',
      'llmStream',
      'llmUsageInput',
      'llmUsageOutput',
      'llmUsageTotal',
      'llmUsageCacheRead',
      'llmUsageCacheWrite',
      'llmUsageReasoning',
      'llmStreamChunks',
      'agentRun',
      'workflowNode',
      'workflowRun',
    ]);
    const [, duration, facts] = calls.find(([method]) => method === 'llmRequest')!;
    expect(duration).toBeGreaterThanOrEqual(0);
    expect(facts).toMatchObject({ model: 'gpt-4o', provider: 'openai', status: 'success', genAiProviderName: 'openai', genAiOperationName: 'chat', genAiResponseModel: 'gpt-4o-2024' });
    expect(calls.find(([method]) => method === 'llmUsageInput')?.[1]).toBe(12);
    expect(calls.find(([method]) => method === 'agentRun')?.[2]).toMatchObject({ agentName: 'billing', status: 'success', genAiInvocationIsNested: true });
    expect(calls.find(([method]) => method === 'workflowRun')?.[2]).toMatchObject({ workflowName: 'desk', genAiInvocationIsNested: false });
    // The generated recorders were not called behind the emitter's back: the session recorded no metric.
    expect(await telemetry.metrics()).toEqual([]);
  });
});

describe('gen_ai with gen_ai_latest_experimental, in memory', () => {
  const bound = (conventions: Conventions = 'gen_ai') => (telemetry = useInMemoryTelemetry({ conventions, semconvStabilityOptIn: OPT_IN }));
  const anthropicResponse = {
    id: 'msg_1',
    type: 'message',
    model: 'claude-sonnet-4-5',
    stop_reason: 'end_turn',
    content: [{ type: 'text', text: 'ok' }],
    usage: { input_tokens: 10, output_tokens: 4, cache_read_input_tokens: 30, cache_creation_input_tokens: 20 },
  };

  it('an LLM call: the development span attributes and usage counters by kind, with their modality', async () => {
    const memory = bound();
    await traceLlmCall({ provider: 'anthropic', model: 'claude-sonnet-4-5' }, async () => anthropicResponse);
    const span = await memory.span('chat claude-sonnet-4-5');
    expect(span.attributes).toMatchObject({ 'gen_ai.usage.input_tokens': 60, 'gen_ai.usage.cache_read.input_tokens': 30, 'gen_ai.usage.cache_write.input_tokens': 20 });
    expect(span.attributes).not.toHaveProperty('gen_ai.usage.cache_creation.input_tokens');
    const usage = async (kind: string) => memory.counter(`gen_ai.client.inference.usage.${kind}`, { 'gen_ai.token.modality': 'unknown', 'gen_ai.provider.name': 'anthropic' });
    expect([await usage('input_tokens'), await usage('output_tokens'), await usage('cache_read.input_tokens'), await usage('cache_write.input_tokens'), await usage('reasoning.output_tokens')]).toEqual([60, 4, 30, 20, 0]);
    expect(await memory.histogram('gen_ai.client.inference.duration', { 'gen_ai.response.model': 'claude-sonnet-4-5' })).toMatchObject({ count: 1 });
    expect((await memory.metrics()).map((metric) => metric.descriptor.name).filter((name) => name.startsWith('gen_ai.client.') && !name.startsWith('gen_ai.client.inference.'))).toEqual([]);
  });

  it('a failed call: its duration with error.type, and every usage counter at 0, as the conventions ask', async () => {
    const memory = bound();
    await expect(traceLlmCall({ provider: 'openai', model: 'gpt-4o' }, async () => Promise.reject(new TypeError('boom')))).rejects.toThrow('boom');
    expect(await memory.histogram('gen_ai.client.inference.duration', { 'error.type': 'TypeError' })).toMatchObject({ count: 1 });
    expect(await memory.points('gen_ai.client.inference.usage.input_tokens')).toEqual([{ attributes: expect.objectContaining({ 'gen_ai.token.modality': 'unknown' }), value: 0 }]);
  });

  it('a stream: the renamed chunk metrics, in seconds', async () => {
    const memory = bound();
    for await (const _ of traceLlmStream({ provider: 'openai', model: 'gpt-4o' }, async function* () {
      yield { choices: [{ delta: { content: 'a' } }] };
      yield { choices: [{ delta: { content: 'b' } }] };
    })) {
      // consumed
    }
    expect(await memory.histogram('gen_ai.client.inference.time_to_first_chunk')).toMatchObject({ count: 1 });
    expect(await memory.histogram('gen_ai.client.inference.time_per_output_chunk')).toMatchObject({ count: 1 });
    const first = (await memory.span('chat gpt-4o')).attributes['gen_ai.response.time_to_first_chunk'] as number;
    expect(first).toBeLessThan(1); // seconds: a chunk from a generator in memory arrives within a second
  });

  it('agents and workflows are invocations: gen_ai.invocation.duration, nested or not; both keeps flo_ai’s names beside', async () => {
    const memory = bound('both');
    await traceWorkflow({ name: 'desk' }, () => traceNode({ name: 'n', type: 'agent' }, () => traceAgentRun({ name: 'billing', type: 'conversational' }, async () => 'done')));
    const points = (await memory.points('gen_ai.invocation.duration')).map((point) => [point.attributes['gen_ai.operation.name'], point.attributes['gen_ai.invocation.is_nested']]);
    expect(points.sort()).toEqual([
      ['invoke_agent', true],
      ['invoke_workflow', false],
    ]);
    expect((await memory.spans()).map((span) => span.name).sort()).toEqual(['invoke_agent billing', 'invoke_workflow desk', 'workflow.node.n']);
    expect(await memory.counter('agent.executions.total', { status: 'success' })).toBe(1);
  });
});
