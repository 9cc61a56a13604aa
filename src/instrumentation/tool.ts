/**
 * Tool executions: the `agent.tool.{name}` span (`execute_tool {name}` when
 * the GenAI conventions are emitted) and `agent.tool_calls.total`.
 * Inside an agent run the call counts on that run and takes its agent name
 * unless one is given.
 */
import { GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL, STATUS_VALUE_ERROR, STATUS_VALUE_SUCCESS, type StatusValue } from '../generated/attributes.ts';
import { recordAgentToolCallsTotal, type AgentToolCallsTotalAttributes } from '../generated/metrics.ts';
import { AGENT_TOOL_SPAN, AgentToolSpan, startAgentToolSpan } from '../generated/spans.ts';
import { runInSpan, type OutcomeHooks, type SpanStartOptions } from '../runtime/spans.ts';
import { activeAgentRun, countToolCallOn } from './agent.ts';
import { emitsFlo, emitsGenAi, hasInfo, telemetryOn, textLength } from './internal.ts';
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
  if (!hasInfo('traceToolCall', info)) return call(new AgentToolSpan(undefined, AGENT_TOOL_SPAN));
  const agent = activeAgentRun();
  const agentName = info.agentName ?? agent?.name;
  const span = startAgentToolSpan(toolSpanAttributes(info, agentName), options);
  if (!telemetryOn()) return call(span);
  countToolCallOn(agent);
  return runInSpan(span, call, new ToolCallOutcome<Awaited<T>>(span, info.name, agentName));
}

/**
 * The span's start attributes for the conventions in force, as one object of one shape: what the
 * conventions do not emit is undefined, which the span leaves out.
 */
function toolSpanAttributes(info: ToolCallInfo, agentName: string | undefined) {
  const genAi = emitsGenAi();
  return {
    toolName: info.name,
    agentName,
    genAiOperationName: genAi ? GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL : undefined,
    genAiToolCallId: genAi ? info.callId : undefined,
    genAiToolType: genAi ? info.type : undefined,
    genAiToolDescription: genAi ? info.description : undefined,
  };
}

/** What a tool call records once its outcome is known: one object per call, no closures. */
class ToolCallOutcome<R> implements OutcomeHooks<R> {
  readonly #span: AgentToolSpan;
  readonly #toolName: string;
  readonly #agentName: string | undefined;
  readonly #flo = emitsFlo();

  constructor(span: AgentToolSpan, toolName: string, agentName: string | undefined) {
    this.#span = span;
    this.#toolName = toolName;
    this.#agentName = agentName;
  }

  onSuccess(result: R): void {
    if (!this.#flo) return;
    const resultLength = textLength(result);
    if (resultLength !== undefined) this.#span.setToolResultLength(resultLength);
    recordAgentToolCallsTotal(1, toolCallAttributes(this.#toolName, this.#agentName, STATUS_VALUE_SUCCESS));
  }

  onFailure(): void {
    if (this.#flo) recordAgentToolCallsTotal(1, toolCallAttributes(this.#toolName, this.#agentName, STATUS_VALUE_ERROR));
  }
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
  // An undefined agentName is a missing one to the recorder: reported, left out, the point kept.
  return { agentName: agentName as string, toolName, status };
}
