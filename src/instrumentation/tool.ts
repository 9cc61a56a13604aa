/**
 * Tool executions: the `agent.tool.{name}` span (`execute_tool {name}` when
 * the GenAI conventions are emitted) and `agent.tool_calls.total`.
 * Inside an agent run the call counts on that run and takes its agent name
 * unless one is given.
 */
import { context, type Context } from '@opentelemetry/api';
import { STATUS_VALUE_ERROR, STATUS_VALUE_SUCCESS } from '../generated/attributes.ts';
import type { ConventionsEmitter, ToolCallFacts } from '../generated/conventions.ts';
import { AGENT_TOOL_SPAN, AgentToolSpan, startAgentToolSpan } from '../generated/spans.ts';
import { contextWithSpan, runInSpan, type SpanStartOptions } from '../runtime/spans.ts';
import { activeAgentRun, countToolCallOn } from './agent.ts';
import { errorType, hasInfo, session, textLength, warnFailed, type Session } from './internal.ts';
import { InertOperation, Lifecycle, OperationHandle, parentContext, spanOptions, startInstant, type Operation, type OperationOptions } from './operation.ts';
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
const NO_OPTIONS: OperationOptions = Object.freeze({});

/**
 * Runs `call` (sync or async) inside the `agent.tool.{name}` span; returns or throws exactly what
 * it does. What it records is what a `startToolCall` handle records: the call's outcome goes to one.
 */
export function traceToolCall<T>(info: ToolCallInfo, call: (span: AgentToolSpan) => T, options?: SpanStartOptions): T {
  const current = session();
  if (current === undefined || !hasInfo('traceToolCall', info)) return call(OFF);
  const handle = new ToolCall<Awaited<T>>(info, options ?? NO_OPTIONS, options?.parent ?? context.active(), current);
  return runInSpan(handle.span, call, handle);
}

/** A tool call in progress, as `startToolCall` returns it; `recordResult` hands over what the tool returned. */
export interface ToolCallHandle extends Operation {
  readonly span: AgentToolSpan;
  recordResult(result: unknown): void;
}

/**
 * Starts a tool call that ends in another call; records exactly what `traceToolCall` records.
 * Under an agent run (its handle as `parent`, or its context) it counts on the run and takes its
 * agent name unless one is given. Never throws; while telemetry is off it records nothing.
 */
export function startToolCall(info: ToolCallInfo, options: OperationOptions = NO_OPTIONS): ToolCallHandle {
  const current = session();
  if (current === undefined || !hasInfo('startToolCall', info)) return OFF_HANDLE;
  try {
    return new ToolCall(info, options, parentContext(options.parent), current).countIn(current);
  } catch (error) {
    warnFailed('startToolCall', error);
    return OFF_HANDLE;
  }
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

/** One tool call, from its start to exactly one end. */
class ToolCall<R> extends OperationHandle<R> implements ToolCallHandle {
  protected readonly life = new Lifecycle('tool call');
  readonly span: AgentToolSpan;
  readonly #facts: { -readonly [K in keyof ToolCallFacts]: ToolCallFacts[K] };
  readonly #emitter: ConventionsEmitter;
  readonly #parent: Context;
  readonly #started: number;
  #resultLength: number | undefined;
  #context: Context | undefined;

  constructor(info: ToolCallInfo, options: OperationOptions, parent: Context, current: Session) {
    super();
    const agent = activeAgentRun(parent);
    const agentName = info.agentName ?? agent?.name;
    this.span = startAgentToolSpan(toolSpanAttributes(info, agentName), spanOptions(options, parent));
    countToolCallOn(agent);
    this.#facts = toolCallFacts(info, agentName);
    this.#emitter = current.emitter;
    this.#parent = parent;
    this.#started = startInstant(options.startTime);
  }

  get context(): Context {
    this.#context ??= contextWithSpan(this.#parent, this.span);
    return this.#context;
  }

  recordResult(result: unknown): void {
    if (this.life.usable('recordResult')) this.#resultLength = textLength(result);
  }

  onSuccess(result: R): void {
    this.recordResult(result);
    this.end();
  }

  onFailure(error: unknown): void {
    this.life.fail(error);
    this.end();
  }

  end(): void {
    if (!this.life.close()) return;
    const failure = this.life.failure;
    try {
      if (failure === undefined) {
        if (this.#resultLength !== undefined) this.span.setToolResultLength(this.#resultLength);
      } else {
        this.#facts.status = STATUS_VALUE_ERROR;
        this.#facts.errorType = errorType(failure.error);
      }
      this.#emitter.toolCall(performance.now() - this.#started, this.#facts);
    } catch (error) {
      this.life.endFailed(error);
    } finally {
      if (failure !== undefined) this.span.recordError(failure.error);
      this.span.end();
    }
  }
}

/** The handle `startToolCall` returns while telemetry is off: it records nothing. */
const OFF_HANDLE: ToolCallHandle = new InertOperation(OFF);

/** `fn` traced by `traceToolCall` on every call, signature, `this` and name kept. */
export function wrapToolCall<This, Args extends unknown[], R>(
  info: InfoSource<ToolCallInfo, This, NoInfer<Args>>,
  fn: (this: This, ...args: Args) => R,
  options?: SpanStartOptions,
): (this: This, ...args: Args) => R {
  return wrapWith('tool call', info, fn, (resolved, call) => traceToolCall(resolved, call, options), callThrough);
}
