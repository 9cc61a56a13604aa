/**
 * How generated recorders behave around the spec: off until bound, re-bound
 * on reconfiguration, bad values dropped and reported, spans ended once,
 * async results passed through, telemetry failures contained.
 */
import { SpanStatusCode, trace, type TracerProvider } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import {
  recordAgentRetriesTotal,
  recordLlmRequestDuration,
  recordLlmRequestsTotal,
  recordLlmTokensTotal,
  startAgentToolSpan,
  startLlmStreamSpan,
  withAgentRunSpan,
  withLlmGenerateSpan,
  withWorkflowNodeSpan,
  withWorkflowRunSpan,
} from '../../src/generated/index.ts';
import { bindProviders, unbindProviders } from '../../src/runtime/bind.ts';
import { setConventions } from '../../src/runtime/bind.ts';
import { bindHarness, captureDiagnostics, createProviders, ensureContextManager, type Harness } from '../support/harness.ts';

const LLM = { model: 'gpt-4o', provider: 'openai' };
const harnesses: Harness[] = [];
function bound(): Harness {
  const harness = bindHarness();
  harnesses.push(harness);
  return harness;
}
afterEach(async () => {
  unbindProviders();
  for (const harness of harnesses.splice(0)) await harness.shutdown();
});

describe('while telemetry is off', () => {
  it('recorders do nothing, span helpers just run the function', async () => {
    const harness = createProviders();
    recordLlmTokensTotal(10, LLM);
    const span = startAgentToolSpan({ toolName: 'search' });
    expect(span.isRecording).toBe(false);
    expect(span.otelSpan).toBeUndefined();
    span.end();
    expect(withWorkflowRunSpan({ workflowName: 'w' }, () => 42)).toBe(42);
    await expect(withLlmGenerateSpan({ llmProvider: 'openai', genAiOperationName: 'chat', genAiProviderName: 'openai', llmModel: 'm' }, async () => 'async')).resolves.toBe('async');
    bindProviders(harness);
    expect(await harness.metrics()).toEqual([]);
    expect(await harness.spans()).toEqual([]);
    await harness.shutdown();
  });

  it('a recorder module imported before configuration records once providers are bound', async () => {
    recordLlmTokensTotal(5, LLM); // instrument cache sees no binding yet
    const harness = bound();
    recordLlmTokensTotal(7, LLM);
    expect((await harness.metric('llm.tokens.total'))?.dataPoints[0]?.value).toBe(7);
  });
});

describe('rebinding', () => {
  it('re-creates instruments and tracers on the new providers; the old ones get nothing more', async () => {
    const first = bound();
    recordLlmTokensTotal(1, LLM);
    withAgentRunSpan({ agentName: 'a', agentType: 't', genAiProviderName: 'openai' }, () => undefined);
    const second = bound();
    recordLlmTokensTotal(2, LLM);
    withAgentRunSpan({ agentName: 'b', agentType: 't', genAiProviderName: 'openai' }, () => undefined);
    expect((await first.metric('llm.tokens.total'))?.dataPoints[0]?.value).toBe(1);
    expect((await second.metric('llm.tokens.total'))?.dataPoints[0]?.value).toBe(2);
    // Both conventions (the default): agent runs are named as the GenAI invoke_agent span.
    expect((await first.spans()).map((span) => span.name)).toEqual(['invoke_agent a']);
    expect((await second.spans()).map((span) => span.name)).toEqual(['invoke_agent b']);
  });
});

describe('bad values', () => {
  it('drops impossible measurements, reports each once, and keeps valid ones', async () => {
    const diagnostics = captureDiagnostics();
    const harness = bound();
    recordLlmTokensTotal(-3, LLM);
    recordLlmTokensTotal(-3, LLM);
    recordLlmTokensTotal(Number.NaN, LLM);
    recordLlmTokensTotal(2.5, LLM);
    recordLlmRequestDuration(Number.POSITIVE_INFINITY, LLM);
    recordLlmTokensTotal(4, LLM);
    diagnostics.restore();
    expect((await harness.metric('llm.tokens.total'))?.dataPoints[0]?.value).toBe(4);
    expect(await harness.metric('llm.request.duration')).toBeUndefined();
    expect(diagnostics.messages).toEqual([
      'flo telemetry: llm.tokens.total: dropped a measurement: -3 is negative',
      'flo telemetry: llm.tokens.total: dropped a measurement: NaN is not a finite number',
      'flo telemetry: llm.tokens.total: dropped a measurement: 2.5 is not a whole number',
      'flo telemetry: llm.request.duration: dropped a measurement: Infinity is not a finite number',
    ]);
  });

  it('drops a measurement whose required attribute is of the wrong type or outside a closed enum, with one warning', async () => {
    const diagnostics = captureDiagnostics();
    const harness = bound();
    const untyped = recordLlmRequestsTotal as unknown as (value: number, attributes: Record<string, unknown>) => void;
    untyped(1, { model: 42, provider: 'openai', status: 'ok' });
    untyped(1, { model: 'gpt-4o', provider: 'openai', status: 'ok' });
    untyped(1, { provider: 'openai', status: 'success' });
    (recordAgentRetriesTotal as (value: number, attributes: unknown) => void)(1, undefined);
    diagnostics.restore();
    const points = (await harness.metric('llm.requests.total'))?.dataPoints.map((point) => point.attributes);
    // Neither bad point became a series without its attribute; a missing one is still recorded (and reported).
    expect(points).toEqual([{ provider: 'openai', status: 'success' }]);
    expect(diagnostics.messages).toEqual([
      'flo telemetry: llm.requests.total: dropped a measurement: required attribute model: 42 is not of type string',
      'flo telemetry: llm.requests.total: dropped a measurement: required attribute status: "ok" is not one of start, success, error',
      'flo telemetry: llm.requests.total: required attribute model is missing',
      'flo telemetry: agent.retries.total: required attribute agent_name is missing',
      'flo telemetry: agent.retries.total: required attribute reason is missing',
    ]);
  });
});

describe('span helpers', () => {
  it('end a span exactly once, even when the caller ends it too', async () => {
    const harness = bound();
    withWorkflowNodeSpan({ workflowName: 'w', nodeName: 'n', nodeType: 'agent' }, (span) => {
      span.setNodeExecutionTimeMs(1.5);
      span.end();
      span.end();
      span.setNodeExecutionTimeMs(9); // after end: ignored
    });
    const spans = await harness.spans();
    expect(spans).toHaveLength(1);
    expect(spans[0]?.attributes['node.execution_time_ms']).toBe(1.5);
  });

  it('pass the awaited value through and end when the promise settles', async () => {
    const harness = bound();
    let ended = 0;
    const result = withLlmGenerateSpan({ llmProvider: 'openai', genAiOperationName: 'chat', genAiProviderName: 'openai', llmModel: 'm' }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      ended = (await harness.spans()).length;
      return { text: 'hi' };
    });
    await expect(result).resolves.toEqual({ text: 'hi' });
    expect(ended).toBe(0);
    expect(await harness.spans()).toHaveLength(1);
  });

  it('rethrow the same rejection and mark the span', async () => {
    const harness = bound();
    const failure = new TypeError('bad input');
    await expect(withAgentRunSpan({ agentName: 'a', agentType: 't', genAiProviderName: 'openai' }, async () => Promise.reject(failure))).rejects.toBe(failure);
    const [span] = await harness.spans();
    expect(span?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'bad input' });
    expect(span?.attributes['error.type']).toBe('TypeError');
  });

  it('make the span active inside the function, across await and timers', async () => {
    const harness = bound();
    await withWorkflowRunSpan({ workflowName: 'w' }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      await new Promise<void>((resolve) =>
        setTimeout(() => {
          withAgentRunSpan({ agentName: 'a', agentType: 't', genAiProviderName: 'openai' }, () => undefined);
          resolve();
        }, 1),
      );
    });
    const spans = await harness.spans();
    const parent = spans.find((span) => span.name === 'invoke_workflow w');
    const child = spans.find((span) => span.name === 'invoke_agent a');
    expect(parent).toBeDefined();
    expect(child?.parentSpanContext?.spanId).toBe(parent?.spanContext().spanId);
    expect(child?.spanContext().traceId).toBe(parent?.spanContext().traceId);
  });
});

describe('telemetry failures', () => {
  it('never reach the caller: a broken provider still runs the function and returns its result', async () => {
    ensureContextManager();
    const diagnostics = captureDiagnostics();
    const broken = {
      getTracer: () => {
        throw new Error('tracer provider exploded');
      },
    } as unknown as TracerProvider;
    const meters = createProviders();
    bindProviders({ tracerProvider: broken, meterProvider: { getMeter: () => { throw new Error('meter provider exploded'); } } });
    expect(withAgentRunSpan({ agentName: 'a', agentType: 't', genAiProviderName: 'openai' }, () => 'still works')).toBe('still works');
    expect(() => recordLlmTokensTotal(1, LLM)).not.toThrow();
    diagnostics.restore();
    expect(diagnostics.messages.join('\n')).toMatch(/tracer provider exploded/);
    expect(diagnostics.messages.join('\n')).toMatch(/meter provider exploded/);
    expect(trace.getActiveSpan()).toBeUndefined();
    await meters.shutdown();
  });
});

describe('conventions', () => {
  afterEach(() => setConventions('both'));

  it.each([
    ['flo', { 'llm.provider': 'openai', 'llm.model': 'm', 'llm.operation': 'stream', 'llm.stream.time_to_first_chunk_ms': 250 }],
    ['gen_ai', { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'm', 'gen_ai.response.time_to_first_chunk': 0.25 }],
    [
      'both',
      {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'llm.provider': 'openai',
        'llm.model': 'm',
        'gen_ai.request.model': 'm',
        'llm.operation': 'stream',
        'llm.stream.time_to_first_chunk_ms': 250,
        'gen_ai.response.time_to_first_chunk': 0.25,
      },
    ],
  ] as const)('%s: span attributes are written under the keys the conventions choose', async (conventions, expected) => {
    const harness = bound();
    setConventions(conventions);
    const span = startLlmStreamSpan({ llmProvider: 'openai', llmModel: 'm', llmOperation: 'stream', genAiOperationName: 'chat', genAiProviderName: 'openai' });
    span.setLlmStreamTimeToFirstChunkMs(250);
    span.end();
    const [exported] = await harness.spans();
    // The generated API is given every attribute; the session's conventions decide the name and which keys are written.
    expect(exported?.name).toBe(conventions === 'flo' ? 'llm.openai.stream' : 'chat m');
    expect(exported?.attributes).toEqual(expected);
    expect(await harness.telemetry()).toConformToSpec();
  });
});
