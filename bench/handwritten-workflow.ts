/**
 * The 5-node workflow of workloads.ts written by hand with @opentelemetry/api:
 * the same spans (names, kinds, parents, attributes, error handling), the same
 * metric points (instruments with the same name, unit, value type and bucket
 * advice; the same attributes and values) that the kit records in each
 * conventions mode, and the same marking of the GenAI inference span's context,
 * where provider SDKs' duplicate inference spans are not recorded. test/bench/handwritten-workflow.test.ts checks that
 * both record the same telemetry, so the benchmark compares like with like.
 *
 * It is what a careful engineer would write knowing the provider's response
 * shape and the mode in advance: object literals, no checks, no lookups.
 */
import { context, SpanKind, SpanStatusCode, trace, type Attributes, type Meter, type Span, type Tracer } from '@opentelemetry/api';
import type { Conventions } from '../src/index.ts';
import { withInferenceSpan } from '../src/runtime/sdk-inference-spans.ts';
import {
  AGENT_EXECUTION_DURATION_METRIC,
  AGENT_EXECUTIONS_TOTAL_METRIC,
  AGENT_HISTORY_SIZE_METRIC,
  AGENT_TOOL_CALLS_TOTAL_METRIC,
  GEN_AI_CLIENT_OPERATION_DURATION_METRIC,
  GEN_AI_CLIENT_TOKEN_USAGE_METRIC,
  LLM_REQUEST_DURATION_METRIC,
  LLM_REQUESTS_TOTAL_METRIC,
  LLM_TOKENS_COMPLETION_METRIC,
  LLM_TOKENS_PROMPT_METRIC,
  LLM_TOKENS_TOTAL_METRIC,
  WORKFLOW_EXECUTION_DURATION_METRIC,
  WORKFLOW_EXECUTIONS_TOTAL_METRIC,
  WORKFLOW_NODE_DURATION_METRIC,
  WORKFLOW_NODES_EXECUTED_METRIC,
} from '../src/generated/index.ts';
import type { MetricDescriptor } from '../src/runtime/index.ts';
import { bareCall, LLM, NODES } from './workloads.ts';

type Recorder = { add(value: number, attributes: Attributes): void } | { record(value: number, attributes: Attributes): void };

/** Instruments as the kit declares them: set up once, not part of what is measured. */
function instrument(meter: Meter, metric: MetricDescriptor): (value: number, attributes: Attributes) => void {
  const options = { description: metric.description, unit: metric.unit, valueType: metric.valueType === 'int' ? 0 : 1 };
  const boundaries = metric.explicitBucketBoundaries;
  const created: Recorder =
    metric.instrument === 'counter'
      ? meter.createCounter(metric.name, options)
      : meter.createHistogram(metric.name, { ...options, advice: boundaries ? { explicitBucketBoundaries: [...boundaries] } : undefined });
  return 'add' in created ? (value, attributes) => created.add(value, attributes) : (value, attributes) => created.record(value, attributes);
}

function failed(span: Span, error: unknown): void {
  const name = error instanceof Error ? error.constructor.name : typeof error;
  span.recordException({ name, message: error instanceof Error ? error.message : undefined });
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : undefined });
  span.setAttribute('error.type', name);
}

/** The hand-written workflow for one conventions mode. */
export function handWrittenWorkflow(tracer: Tracer, meter: Meter, mode: Conventions): () => Promise<number> {
  const flo = mode !== 'gen_ai';
  const genAi = mode !== 'flo';
  const m = {
    historySize: instrument(meter, AGENT_HISTORY_SIZE_METRIC),
    toolCalls: instrument(meter, AGENT_TOOL_CALLS_TOTAL_METRIC),
    requests: instrument(meter, LLM_REQUESTS_TOTAL_METRIC),
    requestDuration: instrument(meter, LLM_REQUEST_DURATION_METRIC),
    tokensPrompt: instrument(meter, LLM_TOKENS_PROMPT_METRIC),
    tokensCompletion: instrument(meter, LLM_TOKENS_COMPLETION_METRIC),
    tokensTotal: instrument(meter, LLM_TOKENS_TOTAL_METRIC),
    operationDuration: instrument(meter, GEN_AI_CLIENT_OPERATION_DURATION_METRIC),
    tokenUsage: instrument(meter, GEN_AI_CLIENT_TOKEN_USAGE_METRIC),
    agentExecutions: instrument(meter, AGENT_EXECUTIONS_TOTAL_METRIC),
    agentDuration: instrument(meter, AGENT_EXECUTION_DURATION_METRIC),
    nodesExecuted: instrument(meter, WORKFLOW_NODES_EXECUTED_METRIC),
    nodeDuration: instrument(meter, WORKFLOW_NODE_DURATION_METRIC),
    workflowExecutions: instrument(meter, WORKFLOW_EXECUTIONS_TOTAL_METRIC),
    workflowDuration: instrument(meter, WORKFLOW_EXECUTION_DURATION_METRIC),
  };
  const AGENT = 'planner';
  const AGENT_TYPE = 'tool_using';
  const TOOL = 'weather';
  const WORKFLOW = 'research';

  const tool = async (): Promise<string> => {
    const span = tracer.startSpan(
      genAi ? `execute_tool ${TOOL}` : `agent.tool.${TOOL}`,
      {
        kind: SpanKind.INTERNAL,
        attributes: !genAi
          ? { 'tool.name': TOOL, 'agent.name': AGENT }
          : !flo
            ? { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': TOOL, 'gen_ai.agent.name': AGENT }
            : { 'gen_ai.operation.name': 'execute_tool', 'tool.name': TOOL, 'gen_ai.tool.name': TOOL, 'agent.name': AGENT, 'gen_ai.agent.name': AGENT },
      },
    );
    try {
      const result = await context.with(trace.setSpan(context.active(), span), async () => 'sunny');
      if (flo) {
        span.setAttribute('tool.result.length', result.length);
        m.toolCalls(1, { agent_name: AGENT, tool_name: TOOL, status: 'success' });
      }
      return result;
    } catch (error) {
      if (flo) m.toolCalls(1, { agent_name: AGENT, tool_name: TOOL, status: 'error' });
      failed(span, error);
      throw error;
    } finally {
      span.end();
    }
  };

  const llm = async () => {
    const span = tracer.startSpan(genAi ? `chat ${LLM.model}` : `llm.${LLM.provider}.generate`, {
      kind: SpanKind.CLIENT,
      attributes: !genAi
        ? { 'llm.provider': LLM.provider, 'llm.model': LLM.model, 'llm.temperature': LLM.temperature }
        : !flo
          ? {
              'gen_ai.operation.name': 'chat',
              'gen_ai.provider.name': LLM.provider,
              'gen_ai.request.model': LLM.model,
              'gen_ai.request.temperature': LLM.temperature,
            }
          : {
              'gen_ai.operation.name': 'chat',
              'llm.provider': LLM.provider,
              'gen_ai.provider.name': LLM.provider,
              'llm.model': LLM.model,
              'gen_ai.request.model': LLM.model,
              'llm.temperature': LLM.temperature,
              'gen_ai.request.temperature': LLM.temperature,
            },
    });
    const started = performance.now();
    try {
      // Under the GenAI inference span, provider SDKs must not record a second one.
      const active = trace.setSpan(genAi ? withInferenceSpan(context.active(), span) : context.active(), span);
      const response = await context.with(active, bareCall);
      const durationMs = performance.now() - started;
      const { prompt_tokens: input, completion_tokens: output, total_tokens: total } = response.usage;
      if (flo) {
        span.setAttribute('llm.response.received', true);
        span.setAttribute('llm.usage.prompt_tokens', input);
        if (genAi) span.setAttribute('gen_ai.usage.input_tokens', input);
        span.setAttribute('llm.usage.completion_tokens', output);
        if (genAi) span.setAttribute('gen_ai.usage.output_tokens', output);
        span.setAttribute('llm.usage.total_tokens', total);
      } else {
        span.setAttribute('gen_ai.usage.input_tokens', input);
        span.setAttribute('gen_ai.usage.output_tokens', output);
      }
      if (genAi) span.setAttribute('gen_ai.response.model', response.model);
      if (flo) {
        const attributes = { model: LLM.model, provider: LLM.provider };
        m.requests(1, { model: LLM.model, provider: LLM.provider, status: 'success' });
        m.requestDuration(durationMs, attributes);
        m.tokensPrompt(input, attributes);
        m.tokensCompletion(output, attributes);
        m.tokensTotal(total, attributes);
      }
      if (genAi) {
        const base = { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': LLM.provider, 'gen_ai.request.model': LLM.model, 'gen_ai.response.model': response.model };
        m.operationDuration(durationMs / 1000, base);
        m.tokenUsage(input, { ...base, 'gen_ai.token.type': 'input' });
        m.tokenUsage(output, { ...base, 'gen_ai.token.type': 'output' });
      }
      return response;
    } catch (error) {
      if (flo) span.setAttribute('llm.response.received', false);
      failed(span, error);
      throw error;
    } finally {
      span.end();
    }
  };

  const agent = async (): Promise<string> => {
    const span = tracer.startSpan(genAi ? `invoke_agent ${AGENT}` : `agent.${AGENT}.run`, {
      kind: SpanKind.INTERNAL,
      attributes: !genAi
        ? { 'agent.name': AGENT, 'agent.type': AGENT_TYPE, 'agent.history.size': 4 }
        : !flo
          ? { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': AGENT }
          : { 'gen_ai.operation.name': 'invoke_agent', 'agent.name': AGENT, 'gen_ai.agent.name': AGENT, 'agent.type': AGENT_TYPE, 'agent.history.size': 4 },
    });
    if (flo) m.historySize(4, { agent_name: AGENT, agent_type: AGENT_TYPE });
    const started = performance.now();
    try {
      const result = await context.with(trace.setSpan(context.active(), span), async () => {
        await tool();
        const response = await llm();
        if (genAi) span.setAttribute('gen_ai.provider.name', LLM.provider);
        if (flo) span.setAttribute('agent.tool_calls', 1).setAttribute('agent.retries', 0);
        if (genAi) span.setAttribute('gen_ai.usage.input_tokens', response.usage.prompt_tokens).setAttribute('gen_ai.usage.output_tokens', response.usage.completion_tokens);
        return response.choices[0]?.message.content ?? '';
      });
      if (flo) {
        span.setAttribute('agent.result.length', result.length);
        m.agentExecutions(1, { agent_name: AGENT, agent_type: AGENT_TYPE, status: 'success' });
        m.agentDuration(performance.now() - started, { agent_name: AGENT, agent_type: AGENT_TYPE });
      }
      return result;
    } catch (error) {
      if (flo) m.agentExecutions(1, { agent_name: AGENT, agent_type: AGENT_TYPE, status: 'error' });
      failed(span, error);
      throw error;
    } finally {
      span.end();
    }
  };

  const node = async (name: string): Promise<string> => {
    // Nodes are flo_ai's concept: with the GenAI conventions alone there is no node span.
    if (!flo) return agent();
    // A node span is no GenAI span: flo_ai's keys only, in `both` too.
    const span = tracer.startSpan(`workflow.node.${name}`, {
      kind: SpanKind.INTERNAL,
      attributes: { 'workflow.name': WORKFLOW, 'node.name': name, 'node.type': 'agent' },
    });
    const started = performance.now();
    try {
      const result = await context.with(trace.setSpan(context.active(), span), agent);
      const elapsedMs = performance.now() - started;
      span.setAttribute('node.execution_time_ms', elapsedMs);
      m.nodesExecuted(1, { workflow_name: WORKFLOW, node_name: name, node_type: 'agent', status: 'success' });
      m.nodeDuration(elapsedMs, { workflow_name: WORKFLOW, node_name: name, node_type: 'agent' });
      return result;
    } catch (error) {
      span.setAttribute('node.execution_time_ms', performance.now() - started);
      m.nodesExecuted(1, { workflow_name: WORKFLOW, node_name: name, node_type: 'agent', status: 'error' });
      failed(span, error);
      throw error;
    } finally {
      span.end();
    }
  };

  return async () => {
    const span = tracer.startSpan(genAi ? `invoke_workflow ${WORKFLOW}` : `workflow.${WORKFLOW}`, {
      kind: SpanKind.INTERNAL,
      attributes: !genAi
        ? { 'workflow.name': WORKFLOW, 'workflow.node_count': NODES.length }
        : !flo
          ? { 'gen_ai.operation.name': 'invoke_workflow', 'gen_ai.workflow.name': WORKFLOW }
          : { 'gen_ai.operation.name': 'invoke_workflow', 'workflow.name': WORKFLOW, 'gen_ai.workflow.name': WORKFLOW, 'workflow.node_count': NODES.length },
    });
    const started = performance.now();
    try {
      const result = await context.with(trace.setSpan(context.active(), span), async () => {
        for (const name of NODES) await node(name);
        return NODES.length;
      });
      if (flo) {
        m.workflowExecutions(1, { workflow_name: WORKFLOW, status: 'success' });
        m.workflowDuration(performance.now() - started, { workflow_name: WORKFLOW });
      }
      return result;
    } catch (error) {
      if (flo) m.workflowExecutions(1, { workflow_name: WORKFLOW, status: 'error' });
      failed(span, error);
      throw error;
    } finally {
      span.end();
    }
  };
}
