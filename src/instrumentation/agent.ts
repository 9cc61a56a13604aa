/**
 * Agent runs: the `agent.{name}.run` span (`invoke_agent {name}` when the
 * GenAI conventions are emitted), execution counter and duration, errors,
 * retries and conversation history size.
 *
 * The run is put in the active context, so `traceToolCall` anywhere inside
 * it (across awaits and timers) counts itself on the nearest enclosing run
 * and names its agent, and framework code deep in the call stack can reach
 * the run with `activeAgentRun()` to record a retry.
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
import { runInSpan, type OutcomeHooks, type SpanStartOptions } from '../runtime/spans.ts';
import { LinkedContext } from '../runtime/linked-context.ts';
import { genAiProviderName } from './conventions.ts';
import { errorType, hasInfo, session, textLength } from './internal.ts';
import { AGENT_RUN_KEY, insideInvocation } from './invocation.ts';
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
 * tool-call and retry counts and the length of a string result.
 */
export function traceAgentRun<T>(info: AgentRunInfo, run: (agent: AgentRun) => T, options?: SpanStartOptions): T {
  const current = session();
  // Off, the span is a no-op: the provider is not mapped, nothing would carry it.
  if (current === undefined || !hasInfo('traceAgentRun', info)) return run(new AgentRunState(info ?? NO_AGENT_INFO, OFF, undefined, undefined));
  const provider = info.provider === undefined ? undefined : genAiProviderName(info.provider);
  const active = context.active();
  const facts: AgentRunFacts = {
    agentName: info.name,
    agentType: info.type,
    status: STATUS_VALUE_SUCCESS,
    errorType: undefined,
    genAiOperationName: GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT,
    genAiInvocationIsNested: insideInvocation(active),
    genAiAgentName: info.name,
    genAiWorkflowName: undefined,
    genAiRequestModel: info.model,
  };
  const span = startAgentRunSpan(agentSpanAttributes(info, provider), options);
  const agent = new AgentRunState(info, span, provider, current.emitter);
  current.emitter.agentHistory(info.historySize, facts);
  // The run goes in the context together with the span: one context switch for both.
  return runInSpan(span, () => run(agent), new AgentRunOutcome<Awaited<T>>(agent, facts, current.emitter), LinkedContext.with(active, AGENT_RUN_KEY, agent));
}

/** What the run gets while telemetry is off: a span that records nothing. */
const OFF = new AgentRunSpan(undefined, AGENT_RUN_SPAN);
/** What an untraced run without info reports as its name and type. */
const NO_AGENT_INFO: AgentRunInfo = Object.freeze({ name: '', type: '' });

/** What an agent run records once its outcome is known: one object per run, no closures. */
class AgentRunOutcome<R> implements OutcomeHooks<R> {
  readonly #agent: AgentRunState;
  readonly #facts: { -readonly [K in keyof AgentRunFacts]: AgentRunFacts[K] };
  readonly #emitter: ConventionsEmitter;
  readonly #started = performance.now();

  constructor(agent: AgentRunState, facts: AgentRunFacts, emitter: ConventionsEmitter) {
    this.#agent = agent;
    this.#facts = facts;
    this.#emitter = emitter;
  }

  onSuccess(result: R): void {
    this.#agent.finish();
    const resultLength = textLength(result);
    if (resultLength !== undefined) this.#agent.span.setAgentResultLength(resultLength);
    this.#facts.status = STATUS_VALUE_SUCCESS;
    this.#emitter.agentRun(performance.now() - this.#started, this.#facts);
  }

  onFailure(error: unknown): void {
    this.#agent.finish();
    this.#facts.status = STATUS_VALUE_ERROR;
    this.#facts.errorType = errorType(error);
    this.#emitter.agentRun(performance.now() - this.#started, this.#facts);
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

class AgentRunState implements AgentRun {
  readonly name: string;
  readonly type: string;
  readonly span: AgentRunSpan;
  #toolCalls = 0;
  #retries = 0;
  #inputTokens: number | undefined;
  #outputTokens: number | undefined;
  #provider: GenAiProviderNameValue | undefined;

  /** Undefined while telemetry is off. */
  readonly #emitter: ConventionsEmitter | undefined;

  /** `provider`: the run's provider as GenAI names it, when the framework gave one. */
  constructor(info: AgentRunInfo, span: AgentRunSpan, provider: GenAiProviderNameValue | undefined, emitter: ConventionsEmitter | undefined) {
    this.name = info.name;
    this.type = info.type;
    this.span = span;
    this.#provider = provider;
    this.#emitter = emitter;
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
    this.#toolCalls += 1;
    this.#emitter?.agentToolCall({ agentName: this.name, toolName, status: outcome });
  }

  recordRetry(reason: string): void {
    this.#retries += 1;
    this.#emitter?.agentRetry({ agentName: this.name, reason });
  }

  /**
   * Final counts on the span, zeros included ("no tool calls" is an answer too), and the run's
   * token usage (flo_ai's spans carry the first, GenAI's the second).
   */
  finish(): void {
    this.span.setAgentToolCalls(this.#toolCalls).setAgentRetries(this.#retries);
    if (this.#inputTokens !== undefined) this.span.setGenAiUsageInputTokens(this.#inputTokens);
    if (this.#outputTokens !== undefined) this.span.setGenAiUsageOutputTokens(this.#outputTokens);
  }
}

/** For traceToolCall: count a tool call on the run it happens in. */
export function countToolCallOn(agent: AgentRun | undefined): void {
  if (agent instanceof AgentRunState) agent.countToolCall();
}

/** For the LLM helpers: a call inside this run ended with this provider and usage. */
export function noteLlmCallOn(agent: AgentRun | undefined, provider: GenAiProviderNameValue, inputTokens: number | undefined, outputTokens: number | undefined): void {
  if (agent instanceof AgentRunState) agent.noteLlmCall(provider, inputTokens, outputTokens);
}
