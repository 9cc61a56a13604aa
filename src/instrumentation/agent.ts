/**
 * Agent runs: the `agent.{name}.run` span (`invoke_agent {name}` when the
 * GenAI conventions are emitted), execution counter and duration, errors,
 * retries and conversation history size.
 *
 * The run is put in the active context, so `traceToolCall` anywhere inside
 * it (across awaits and timers) counts itself on the nearest enclosing run
 * and names its agent, and framework code deep in the call stack can reach
 * the run with `activeAgentRun()` to record a retry. A run started with
 * `startAgentRun` is in its handle's `context`, which operations started
 * with it as their parent see the same way.
 */
import { context, type Context } from '@opentelemetry/api';
import {
  GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT,
  STATUS_VALUE_ERROR,
  STATUS_VALUE_START,
  STATUS_VALUE_SUCCESS,
  type GenAiProviderNameValue,
  type StatusValue,
} from '../generated/attributes.ts';
import type { AgentRunFacts, ConventionsEmitter } from '../generated/conventions.ts';
import { AGENT_RUN_SPAN, AgentRunSpan, startAgentRunSpan } from '../generated/spans.ts';
import { contextWithSpan, runInSpan, type SpanStartOptions } from '../runtime/spans.ts';
import { LinkedContext } from '../runtime/linked-context.ts';
import { genAiProviderName } from './conventions.ts';
import { errorType, hasInfo, session, textLength, warnFailed, type Session } from './internal.ts';
import { AGENT_RUN_KEY, insideInvocation } from './invocation.ts';
import { Lifecycle, OperationHandle, parentContext, spanOptions, startInstant, type Operation, type OperationOptions } from './operation.ts';
import { callThrough, wrapWith, type InfoSource } from './wrap.ts';

export interface AgentRunInfo {
  readonly name: string;
  /** The kind of agent, as the framework classifies it (`conversational`, `tool_using`). */
  readonly type: string;
  /** Messages in the conversation history the agent runs with. */
  readonly historySize?: number;
  /** The provider of the agent's model (`gen_ai.provider.name`); default: that of its first LLM call. */
  readonly provider?: string;
  /** The agent's model, when it has a single one (`gen_ai.request.model`). */
  readonly model?: string;
  /** A stable identifier of the agent (`gen_ai.agent.id`). */
  readonly id?: string;
  /** What the agent is for (`gen_ai.agent.description`). */
  readonly description?: string;
  /** The conversation or session the run belongs to (`gen_ai.conversation.id`). */
  readonly conversationId?: string;
}

/** The outcomes of the spec's `status` attribute a finished tool call can have. */
export type ToolCallOutcome = Exclude<StatusValue, typeof STATUS_VALUE_START>;

/** The run in progress, handed to the traced function and reachable through `activeAgentRun()`. */
export interface AgentRun {
  readonly name: string;
  readonly type: string;
  /** The run's span, for attributes the helpers do not set. */
  readonly span: AgentRunSpan;
  /** Tool calls so far: those traced with `traceToolCall` inside the run, plus those recorded here. */
  readonly toolCalls: number;
  readonly retries: number;
  /** A tool call the framework made without `traceToolCall`: counted on the run and in `agent.tool_calls.total`. */
  recordToolCall(toolName: string, outcome?: ToolCallOutcome): void;
  /** A retry, and why (`tool_error`, `invalid_output`, `rate_limited`): counted on the run and in `agent.retries.total`. */
  recordRetry(reason: string): void;
}

/** The innermost agent run active here, or undefined (always undefined while telemetry is off). */
export function activeAgentRun(active: Context = context.active()): AgentRun | undefined {
  return active.getValue(AGENT_RUN_KEY) as AgentRun | undefined;
}

/**
 * Runs `run` (sync or async) inside the `agent.{name}.run` span and returns
 * or throws exactly what it does. Records `agent.executions.total` with its
 * outcome, `agent.execution.duration` (successful runs; see llm-signals.ts
 * for why), `agent.errors.total`, `agent.history.size`, and on the span the
 * tool-call and retry counts and the length of a string result: what a
 * `startAgentRun` handle records, the run's outcome going to one.
 */
export function traceAgentRun<T>(info: AgentRunInfo, run: (agent: AgentRun) => T, options?: SpanStartOptions): T {
  const current = session();
  // Off, the span is a no-op: the provider is not mapped, nothing would carry it.
  if (current === undefined || !hasInfo('traceAgentRun', info)) return run(new AgentRunState(info ?? NO_AGENT_INFO, undefined, undefined, undefined));
  const active = context.active();
  const agent = new AgentRunState(info, options ?? NO_OPTIONS, options?.parent ?? active, current);
  // The run goes in the context together with the span: one context switch for both.
  return runInSpan(agent.span, () => run(agent), agent as OperationHandle<Awaited<T>>, LinkedContext.with(active, AGENT_RUN_KEY, agent));
}

/** What the run gets while telemetry is off: a span that records nothing. */
const OFF = new AgentRunSpan(undefined, AGENT_RUN_SPAN);
/** What an untraced run without info reports as its name and type. */
const NO_AGENT_INFO: AgentRunInfo = Object.freeze({ name: '', type: '' });
const NO_OPTIONS: OperationOptions = Object.freeze({});

/**
 * An agent run in progress, as `startAgentRun` returns it: the run (counts of tool calls and
 * retries, reachable by operations started under it) and its end. `recordResult` hands over what
 * the run produced (the length of a string result goes on the span).
 */
export interface AgentRunHandle extends AgentRun, Operation {
  recordResult(result: unknown): void;
}

/**
 * Starts an agent run that ends in another call; records exactly what `traceAgentRun` records.
 * LLM calls started under it (`parent: run`, or in `run.context`) add their token usage to it and
 * name its provider; tool calls count on it. Never throws; while telemetry is off it records nothing.
 */
export function startAgentRun(info: AgentRunInfo, options: OperationOptions = NO_OPTIONS): AgentRunHandle {
  const current = session();
  if (current === undefined || !hasInfo('startAgentRun', info)) return new AgentRunState(info ?? NO_AGENT_INFO, undefined, undefined, undefined);
  try {
    return new AgentRunState(info, options, parentContext(options.parent), current).countIn(current);
  } catch (error) {
    warnFailed('startAgentRun', error);
    return new AgentRunState(info, undefined, undefined, undefined);
  }
}

/**
 * The span's start attributes, as one object of one shape; the session's conventions decide which it
 * writes (the generated span writes `gen_ai.operation.name`). The provider is required, but may be
 * known only once the run's first LLM call ends: the span reports it missing if it ends without one.
 */
function agentSpanAttributes(info: AgentRunInfo, provider: GenAiProviderNameValue | undefined) {
  return {
    agentName: info.name,
    agentType: info.type,
    agentHistorySize: info.historySize,
    genAiProviderName: provider as GenAiProviderNameValue,
    genAiRequestModel: info.model,
    genAiAgentId: info.id,
    genAiAgentDescription: info.description,
    genAiConversationId: info.conversationId,
  };
}

/** `fn` traced by `traceAgentRun` on every call; inside, `activeAgentRun()` reaches the run. */
export function wrapAgentRun<This, Args extends unknown[], R>(
  info: InfoSource<AgentRunInfo, This, NoInfer<Args>>,
  fn: (this: This, ...args: Args) => R,
  options?: SpanStartOptions,
): (this: This, ...args: Args) => R {
  return wrapWith('agent run', info, fn, (resolved, call) => traceAgentRun(resolved, call, options), callThrough);
}

/** One agent run, from its start to exactly one end; while telemetry is off (no session), a run that only counts. */
class AgentRunState extends OperationHandle<unknown> implements AgentRunHandle {
  protected readonly life = new Lifecycle('agent run');
  readonly name: string;
  readonly type: string;
  readonly span: AgentRunSpan;
  #toolCalls = 0;
  #retries = 0;
  #inputTokens: number | undefined;
  #outputTokens: number | undefined;
  #provider: GenAiProviderNameValue | undefined;
  #resultLength: number | undefined;
  /** Undefined while telemetry is off, and so are the rest. */
  readonly #emitter: ConventionsEmitter | undefined;
  readonly #facts: Mutable<AgentRunFacts> | undefined;
  readonly #parent: Context | undefined;
  readonly #started: number;
  #context: Context | undefined;

  constructor(info: AgentRunInfo, options: OperationOptions | undefined, parent: Context | undefined, current: Session | undefined) {
    super();
    this.name = info.name;
    this.type = info.type;
    this.#parent = parent;
    if (current === undefined || parent === undefined) {
      this.span = OFF;
      this.#emitter = undefined;
      this.#facts = undefined;
      this.#started = 0;
      return;
    }
    // The run's provider as GenAI names it, when the framework gave one.
    this.#provider = info.provider === undefined ? undefined : genAiProviderName(info.provider);
    this.#emitter = current.emitter;
    this.#facts = {
      agentName: info.name,
      agentType: info.type,
      status: STATUS_VALUE_SUCCESS,
      errorType: undefined,
      genAiOperationName: GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT,
      genAiInvocationIsNested: insideInvocation(parent),
      genAiAgentName: info.name,
      genAiWorkflowName: undefined,
      genAiRequestModel: info.model,
    };
    this.span = startAgentRunSpan(agentSpanAttributes(info, this.#provider), spanOptions(options ?? NO_OPTIONS, parent));
    current.emitter.agentHistory(info.historySize, this.#facts);
    this.#started = startInstant(options?.startTime);
  }

  /** The run's span with the run itself: operations started in it count on this run. */
  get context(): Context {
    this.#context ??= contextWithSpan(LinkedContext.with(this.#parent ?? context.active(), AGENT_RUN_KEY, this), this.span);
    return this.#context;
  }

  /** Called by the LLM helpers when a call inside this run ends: tokens add up, the first provider names the agent's. */
  noteLlmCall(provider: GenAiProviderNameValue, inputTokens: number | undefined, outputTokens: number | undefined): void {
    if (this.#provider === undefined) {
      this.#provider = provider;
      this.span.setGenAiProviderName(provider);
    }
    if (inputTokens !== undefined) this.#inputTokens = (this.#inputTokens ?? 0) + inputTokens;
    if (outputTokens !== undefined) this.#outputTokens = (this.#outputTokens ?? 0) + outputTokens;
  }

  get toolCalls(): number {
    return this.#toolCalls;
  }

  get retries(): number {
    return this.#retries;
  }

  /** Called by `traceToolCall` when a tool call starts inside this run. */
  countToolCall(): void {
    this.#toolCalls += 1;
  }

  recordToolCall(toolName: string, outcome: ToolCallOutcome = STATUS_VALUE_SUCCESS): void {
    if (!this.life.usable('recordToolCall')) return;
    this.#toolCalls += 1;
    this.#emitter?.agentToolCall({ agentName: this.name, toolName, status: outcome });
  }

  recordRetry(reason: string): void {
    if (!this.life.usable('recordRetry')) return;
    this.#retries += 1;
    this.#emitter?.agentRetry({ agentName: this.name, reason });
  }

  recordResult(result: unknown): void {
    if (this.life.usable('recordResult')) this.#resultLength = textLength(result);
  }

  onSuccess(result: unknown): void {
    this.recordResult(result);
    this.end();
  }

  onFailure(error: unknown): void {
    this.life.fail(error);
    this.end();
  }

  /**
   * Final counts on the span, zeros included ("no tool calls" is an answer too), and the run's
   * token usage (flo_ai's spans carry the first, GenAI's the second); then the outcome.
   */
  end(): void {
    if (!this.life.close()) return;
    const facts = this.#facts;
    if (facts === undefined) return;
    const failure = this.life.failure;
    try {
      this.span.setAgentToolCalls(this.#toolCalls).setAgentRetries(this.#retries);
      if (this.#inputTokens !== undefined) this.span.setGenAiUsageInputTokens(this.#inputTokens);
      if (this.#outputTokens !== undefined) this.span.setGenAiUsageOutputTokens(this.#outputTokens);
      if (failure === undefined) {
        if (this.#resultLength !== undefined) this.span.setAgentResultLength(this.#resultLength);
        facts.status = STATUS_VALUE_SUCCESS;
      } else {
        facts.status = STATUS_VALUE_ERROR;
        facts.errorType = errorType(failure.error);
      }
      this.#emitter?.agentRun(performance.now() - this.#started, facts);
    } catch (error) {
      this.life.endFailed(error);
    } finally {
      if (failure !== undefined) this.span.recordError(failure.error);
      this.span.end();
    }
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** For traceToolCall: count a tool call on the run it happens in. */
export function countToolCallOn(agent: AgentRun | undefined): void {
  if (agent instanceof AgentRunState) agent.countToolCall();
}

/** For the LLM helpers: a call inside this run ended with this provider and usage. */
export function noteLlmCallOn(agent: AgentRun | undefined, provider: GenAiProviderNameValue, inputTokens: number | undefined, outputTokens: number | undefined): void {
  if (agent instanceof AgentRunState) agent.noteLlmCall(provider, inputTokens, outputTokens);
}
