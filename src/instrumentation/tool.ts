/**
 * Tool executions: the `agent.tool.{name}` span (`execute_tool {name}` when
 * the GenAI conventions are emitted) and `agent.tool_calls.total`.
 * Inside an agent run the call counts on that run and takes its agent name
 * unless one is given.
 */
import { GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL, STATUS_VALUE_ERROR, STATUS_VALUE_SUCCESS } from '../generated/attributes.ts';
import type { ConventionsEmitter, ToolCallFacts } from '../generated/conventions.ts';
import { AGENT_TOOL_SPAN, AgentToolSpan, startAgentToolSpan } from '../generated/spans.ts';
import { runInSpan, type OutcomeHooks, type SpanStartOptions } from '../runtime/spans.ts';
import { activeAgentRun, countToolCallOn } from './agent.ts';
import { errorType, hasInfo, session, textLength } from './internal.ts';
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

/** What the call gets while telemetry is off: a span that records nothing. */
const OFF = new AgentToolSpan(undefined, AGENT_TOOL_SPAN);

/** Runs `call` (sync or async) inside the `agent.tool.{name}` span; returns or throws exactly what it does. */
export function traceToolCall<T>(info: ToolCallInfo, call: (span: AgentToolSpan) => T, options?: SpanStartOptions): T {
  const current = session();
  if (current === undefined || !hasInfo('traceToolCall', info)) return call(OFF);
  const agent = activeAgentRun();
  const agentName = info.agentName ?? agent?.name;
  const span = startAgentToolSpan(toolSpanAttributes(info, agentName), options);
  countToolCallOn(agent);
  return runInSpan(span, call, new ToolCallOutcome<Awaited<T>>(span, toolCallFacts(info, agentName), current.emitter));
}

/** The span's start attributes, as one object of one shape; the session's conventions decide which it writes (the generated span writes `gen_ai.operation.name`). */
function toolSpanAttributes(info: ToolCallInfo, agentName: string | undefined) {
  return {
    toolName: info.name,
    agentName,
    genAiToolCallId: info.callId,
    genAiToolType: info.type,
    genAiToolDescription: info.description,
  };
}

/**
 * `agent_name` is required on `agent.tool_calls.total`, but a tool can run outside any agent.
 * Then it is left out (the runtime reports the missing attribute once through diag) rather than
 * filled with a made-up name: an undefined agentName is a missing one to the recorder.
 */
function toolCallFacts(info: ToolCallInfo, agentName: string | undefined): { -readonly [K in keyof ToolCallFacts]: ToolCallFacts[K] } {
  return {
    agentName: agentName as string,
    toolName: info.name,
    status: STATUS_VALUE_SUCCESS,
    errorType: undefined,
    genAiToolName: info.name,
    genAiToolType: info.type,
    genAiAgentName: agentName,
  };
}

/** What a tool call records once its outcome is known: one object per call, no closures. */
class ToolCallOutcome<R> implements OutcomeHooks<R> {
  readonly #span: AgentToolSpan;
  readonly #facts: { -readonly [K in keyof ToolCallFacts]: ToolCallFacts[K] };
  readonly #emitter: ConventionsEmitter;
  readonly #started = performance.now();

  constructor(span: AgentToolSpan, facts: { -readonly [K in keyof ToolCallFacts]: ToolCallFacts[K] }, emitter: ConventionsEmitter) {
    this.#span = span;
    this.#facts = facts;
    this.#emitter = emitter;
  }

  onSuccess(result: R): void {
    const resultLength = textLength(result);
    if (resultLength !== undefined) this.#span.setToolResultLength(resultLength);
    this.#emitter.toolCall(performance.now() - this.#started, this.#facts);
  }

  onFailure(error: unknown): void {
    this.#facts.status = STATUS_VALUE_ERROR;
    this.#facts.errorType = errorType(error);
    this.#emitter.toolCall(performance.now() - this.#started, this.#facts);
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
