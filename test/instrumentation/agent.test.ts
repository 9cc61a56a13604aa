/**
 * traceAgentRun and traceToolCall: spans, counters, retries, history size,
 * tool calls counted on the enclosing run through the active context.
 */
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { activeAgentRun, traceAgentRun, traceToolCall, wrapAgentRun, wrapToolCall } from '../../src/instrumentation/index.ts';
import { setConventions } from '../../src/runtime/bind.ts';
import { captureDiagnostics } from '../support/harness.ts';
import { useInMemoryTelemetry, type InMemoryTelemetry } from '../support/in-memory.ts';

class ToolFailedError extends Error {}
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let telemetry: InMemoryTelemetry;
beforeEach(() => {
  setConventions('both');
  telemetry = useInMemoryTelemetry();
});
afterEach(async () => {
  await telemetry.shutdown();
});

describe('a successful agent run', () => {
  async function run() {
    return traceAgentRun({ name: 'researcher', type: 'tool_using', historySize: 4, provider: 'openai' }, async (agent) => {
      await traceToolCall({ name: 'web_search' }, async () => 'three results');
      await delay(1);
      agent.recordRetry('invalid_output');
      await traceToolCall({ name: 'web_search' }, async () => {
        throw new ToolFailedError('timeout');
      }).catch(() => undefined);
      return 'final answer';
    });
  }

  it('returns the result and records the run span with counts and result length', async () => {
    expect(await run()).toBe('final answer');
    const span = await telemetry.span('invoke_agent researcher');
    expect(span.kind).toBe(SpanKind.INTERNAL);
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    // Both conventions: the GenAI invoke_agent span, flo_ai's keys beside GenAI's.
    expect(span.attributes).toEqual({
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.provider.name': 'openai',
      'agent.name': 'researcher',
      'gen_ai.agent.name': 'researcher',
      'agent.type': 'tool_using',
      'agent.history.size': 4,
      'agent.tool_calls': 2,
      'agent.retries': 1,
      'agent.result.length': 'final answer'.length,
    });
  });

  it('nests the tool spans under it, naming the agent from the context', async () => {
    await run();
    const agentSpan = await telemetry.span('invoke_agent researcher');
    const tools = (await telemetry.spans()).filter((span) => span.name === 'execute_tool web_search');
    expect(tools).toHaveLength(2);
    for (const tool of tools) {
      expect(tool.parentSpanContext?.spanId).toBe(agentSpan.spanContext().spanId);
      expect(tool.attributes).toMatchObject({ 'tool.name': 'web_search', 'gen_ai.tool.name': 'web_search', 'agent.name': 'researcher' });
    }
    expect(tools[0]?.attributes['tool.result.length']).toBe('three results'.length);
    expect(tools[1]?.attributes['error.type']).toBe('ToolFailedError');
  });

  it('records executions, duration, history size, retries and tool calls', async () => {
    await run();
    const agent = { agent_name: 'researcher', agent_type: 'tool_using' };
    expect(await telemetry.points('agent.executions.total')).toEqual([{ attributes: { ...agent, status: 'success' }, value: 1 }]);
    expect(await telemetry.histogram('agent.execution.duration', agent)).toMatchObject({ count: 1 });
    expect((await telemetry.points('agent.execution.duration'))[0]?.attributes).toEqual(agent);
    expect(await telemetry.histogram('agent.history.size', agent)).toEqual({ count: 1, sum: 4 });
    expect(await telemetry.points('agent.retries.total')).toEqual([{ attributes: { agent_name: 'researcher', reason: 'invalid_output' }, value: 1 }]);
    expect(await telemetry.points('agent.tool_calls.total')).toEqual([
      { attributes: { agent_name: 'researcher', tool_name: 'web_search', status: 'success' }, value: 1 },
      { attributes: { agent_name: 'researcher', tool_name: 'web_search', status: 'error' }, value: 1 },
    ]);
    expect(await telemetry.points('agent.errors.total')).toEqual([]);
    expect(await telemetry.telemetry()).toConformToSpec();
  });
});

describe('a failed agent run', () => {
  it('rethrows the error and records it on the span and the counters', async () => {
    const error = new ToolFailedError('gave up');
    await expect(traceAgentRun({ name: 'writer', type: 'conversational', provider: 'anthropic' }, async () => Promise.reject(error))).rejects.toBe(error);
    const span = await telemetry.span('invoke_agent writer');
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes).toMatchObject({ 'error.type': 'ToolFailedError', 'agent.tool_calls': 0, 'agent.retries': 0 });
    expect(span.attributes['agent.result.length']).toBeUndefined();
    expect(await telemetry.points('agent.executions.total')).toEqual([
      { attributes: { agent_name: 'writer', agent_type: 'conversational', status: 'error' }, value: 1 },
    ]);
    expect(await telemetry.points('agent.errors.total')).toEqual([{ attributes: { agent_name: 'writer', error_type: 'ToolFailedError' }, value: 1 }]);
    expect(await telemetry.points('agent.execution.duration')).toEqual([]);
    expect(await telemetry.telemetry()).toConformToSpec();
  });
});

describe('the active run', () => {
  it('is reachable from nested code across awaits and timers, and counts tools on the innermost run', async () => {
    const counts = await traceAgentRun({ name: 'outer', type: 'orchestrator' }, async (outer) => {
      await new Promise<void>((resolve) =>
        setTimeout(() => {
          activeAgentRun()?.recordRetry('rate_limited');
          resolve();
        }, 2),
      );
      const inner = await traceAgentRun({ name: 'inner', type: 'tool_using' }, async (run) => {
        await traceToolCall({ name: 'calculator' }, () => 4);
        expect(activeAgentRun()).toBe(run);
        return run.toolCalls;
      });
      await traceToolCall({ name: 'notify' }, async () => undefined);
      expect(activeAgentRun()).toBe(outer);
      return { outer: outer.toolCalls, outerRetries: outer.retries, inner };
    });
    expect(counts).toEqual({ outer: 1, outerRetries: 1, inner: 1 });
    expect((await telemetry.span('execute_tool calculator')).attributes['agent.name']).toBe('inner');
    expect((await telemetry.span('execute_tool notify')).attributes['agent.name']).toBe('outer');
    expect(activeAgentRun()).toBeUndefined();
  });

  it('records tool calls made without traceToolCall', async () => {
    await traceAgentRun({ name: 'planner', type: 'tool_using' }, (agent) => {
      agent.recordToolCall('lookup');
      agent.recordToolCall('lookup', 'error');
    });
    expect((await telemetry.span('invoke_agent planner')).attributes['agent.tool_calls']).toBe(2);
    expect(await telemetry.counter('agent.tool_calls.total', { tool_name: 'lookup', status: 'error' })).toBe(1);
  });

  it('stays synchronous for a synchronous run', async () => {
    expect(traceAgentRun({ name: 'sync', type: 't' }, () => 42)).toBe(42);
    expect((await telemetry.span('invoke_agent sync')).attributes['agent.result.length']).toBeUndefined();
  });
});

describe('tool calls', () => {
  it('outside any agent: no agent name, and the missing metric attribute is reported once', async () => {
    const diagnostics = captureDiagnostics();
    expect(await traceToolCall({ name: 'clock' }, async () => 'noon')).toBe('noon');
    await traceToolCall({ name: 'clock' }, async () => 'one');
    diagnostics.restore();
    expect((await telemetry.spans()).map((span) => span.attributes['agent.name'])).toEqual([undefined, undefined]);
    expect(await telemetry.points('agent.tool_calls.total')).toEqual([{ attributes: { tool_name: 'clock', status: 'success' }, value: 2 }]);
    expect(diagnostics.messages.filter((message) => message.includes('agent_name is missing'))).toHaveLength(1);
  });

  it('an explicit agent name wins over the context', async () => {
    await traceAgentRun({ name: 'a', type: 't' }, () => traceToolCall({ name: 'x', agentName: 'b' }, () => 'r'));
    expect((await telemetry.span('execute_tool x')).attributes['agent.name']).toBe('b');
    expect((await telemetry.span('invoke_agent a')).attributes['agent.tool_calls']).toBe(1);
  });
});

describe('wrappers', () => {
  class Agent {
    readonly name: string;
    constructor(name: string) {
      this.name = name;
    }
    async run(question: string, history: string[]): Promise<string> {
      const found = await this.search(question);
      return `${this.name} answers ${question} with ${found} (${history.length} earlier)`;
    }
    async search(query: string): Promise<string> {
      return `[${query}]`;
    }
  }
  Agent.prototype.run = wrapAgentRun((self: Agent, [, history]) => ({ name: self.name, type: 'qa', historySize: history.length }), Agent.prototype.run);
  Agent.prototype.search = wrapToolCall({ name: 'search' }, Agent.prototype.search);

  it('trace methods with their own this and arguments', async () => {
    expect(await new Agent('ada').run('why?', ['a', 'b'])).toBe('ada answers why? with [why?] (2 earlier)');
    const run = await telemetry.span('invoke_agent ada');
    expect(run.attributes).toMatchObject({ 'agent.history.size': 2, 'agent.tool_calls': 1 });
    expect((await telemetry.span('execute_tool search')).parentSpanContext?.spanId).toBe(run.spanContext().spanId);
  });
});
