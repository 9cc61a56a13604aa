/**
 * `@flo-ai/telemetry-kit/openai-agents`: the OpenAI Agents SDK (`@openai/agents`) reports its
 * work to tracing processors, `onSpanStart` and `onSpanEnd` in separate calls, parents by span
 * id. `createOpenAIAgentsProcessor()` is such a processor; it records each span through the
 * kit's operation handles, so an agent run carries the kit's spans, GenAI and flo names, metrics,
 * content capture and redaction:
 *
 *   Agents SDK span or trace          the kit's operation
 *   trace (`Agent workflow`)          a workflow (`startWorkflow`)
 *   agent                             an agent run (`startAgentRun`)
 *   response (Responses API model)    an LLM call, read from the response: usage, model, id,
 *                                     finish reasons, output (`startLlmCall`)
 *   generation (Chat Completions)     an LLM call, from the span's model, messages and usage
 *   function                          a tool call (`startToolCall`)
 *   handoff                           a tool call named as the SDK names a handoff's tool
 *                                     (`transfer_to_{agent}`): the model called it as one
 *   task, turn, guardrail, custom …   nothing: what runs under them goes under their parent
 *
 * Model calls are known whole only when their span ends (the model, its usage and its response
 * are set then), so their spans start then, from the time the SDK reported the start; so do
 * handoffs, whose target is known at the end. LLM calls under an agent add their tokens to it.
 * The SDK reports no request model: the response's model names the call.
 *
 *   import { addTraceProcessor } from '@openai/agents';
 *   addTraceProcessor(createOpenAIAgentsProcessor());
 *
 * (`setTraceProcessors([createOpenAIAgentsProcessor()])` instead replaces the SDK's default
 * exporter to OpenAI's tracing backend.) Nothing here imports the SDK: the processor matches its
 * `TracingProcessor` interface, and `@openai/agents-core` is an optional peer dependency for its
 * types only.
 */
import type { Span, SpanData, Trace, TracingProcessor } from '@openai/agents-core';
import { startAgentRun } from '../../instrumentation/agent.ts';
import { warnFailed } from '../../instrumentation/internal.ts';
import { startLlmCall } from '../../instrumentation/llm.ts';
import type { Operation, OperationParent } from '../../instrumentation/operation.ts';
import { startToolCall, type ToolCallHandle } from '../../instrumentation/tool.ts';
import type { Usage } from '../../instrumentation/usage.ts';
import { startWorkflow } from '../../instrumentation/workflow.ts';
import { Runs } from '../runs.ts';

export interface OpenAIAgentsProcessorOptions {
  /** The `type` of agent runs (`AgentRunInfo.type`). Default `openai_agents`. */
  readonly agentType?: string;
  /** The provider of the model calls (`gen_ai.provider.name`). Default `openai`. */
  readonly provider?: string;
  /** The base URL the SDK's OpenAI client talks to, for `server.address` and `server.port`. */
  readonly serverUrl?: string | URL;
}

type AnySpan = Span<SpanData>;
type Json = Record<string, unknown>;

/** Spans that start their operation when they start: their children need them as parent. */
const STARTED_AT_START = new Set(['agent', 'function']);

class FloTelemetryProcessor implements TracingProcessor {
  readonly #options: OpenAIAgentsProcessorOptions;
  readonly #runs = new Runs<Operation>();

  constructor(options: OpenAIAgentsProcessorOptions) {
    this.#options = options;
  }

  async onTraceStart(trace: Trace): Promise<void> {
    guard('onTraceStart', () => this.#runs.add(trace.traceId, startWorkflow({ name: trace.name || 'Agent workflow' })));
  }

  async onTraceEnd(trace: Trace): Promise<void> {
    guard('onTraceEnd', () => this.#runs.take(trace.traceId)?.end());
  }

  async onSpanStart(span: AnySpan): Promise<void> {
    guard('onSpanStart', () => {
      const data = span.spanData;
      const parent = this.#parentOf(span);
      // The agent's model calls go to the processor's provider: the run names it from its start (gen_ai.provider.name is required on it).
      if (data.type === 'agent') this.#runs.add(span.spanId, startAgentRun({ name: data.name, type: this.#options.agentType ?? 'openai_agents', provider: this.#provider() }, { parent }));
      else if (data.type === 'function') this.#runs.add(span.spanId, startToolCall({ name: data.name, type: 'function' }, { parent }));
      else if (data.type !== 'response' && data.type !== 'generation' && data.type !== 'handoff') this.#runs.skip(span.spanId, span.parentId ?? span.traceId);
    });
  }

  async onSpanEnd(span: AnySpan): Promise<void> {
    guard('onSpanEnd', () => {
      const data = span.spanData;
      if (STARTED_AT_START.has(data.type)) {
        const handle = this.#runs.take(span.spanId);
        if (handle === undefined) return;
        if (data.type === 'function') (handle as ToolCallHandle).recordResult(data.output);
        endWith(handle, span);
        return;
      }
      if (data.type === 'response') this.#modelCall(span, data.response_id, data._response, data._input);
      else if (data.type === 'generation') this.#generation(span, data);
      else if (data.type === 'handoff') this.#handoff(span, data.from_agent, data.to_agent);
      else this.#runs.take(span.spanId);
    });
  }

  /** A Responses API call: everything is in the response the SDK keeps on the span. */
  #modelCall(span: AnySpan, responseId: string | undefined, response: Json | undefined, input: unknown): void {
    const model = text(response?.model) ?? 'unknown';
    const request = {
      model,
      ...(response?.instructions === undefined || response.instructions === null ? {} : { instructions: response.instructions }),
      input: input ?? [],
      ...pick(response, ['temperature', 'top_p', 'max_output_tokens', 'tools', 'text', 'conversation']),
    };
    const call = startLlmCall({ provider: this.#provider(), model, request, ...this.#server() }, { parent: this.#parentOf(span), startTime: startTimeOf(span) });
    if (response !== undefined) call.recordResponse(responseId !== undefined && response.id === undefined ? { ...response, id: responseId } : response);
    endWith(call, span);
  }

  /** A Chat Completions call: the span carries the model, the messages and the usage. */
  #generation(span: AnySpan, data: Extract<SpanData, { type: 'generation' }>): void {
    const model = text(data.model) ?? 'unknown';
    const call = startLlmCall(
      { provider: this.#provider(), model, request: { ...(data.model_config ?? {}), model, messages: data.input ?? [] }, ...this.#server() },
      { parent: this.#parentOf(span), startTime: startTimeOf(span) },
    );
    call.recordResponse({ model, choices: (data.output ?? []).map((message, index) => ({ index, message })) });
    const usage = generationUsage(data.usage);
    if (usage !== undefined) call.recordUsage(usage);
    endWith(call, span);
  }

  /** A handoff: the model called the handoff's tool; the SDK names it after the agent handed to. */
  #handoff(span: AnySpan, from: string | undefined, to: string | undefined): void {
    const name = to === undefined ? 'handoff' : `transfer_to_${to.replace(/[^a-zA-Z0-9]/g, '_')}`;
    const description = `Handoff${from === undefined ? '' : ` from ${from}`}${to === undefined ? '' : ` to ${to}`}`;
    const tool = startToolCall({ name, type: 'function', description }, { parent: this.#parentOf(span), startTime: startTimeOf(span) });
    if (to !== undefined) tool.recordResult(to);
    endWith(tool, span);
  }

  /** The nearest recorded ancestor: the parent span's operation, else the trace's workflow. */
  #parentOf(span: AnySpan): OperationParent | undefined {
    return this.#runs.parentOf(span.parentId ?? span.traceId);
  }

  #provider(): string {
    return this.#options.provider ?? 'openai';
  }

  #server(): { serverUrl?: string | URL } {
    return this.#options.serverUrl === undefined ? {} : { serverUrl: this.#options.serverUrl };
  }

  async shutdown(): Promise<void> {}

  async forceFlush(): Promise<void> {}

  /** Operations in flight, for tests: zero once every span and trace the SDK started has ended. */
  get runsInFlight(): number {
    return this.#runs.size;
  }
}

/** The SDK's span error as the error the operation failed with. */
class AgentsSpanError extends Error {
  override name = 'AgentsSpanError';
}

function endWith(handle: Operation, span: AnySpan): void {
  const error = span.error;
  if (error !== null && error !== undefined) handle.fail(new AgentsSpanError(typeof error.message === 'string' ? error.message : 'span error'));
  handle.end();
}

function startTimeOf(span: AnySpan): Date | undefined {
  const started = span.startedAt === null ? Number.NaN : Date.parse(span.startedAt);
  return Number.isNaN(started) ? undefined : new Date(started);
}

function generationUsage(usage: Extract<SpanData, { type: 'generation' }>['usage']): Usage | undefined {
  if (usage === undefined) return undefined;
  const details = (usage.details ?? {}) as Json;
  return {
    ...(typeof usage.input_tokens === 'number' ? { promptTokens: usage.input_tokens } : {}),
    ...(typeof usage.output_tokens === 'number' ? { completionTokens: usage.output_tokens } : {}),
    ...(typeof details.cached_tokens === 'number' ? { cacheReadTokens: details.cached_tokens } : {}),
    ...(typeof details.reasoning_tokens === 'number' && details.reasoning_tokens > 0 ? { reasoningTokens: details.reasoning_tokens } : {}),
  };
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function pick(source: Json | undefined, keys: readonly string[]): Json {
  const picked: Json = {};
  if (source === undefined) return picked;
  for (const key of keys) if (source[key] !== undefined && source[key] !== null) picked[key] = source[key];
  return picked;
}

/** A processor callback never throws into the SDK: a failure here is reported once, and the run goes on. */
function guard(callback: string, work: () => void): void {
  try {
    work();
  } catch (error) {
    warnFailed(`openai agents processor: ${callback}`, error);
  }
}

/** A tracing processor for the OpenAI Agents SDK that records its spans through the kit; see the module comment. */
export function createOpenAIAgentsProcessor(options: OpenAIAgentsProcessorOptions = {}): TracingProcessor & { readonly runsInFlight: number } {
  return new FloTelemetryProcessor(options);
}
