/**
 * Agent runs: the `agent.{name}.run` span, execution counter and duration,
 * errors, retries and conversation history size.
 *
 * The run is put in the active context, so `traceToolCall` anywhere inside
 * it (across awaits and timers) counts itself on the nearest enclosing run
 * and names its agent, and framework code deep in the call stack can reach
 * the run with `activeAgentRun()` to record a retry.
 */
import { context, createContextKey, type Context } from '@opentelemetry/api';
import { STATUS_VALUE_ERROR, STATUS_VALUE_START, STATUS_VALUE_SUCCESS, type StatusValue } from '../generated/attributes.ts';
import {
  recordAgentErrorsTotal,
  recordAgentExecutionDuration,
  recordAgentExecutionsTotal,
  recordAgentHistorySize,
  recordAgentRetriesTotal,
  recordAgentToolCallsTotal,
} from '../generated/metrics.ts';
import { startAgentRunSpan, type AgentRunSpan } from '../generated/spans.ts';
import { runInSpan, type SpanStartOptions } from '../runtime/spans.ts';
import { errorType, guarded, startStopwatch, telemetryOn, textLength } from './internal.ts';
import { callThrough, wrapWith, type InfoSource } from './wrap.ts';

export interface AgentRunInfo {
  readonly name: string;
  /** The kind of agent, as the framework classifies it (`conversational`, `tool_using`). */
  readonly type: string;
  /** Messages in the conversation history the agent runs with. */
  readonly historySize?: number;
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

const AGENT_RUN_KEY = createContextKey('flo instrumentation: agent run');

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
  const spanAttributes = { agentName: info.name, agentType: info.type, agentHistorySize: info.historySize };
  const span = startAgentRunSpan(spanAttributes, options);
  const agent = new AgentRunState(info, span);
  if (!telemetryOn()) return run(agent);
  guarded('agent run: recording history size', () => {
    if (info.historySize !== undefined) recordAgentHistorySize(info.historySize, { agentName: info.name, agentType: info.type });
  });
  const stopwatch = startStopwatch();
  const metricAttributes = { agentName: info.name, agentType: info.type };
  return context.with(context.active().setValue(AGENT_RUN_KEY, agent), () =>
    runInSpan(span, () => run(agent), {
      onSuccess(result) {
        agent.setCounts();
        const resultLength = textLength(result);
        if (resultLength !== undefined) span.setAgentResultLength(resultLength);
        recordAgentExecutionsTotal(1, { ...metricAttributes, status: STATUS_VALUE_SUCCESS });
        recordAgentExecutionDuration(stopwatch.elapsedMs(), metricAttributes);
      },
      onFailure(error) {
        agent.setCounts();
        recordAgentExecutionsTotal(1, { ...metricAttributes, status: STATUS_VALUE_ERROR });
        recordAgentErrorsTotal(1, { agentName: info.name, errorType: errorType(error) });
      },
    }),
  );
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

  constructor(info: AgentRunInfo, span: AgentRunSpan) {
    this.name = info.name;
    this.type = info.type;
    this.span = span;
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
    recordAgentToolCallsTotal(1, { agentName: this.name, toolName, status: outcome });
  }

  recordRetry(reason: string): void {
    this.#retries += 1;
    recordAgentRetriesTotal(1, { agentName: this.name, reason });
  }

  /** Final counts on the span, zeros included: "no tool calls" is an answer too. */
  setCounts(): void {
    this.span.setAgentToolCalls(this.#toolCalls).setAgentRetries(this.#retries);
  }
}

/** For traceToolCall: count a tool call on the run it happens in. */
export function countToolCallOn(agent: AgentRun | undefined): void {
  if (agent instanceof AgentRunState) agent.countToolCall();
}
