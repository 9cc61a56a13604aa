/**
 * What a whole-response LLM call and a streamed one record alike: the facts of the call (the
 * framework's provider and model, the GenAI ones, the server, the outcome), token usage on the
 * span, and the observations the session's emitter turns into metrics.
 *
 * Which metrics an observation becomes is the spec's business (the kit's metrics say what they
 * record under `annotations.flo.records`, the GenAI ones are mapped in the manifest; see
 * docs/metrics.md, "GenAI mapping"), decided for the session by the emitter it was bound with.
 * For example `llm.request.duration` (flo_ai's, in milliseconds) only measures calls that
 * succeeded, since it has no status attribute and a 30 s timeout would otherwise sit among the
 * answers; failures are counted by `llm.errors.total`. `gen_ai.client.operation.duration` has
 * `error.type` and records both, in seconds, as the GenAI convention asks.
 */
import {
  GEN_AI_OPERATION_NAME_VALUE_CHAT,
  STATUS_VALUE_ERROR,
  STATUS_VALUE_SUCCESS,
  type GenAiOperationNameValue,
  type GenAiProviderNameValue,
  type StatusValue,
} from '../generated/attributes.ts';
import type { ConventionsEmitter } from '../generated/conventions.ts';
import { genAiProviderName } from './conventions.ts';
import { errorType } from './internal.ts';
import { serverOf } from './providers/index.ts';
import type { Usage } from './usage.ts';

/** What the framework knows about an LLM request before sending it. */
export interface LlmCallInfo {
  /** The provider as the framework names it (`openai`, `gemini`, a class name); names the span. */
  readonly provider: string;
  readonly model: string;
  readonly temperature?: number;
  /** The prompt text; recorded only when content capture is on (see content.ts). */
  readonly prompt?: string;
  /** `gen_ai.operation.name` of the GenAI metrics. Default `chat`. */
  readonly operation?: GenAiOperationNameValue;
  /**
   * The request as sent to the provider (OpenAI Chat Completions or Responses, Anthropic
   * Messages, Gemini, Ollama bodies, as plain objects): its settings become `gen_ai.request.*`,
   * and with content capture on its messages `gen_ai.input.messages`.
   */
  readonly request?: unknown;
  /** The provider's base URL (`https://api.openai.com/v1`), for `server.address` and `server.port`. */
  readonly serverUrl?: string | URL;
  /** The conversation or session the call belongs to (`gen_ai.conversation.id`). */
  readonly conversationId?: string;
}

/**
 * The facts of one LLM call, as every metric recording an observation of it reads them: one
 * object of one shape for the whole call, completed with the response model and the outcome when
 * it ends. Metric recorders read the properties they declare and keep nothing of the object.
 */
export interface LlmFacts {
  readonly model: string;
  readonly provider: string;
  readonly genAiOperationName: GenAiOperationNameValue;
  readonly genAiProviderName: GenAiProviderNameValue;
  readonly genAiRequestModel: string;
  readonly serverAddress: string | undefined;
  readonly serverPort: number | undefined;
  /** Known once the response names it. */
  genAiResponseModel: string | undefined;
  status: StatusValue;
  errorType: string | undefined;
}

export function llmFacts(info: LlmCallInfo): LlmFacts {
  const server = serverOf(info.serverUrl);
  return {
    model: info.model,
    provider: info.provider,
    genAiOperationName: info.operation ?? GEN_AI_OPERATION_NAME_VALUE_CHAT,
    genAiProviderName: genAiProviderName(String(info.provider)),
    genAiRequestModel: info.model,
    // Undefined when unknown: the recorders leave out what is undefined.
    serverAddress: server.address,
    serverPort: server.address === undefined ? undefined : server.port,
    genAiResponseModel: undefined,
    status: STATUS_VALUE_SUCCESS,
    errorType: undefined,
  };
}

interface UsageSetters {
  setLlmUsagePromptTokens(value: number): unknown;
  setLlmUsageCompletionTokens(value: number): unknown;
  setLlmUsageTotalTokens(value: number): unknown;
  setGenAiUsageCacheReadInputTokens(value: number): unknown;
  setGenAiUsageCacheCreationInputTokens(value: number): unknown;
  setGenAiUsageReasoningOutputTokens(value: number): unknown;
}

/**
 * Every count the provider reported, zero included: on the span, a zero is information. The
 * session's conventions decide the keys (flo_ai's `llm.usage.*`, GenAI's `gen_ai.usage.*`, both).
 */
export function setUsageAttributes(span: UsageSetters, usage: Usage | undefined, reasoningTokens: number | undefined): void {
  if (usage?.promptTokens !== undefined) span.setLlmUsagePromptTokens(usage.promptTokens);
  if (usage?.completionTokens !== undefined) span.setLlmUsageCompletionTokens(usage.completionTokens);
  if (usage?.totalTokens !== undefined) span.setLlmUsageTotalTokens(usage.totalTokens);
  if (usage?.cacheReadTokens !== undefined) span.setGenAiUsageCacheReadInputTokens(usage.cacheReadTokens);
  if (usage?.cacheCreationTokens !== undefined) span.setGenAiUsageCacheCreationInputTokens(usage.cacheCreationTokens);
  if (reasoningTokens !== undefined) span.setGenAiUsageReasoningOutputTokens(reasoningTokens);
}

/**
 * The end of a call: its outcome on the facts, then the observations of its duration and of
 * every kind of token usage, reported or not (the emitter records what the session's metrics
 * want of each: only counts above zero, every reported count, or 0 for none).
 */
export function observeLlmEnd(
  emitter: ConventionsEmitter,
  observe: 'request' | 'stream',
  facts: LlmFacts,
  durationMs: number,
  usage: Usage | undefined,
  reasoningTokens: number | undefined,
  failure: { readonly error: unknown } | undefined,
): void {
  facts.status = failure === undefined ? STATUS_VALUE_SUCCESS : STATUS_VALUE_ERROR;
  facts.errorType = failure === undefined ? undefined : errorType(failure.error);
  if (observe === 'request') emitter.llmRequest(durationMs, facts);
  else emitter.llmStream(durationMs, facts);
  emitter.llmUsageInput(usage?.promptTokens, facts);
  emitter.llmUsageOutput(usage?.completionTokens, facts);
  emitter.llmUsageTotal(usage?.totalTokens, facts);
  emitter.llmUsageCacheRead(usage?.cacheReadTokens, facts);
  emitter.llmUsageCacheWrite(usage?.cacheCreationTokens, facts);
  emitter.llmUsageReasoning(reasoningTokens, facts);
}
