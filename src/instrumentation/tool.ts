/**
 * Tool executions: the `agent.tool.{name}` span (`execute_tool {name}` when
 * the GenAI conventions are emitted) and `agent.tool_calls.total`.
 * Inside an agent run the call counts on that run and takes its agent name
 * unless one is given.
 */
import { GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL, STATUS_VALUE_ERROR, STATUS_VALUE_SUCCESS, type StatusValue } from '../generated/attributes.ts';
import { recordAgentToolCallsTotal, type AgentToolCallsTotalAttributes } from '../generated/metrics.ts';
import { startAgentToolSpan, type AgentToolSpan } from '../generated/spans.ts';
import { runInSpan, type SpanStartOptions } from '../runtime/spans.ts';
import { activeAgentRun, countToolCallOn } from './agent.ts';
import { emitsFlo, emitsGenAi, telemetryOn, textLength } from './internal.ts';
import { callThrough, wrapWith, type InfoSource } from './wrap.ts';

export interface ToolCallInfo {
  readonly name: string;
  /** The agent calling the tool; default: the agent run active here, if any. */
  readonly agentName?: string;
  /** The id the model gave this call (`gen_ai.tool.call.id`), to join it to the LLM response that asked for it. */
  readonly callId?: string;
  /** `function`, `extension` or `datastore` (`gen_ai.tool.type`). */
  readonly type?: string;
  /** What the tool does (`gen_ai.tool.description`). */
  readonly description?: string;
}

/** Runs `call` (sync or async) inside the `agent.tool.{name}` span; returns or throws exactly what it does. */
export function traceToolCall<T>(info: ToolCallInfo, call: (span: AgentToolSpan) => T, options?: SpanStartOptions): T {
  const agent = activeAgentRun();
  const agentName = info.agentName ?? agent?.name;
  const genAi = emitsGenAi()
    ? { genAiOperationName: GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL, genAiToolCallId: info.callId, genAiToolType: info.type, genAiToolDescription: info.description }
    : {};
  const span = startAgentToolSpan({ toolName: info.name, agentName, ...genAi }, options);
  if (!telemetryOn()) return call(span);
  countToolCallOn(agent);
  const flo = emitsFlo();
  const record = (status: StatusValue) => {
    if (flo) recordAgentToolCallsTotal(1, toolCallAttributes(info.name, agentName, status));
  };
  return runInSpan(span, call, {
    onSuccess(result) {
      const resultLength = textLength(result);
      if (flo && resultLength !== undefined) span.setToolResultLength(resultLength);
      record(STATUS_VALUE_SUCCESS);
    },
    onFailure() {
      record(STATUS_VALUE_ERROR);
    },
  });
}

/** `fn` traced by `traceToolCall` on every call, signature, `this` and name kept. */
export function wrapToolCall<This, Args extends unknown[], R>(
  info: InfoSource<ToolCallInfo, This, NoInfer<Args>>,
  fn: (this: This, ...args: Args) => R,
  options?: SpanStartOptions,
): (this: This, ...args: Args) => R {
  return wrapWith('tool call', info, fn, (resolved, call) => traceToolCall(resolved, call, options), callThrough);
}

/**
 * `agent_name` is required on `agent.tool_calls.total`, but a tool can run
 * outside any agent. Then it is left out (the runtime reports the missing
 * attribute once through diag) rather than filled with a made-up name.
 */
function toolCallAttributes(toolName: string, agentName: string | undefined, status: StatusValue): AgentToolCallsTotalAttributes {
  return { toolName, status, ...(agentName === undefined ? {} : { agentName }) } as AgentToolCallsTotalAttributes;
}
