/**
 * Operation handles (`startLlmCall`, `startAgentRun`, `startToolCall`, `startWorkflow`,
 * `startNode`, `recordRouterDecision`): what each records is what its `trace…` helper records,
 * parents are explicit, and the lifecycle rules hold (a second end does nothing, use after end
 * records nothing and warns once, handles left open are reported by count at shutdown).
 */
import { SpanStatusCode, context, trace, type Attributes } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import {
  recordRouterDecision,
  setContentCapture,
  startAgentRun,
  startLlmCall,
  startNode,
  startToolCall,
  startWorkflow,
  traceAgentRun,
  traceLlmCall,
  traceLlmStream,
  traceNode,
  traceRouterDecision,
  traceToolCall,
  traceWorkflow,
} from '../../src/instrumentation/index.ts';
import { configureTelemetry, shutdownTelemetry } from '../../src/runtime/configure.ts';
import type { Conventions } from '../../src/runtime/rules.ts';
import { captureDiagnostics } from '../support/harness.ts';
import { useInMemoryTelemetry, type InMemoryTelemetry } from '../support/in-memory.ts';
import { captureDiagLines, useCleanTelemetryState } from '../support/telemetry-env.ts';

const LLM = { provider: 'openai', model: 'gpt-4o', temperature: 0.2, prompt: 'Weather in Paris?', request: { model: 'gpt-4o', messages: [{ role: 'user', content: 'Weather in Paris?' }], max_tokens: 50 } };
const RESPONSE = {
  id: 'chatcmpl-1',
  model: 'gpt-4o-2026-01-01',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Rainy.' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17, prompt_tokens_details: { cached_tokens: 2 } },
};
const CHUNKS = [
  { id: 'chatcmpl-2', model: 'gpt-4o-2026-01-01', choices: [{ index: 0, delta: { role: 'assistant', content: 'Rai' } }] },
  { id: 'chatcmpl-2', model: 'gpt-4o-2026-01-01', choices: [{ index: 0, delta: { content: 'ny.' }, finish_reason: 'stop' }] },
  { id: 'chatcmpl-2', model: 'gpt-4o-2026-01-01', choices: [], usage: { prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 } },
];

let telemetry: InMemoryTelemetry | undefined;
afterEach(async () => {
  await telemetry?.shutdown();
  telemetry = undefined;
});

/** What one run recorded, without what depends on timing: spans by name with their attributes, status and events; metric points with counts. */
async function recorded(run: () => unknown, conventions: Conventions, capture = true) {
  telemetry = useInMemoryTelemetry({ conventions });
  if (capture) setContentCapture({ enabled: true });
  await run();
  const ended = await telemetry.spans();
  const spans = ended.map((span) => ({
    name: span.name,
    kind: span.kind,
    status: span.status,
    attributes: untimed(span.attributes),
    events: span.events.map((event) => ({ name: event.name, attributes: event.attributes })),
    parent: ended.find((other) => other.spanContext().spanId === span.parentSpanContext?.spanId)?.name,
  }));
  const metrics = (await telemetry.metrics()).map((metric) => ({
    name: metric.descriptor.name,
    points: metric.dataPoints.map((point) => ({ attributes: point.attributes, value: typeof point.value === 'number' ? point.value : (point.value as { count: number }).count })),
  }));
  await telemetry.shutdown();
  telemetry = undefined;
  return { spans, metrics };
}

function untimed(attributes: Attributes): Attributes {
  return Object.fromEntries(Object.entries(attributes).filter(([key]) => !/(duration|time_to_first_chunk|execution_time)/.test(key)));
}

async function* stream<C>(chunks: readonly C[]): AsyncGenerator<C> {
  for (const chunk of chunks) yield chunk;
}

const MODES: readonly Conventions[] = ['flo', 'gen_ai', 'both'];

describe('a handle records what its trace helper records', () => {
  it.each(MODES)('a whole-response LLM call inside an agent run, with content capture (%s)', async (conventions) => {
    const traced = await recorded(
      () =>
        traceAgentRun({ name: 'planner', type: 'tool_using', historySize: 3 }, async () => {
          await traceLlmCall(LLM, async () => RESPONSE);
          return 'planned';
        }),
      conventions,
    );
    const handled = await recorded(() => {
      const run = startAgentRun({ name: 'planner', type: 'tool_using', historySize: 3 });
      const call = startLlmCall(LLM, { parent: run });
      call.recordResponse(RESPONSE);
      call.end();
      run.recordResult('planned');
      run.end();
    }, conventions);
    expect(handled).toEqual(traced);
    expect(traced.spans.length).toBeGreaterThan(0);
  });

  it.each(MODES)('a streamed LLM call (%s)', async (conventions) => {
    const traced = await recorded(async () => {
      for await (const _chunk of traceLlmStream(LLM, () => stream(CHUNKS)));
    }, conventions);
    const handled = await recorded(() => {
      const call = startLlmCall(LLM, { stream: true });
      for (const chunk of CHUNKS) call.recordChunk(chunk);
      call.end();
    }, conventions);
    expect(handled).toEqual(traced);
  });

  it.each(MODES)('a failed LLM call and a failed tool call (%s)', async (conventions) => {
    const error = new TypeError('socket hang up');
    const traced = await recorded(async () => {
      await traceLlmCall(LLM, async () => Promise.reject(error)).catch(() => {});
      try {
        traceToolCall({ name: 'weather', agentName: 'planner', callId: 'call_1' }, () => {
          throw error;
        });
      } catch {
        // expected
      }
    }, conventions);
    const handled = await recorded(() => {
      const call = startLlmCall(LLM);
      call.fail(error);
      call.end();
      const tool = startToolCall({ name: 'weather', agentName: 'planner', callId: 'call_1' });
      tool.fail(error);
      tool.end();
    }, conventions);
    expect(handled).toEqual(traced);
    expect(handled.spans.every((span) => span.status.code === SpanStatusCode.ERROR)).toBe(true);
  });

  it.each(MODES)('a workflow with a node, a router decision and a tool call in an agent run (%s)', async (conventions) => {
    const traced = await recorded(
      () =>
        traceWorkflow({ name: 'research', nodeCount: 1 }, () =>
          traceNode({ name: 'plan', type: 'agent' }, () => {
            traceAgentRun({ name: 'planner', type: 'tool_using' }, () => traceToolCall({ name: 'weather' }, () => 'sunny'));
            traceRouterDecision({ routerName: 'next' }, () => 'write');
            return 'done';
          }),
        ),
      conventions,
    );
    const handled = await recorded(() => {
      const workflow = startWorkflow({ name: 'research', nodeCount: 1 });
      const node = startNode({ name: 'plan', type: 'agent' }, { parent: workflow });
      const run = startAgentRun({ name: 'planner', type: 'tool_using' }, { parent: node });
      const tool = startToolCall({ name: 'weather' }, { parent: run });
      tool.recordResult('sunny');
      tool.end();
      run.recordResult('sunny');
      run.end();
      recordRouterDecision({ routerName: 'next' }, 'write', { parent: node });
      node.end();
      workflow.recordResult('done');
      workflow.end();
    }, conventions);
    expect(handled).toEqual(traced);
  });
});

describe('explicit parents', () => {
  it('nests under a handle given as parent, whatever context is active', async () => {
    telemetry = useInMemoryTelemetry();
    const run = startAgentRun({ name: 'planner', type: 'tool_using' });
    // Started from the root context, as a callback that runs outside the run's async context would be.
    const [tool, call] = context.with(trace.deleteSpan(context.active()), () => [startToolCall({ name: 'weather' }, { parent: run }), startLlmCall(LLM, { parent: run })] as const);
    call.recordUsage({ promptTokens: 30, completionTokens: 4 });
    call.end();
    tool.end();
    run.end();
    const spans = await telemetry.spans();
    const agent = byName(spans, 'invoke_agent planner');
    expect(byName(spans, 'execute_tool weather').parentSpanContext?.spanId).toBe(agent.spanContext().spanId);
    expect(byName(spans, 'chat gpt-4o').parentSpanContext?.spanId).toBe(agent.spanContext().spanId);
    // The tool call counted on the run and took its agent name; the call's tokens added up on it.
    expect(byName(spans, 'execute_tool weather').attributes).toMatchObject({ 'agent.name': 'planner' });
    expect(agent.attributes).toMatchObject({ 'agent.tool_calls': 1, 'gen_ai.usage.input_tokens': 30, 'gen_ai.usage.output_tokens': 4, 'gen_ai.provider.name': 'openai' });
  });

  it('starts under a span context (a parent known only by its ids)', async () => {
    telemetry = useInMemoryTelemetry();
    const remote = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1, isRemote: true };
    const workflow = startWorkflow({ name: 'research' }, { parent: remote });
    const node = startNode({ name: 'plan', type: 'agent' }, { parent: workflow });
    node.end();
    workflow.end();
    const spans = await telemetry.spans();
    const root = byName(spans, 'invoke_workflow research');
    expect(root.spanContext().traceId).toBe(remote.traceId);
    expect(root.parentSpanContext?.spanId).toBe(remote.spanId);
    // The node took the workflow's name from its parent handle.
    expect(byName(spans, 'workflow.node.plan').attributes).toMatchObject({ 'workflow.name': 'research' });
  });

  it("gives children the handle's context to run in", async () => {
    telemetry = useInMemoryTelemetry();
    const run = startAgentRun({ name: 'planner', type: 'tool_using' });
    await context.with(run.context, () => traceToolCall({ name: 'weather' }, async () => 'sunny'));
    run.end();
    const agent = byName(await telemetry.spans(), 'invoke_agent planner');
    expect(byName(await telemetry.spans(), 'execute_tool weather').parentSpanContext?.spanId).toBe(agent.spanContext().spanId);
    expect(agent.attributes['agent.tool_calls']).toBe(1);
  });

  it('measures durations from a startTime given', async () => {
    telemetry = useInMemoryTelemetry({ conventions: 'flo' });
    const call = startLlmCall(LLM, { stream: true, startTime: Date.now() - 250 });
    call.recordChunk('Rainy');
    call.end();
    const span = byName(await telemetry.spans(), 'llm.openai.stream');
    expect(span.attributes['llm.stream.time_to_first_chunk_ms']).toBeGreaterThanOrEqual(240);
    expect(span.attributes['llm.stream.duration_ms']).toBeGreaterThanOrEqual(240);
  });
});

describe('the lifecycle', () => {
  it('ends once: a second end() records nothing more', async () => {
    telemetry = useInMemoryTelemetry({ conventions: 'flo' });
    const call = startLlmCall(LLM);
    call.recordResponse(RESPONSE);
    call.end();
    call.end();
    expect(call.ended).toBe(true);
    expect(await telemetry.spans()).toHaveLength(1);
    expect(await telemetry.counter('llm.requests.total')).toBe(1);
  });

  it('records nothing after end() and warns once', async () => {
    const diagnostics = captureDiagnostics();
    try {
      telemetry = useInMemoryTelemetry({ conventions: 'flo' });
      const call = startLlmCall(LLM);
      call.end();
      call.recordResponse(RESPONSE);
      call.recordResponse(RESPONSE);
      call.fail(new Error('late'));
      const run = startAgentRun({ name: 'planner', type: 'tool_using' });
      run.end();
      run.recordRetry('rate_limited');
      const span = byName(await telemetry.spans(), 'llm.openai.generate');
      expect(span.attributes['llm.usage.prompt_tokens']).toBeUndefined();
      expect(span.status.code).toBe(SpanStatusCode.UNSET);
      expect(await telemetry.points('agent.retries.total')).toEqual([]);
      expect(diagnostics.messages.filter((message) => message.includes('llm call: recordResponse() called after end(); nothing recorded'))).toHaveLength(1);
      expect(diagnostics.messages.filter((message) => message.includes('llm call: fail() called after end()'))).toHaveLength(1);
      expect(diagnostics.messages.filter((message) => message.includes('agent run: recordRetry() called after end()'))).toHaveLength(1);
    } finally {
      diagnostics.restore();
    }
  });

  it('records nothing and never throws while telemetry is off, or without its info', () => {
    const diagnostics = captureDiagnostics();
    try {
      const call = startLlmCall(LLM);
      call.recordResponse(RESPONSE);
      call.end();
      telemetry = useInMemoryTelemetry();
      const none = startToolCall(null as never);
      none.fail(new Error('x'));
      none.end();
      expect(diagnostics.messages.some((message) => message.includes('startToolCall was given null'))).toBe(true);
    } finally {
      diagnostics.restore();
    }
  });

  it('records a router decision after the fact', async () => {
    telemetry = useInMemoryTelemetry({ conventions: 'flo' });
    recordRouterDecision({ routerName: 'next', workflowName: 'research' }, 'write');
    expect(byName(await telemetry.spans(), 'workflow.router.next').attributes).toMatchObject({ 'router.decision': 'write', 'workflow.name': 'research' });
    expect(await telemetry.points('workflow.router.decisions')).toEqual([{ attributes: { workflow_name: 'research', router_name: 'next', route: 'write' }, value: 1 }]);
  });
});

describe('handles still open at shutdown', () => {
  useCleanTelemetryState();

  it('are reported by count, by kind; ended ones are not', async () => {
    const diagnostics = captureDiagLines();
    configureTelemetry({ diagLogger: diagnostics.logger, logLevel: 'warn' });
    startLlmCall(LLM);
    startLlmCall(LLM, { stream: true });
    startAgentRun({ name: 'planner', type: 'tool_using' });
    startToolCall({ name: 'weather' }).end();
    await shutdownTelemetry();
    expect(diagnostics.text()).toContain('3 operation handles were still open when telemetry was reconfigured or shut down (llm call: 1, llm stream: 1, agent run: 1)');
  });

  it('are not reported when every handle ended', async () => {
    const diagnostics = captureDiagLines();
    configureTelemetry({ diagLogger: diagnostics.logger, logLevel: 'warn' });
    const run = startAgentRun({ name: 'planner', type: 'tool_using' });
    startLlmCall(LLM, { parent: run }).end();
    run.end();
    await shutdownTelemetry();
    expect(diagnostics.text()).not.toContain('operation handles');
  });
});

function byName(spans: readonly ReadableSpan[], name: string): ReadableSpan {
  const found = spans.filter((span) => span.name === name);
  if (found.length !== 1) throw new Error(`expected one span named ${name}, found ${found.length}: ${spans.map((span) => span.name).join(', ')}`);
  return found[0] as ReadableSpan;
}
