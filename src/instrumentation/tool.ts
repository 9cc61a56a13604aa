/**
 * Tool executions: the `agent.tool.{name}` span and `agent.tool_calls.total`.
 * Inside an agent run the call counts on that run and takes its agent name
 * unless one is given.
 */
import { STATUS_VALUE_ERROR, STATUS_VALUE_SUCCESS, type StatusValue } from '../generated/attributes.ts';
import { recordAgentToolCallsTotal, type AgentToolCallsTotalAttributes } from '../generated/metrics.ts';
import { startAgentToolSpan, type AgentToolSpan } from '../generated/spans.ts';
import { runInSpan, type SpanStartOptions } from '../runtime/spans.ts';
import { activeAgentRun, countToolCallOn } from './agent.ts';
import { telemetryOn, textLength } from './internal.ts';
import { callThrough, wrapWith, type InfoSource } from './wrap.ts';

export interface ToolCallInfo {
  readonly name: string;
  /** The agent calling the tool; default: the agent run active here, if any. */
  readonly agentName?: string;
}

/** Runs `call` (sync or async) inside the `agent.tool.{name}` span; returns or throws exactly what it does. */
export function traceToolCall<T>(info: ToolCallInfo, call: (span: AgentToolSpan) => T, options?: SpanStartOptions): T {
  const agent = activeAgentRun();
  const agentName = info.agentName ?? agent?.name;
  const span = startAgentToolSpan({ toolName: info.name, agentName }, options);
  if (!telemetryOn()) return call(span);
  countToolCallOn(agent);
  const record = (status: StatusValue) => recordAgentToolCallsTotal(1, toolCallAttributes(info.name, agentName, status));
  return runInSpan(span, call, {
    onSuccess(result) {
      const resultLength = textLength(result);
      if (resultLength !== undefined) span.setToolResultLength(resultLength);
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
