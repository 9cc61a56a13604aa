/**
 * What a whole-response LLM call and a streamed one record alike: the flo
 * metrics flo_ai's dashboards read and their GenAI-convention forms, each
 * gated by the conventions in force (see conventions.ts), plus token usage
 * on the span.
 *
 * Durations: `llm.request.duration` and `llm.stream.duration` carry no status
 * attribute, so they only measure calls that succeeded (a 30 s timeout would
 * otherwise sit in the same histogram as the answers); failures are counted
 * by `llm.errors.total`. `gen_ai.client.operation.duration` has `error.type`,
 * so it records both, as the GenAI convention asks.
 */
import {
  ATTR_GEN_AI_PROVIDER_NAME,
  GEN_AI_OPERATION_NAME_VALUE_CHAT,
  GEN_AI_TOKEN_TYPE_VALUE_INPUT,
  GEN_AI_TOKEN_TYPE_VALUE_OUTPUT,
  STATUS_VALUE_ERROR,
  STATUS_VALUE_START,
  STATUS_VALUE_SUCCESS,
  type GenAiOperationNameValue,
  type GenAiProviderNameValue,
  type StatusValue,
} from '../generated/attributes.ts';
import {
  recordGenAiClientOperationDuration,
  recordGenAiClientOperationTimePerOutputChunk,
  recordGenAiClientOperationTimeToFirstChunk,
  recordGenAiClientTokenUsage,
  recordLlmErrorsTotal,
  recordLlmRequestDuration,
  recordLlmRequestsTotal,
  recordLlmStreamChunksTotal,
  recordLlmStreamDuration,
  recordLlmStreamsTotal,
  recordLlmStreamTimeToFirstChunk,
  recordLlmTokensCompletion,
  recordLlmTokensPrompt,
  recordLlmTokensTotal,
} from '../generated/metrics.ts';
import type { InstrumentedSpan } from '../runtime/spans.ts';
import { emitsFlo, emitsGenAi } from '../runtime/conventions.ts';
import { genAiProviderName } from './conventions.ts';
import { serverOf } from './providers/index.ts';
import { errorType, MS_PER_SECOND, warnOnce } from './internal.ts';
import { errorMessage } from '../runtime/error-text.ts';
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

/** The attribute sets of one call, computed once. */
export interface LlmTarget {
  readonly flo: { readonly model: string; readonly provider: string };
  readonly genAi: {
    readonly genAiOperationName: GenAiOperationNameValue;
    readonly genAiProviderName: GenAiProviderNameValue;
    readonly genAiRequestModel: string;
    readonly serverAddress?: string;
    readonly serverPort?: number;
    /** Known once the response names it. */
    readonly genAiResponseModel?: string;
  };
}

export function llmTarget(info: LlmCallInfo): LlmTarget {
  const server = emitsGenAi() ? serverOf(info.serverUrl) : undefined;
  return {
    flo: { model: info.model, provider: info.provider },
    genAi: {
      genAiOperationName: info.operation ?? GEN_AI_OPERATION_NAME_VALUE_CHAT,
      genAiProviderName: genAiProviderName(String(info.provider)),
      genAiRequestModel: info.model,
      // Undefined when unknown: the recorders leave out what is undefined.
      serverAddress: server?.address,
      serverPort: server?.address === undefined ? undefined : server.port,
    },
  };
}

/** The target with the model the response named, which the GenAI metrics carry. */
export function withResponseModel(target: LlmTarget, model: string | undefined): LlmTarget {
  if (model === undefined) return target;
  const { genAiOperationName, genAiProviderName, genAiRequestModel, serverAddress, serverPort } = target.genAi;
  // Literals of one shape rather than spreads: this runs once per call that succeeded.
  return { flo: target.flo, genAi: { genAiOperationName, genAiProviderName, genAiRequestModel, serverAddress, serverPort, genAiResponseModel: model } };
}

/** The flo metrics' attributes with a status, as one literal (a spread of target.flo costs several times as much). */
function floWithStatus(target: LlmTarget, status: StatusValue) {
  return { model: target.flo.model, provider: target.flo.provider, status };
}

/** The GenAI attributes with a token type, as one literal. */
function genAiWithTokenType(target: LlmTarget, genAiTokenType: typeof GEN_AI_TOKEN_TYPE_VALUE_INPUT | typeof GEN_AI_TOKEN_TYPE_VALUE_OUTPUT) {
  const { genAiOperationName, genAiProviderName, genAiRequestModel, serverAddress, serverPort, genAiResponseModel } = target.genAi;
  return { genAiOperationName, genAiProviderName, genAiRequestModel, serverAddress, serverPort, genAiResponseModel, genAiTokenType };
}

/**
 * The runtime copies `llm.provider` to its GenAI equivalent unchanged; the
 * GenAI key should carry the convention's value (`gcp.gemini`, not `gemini`),
 * the same one the GenAI metrics carry, so spans and metrics join up.
 */
export function alignGenAiProvider(span: InstrumentedSpan, target: LlmTarget): void {
  if (!emitsGenAi() || target.genAi.genAiProviderName === target.flo.provider) return;
  try {
    span.otelSpan?.setAttribute(ATTR_GEN_AI_PROVIDER_NAME, target.genAi.genAiProviderName);
  } catch (error) {
    warnOnce(`llm call: aligning gen_ai.provider.name failed: ${errorMessage(error)}`);
  }
}

interface UsageSetters {
  setLlmUsagePromptTokens(value: number): unknown;
  setLlmUsageCompletionTokens(value: number): unknown;
  setLlmUsageTotalTokens(value: number): unknown;
  setGenAiUsageCacheReadInputTokens(value: number): unknown;
  setGenAiUsageCacheCreationInputTokens(value: number): unknown;
}

/**
 * Every count the provider reported, zero included: on the span, a zero is information.
 * Prompt and completion counts carry their GenAI keys through the spec's equivalents; the
 * total has none (GenAI backends add the two up), the cache and reasoning counts are GenAI's.
 */
export function setUsageAttributes(span: UsageSetters, usage: Usage | undefined): void {
  if (usage?.promptTokens !== undefined) span.setLlmUsagePromptTokens(usage.promptTokens);
  if (usage?.completionTokens !== undefined) span.setLlmUsageCompletionTokens(usage.completionTokens);
  if (usage?.totalTokens !== undefined && emitsFlo()) span.setLlmUsageTotalTokens(usage.totalTokens);
  if (!emitsGenAi()) return;
  if (usage?.cacheReadTokens !== undefined) span.setGenAiUsageCacheReadInputTokens(usage.cacheReadTokens);
  if (usage?.cacheCreationTokens !== undefined) span.setGenAiUsageCacheCreationInputTokens(usage.cacheCreationTokens);
}

/**
 * flo token counters only grow by counts above zero, as flo_ai's do. The
 * GenAI histogram gets every reported count: a request that used 0 output
 * tokens is a real data point of a distribution.
 */
export function recordTokenUsage(target: LlmTarget, usage: Usage | undefined): void {
  if (usage === undefined) return;
  const { promptTokens, completionTokens, totalTokens } = usage;
  if (emitsFlo()) {
    if (promptTokens !== undefined && promptTokens > 0) recordLlmTokensPrompt(promptTokens, target.flo);
    if (completionTokens !== undefined && completionTokens > 0) recordLlmTokensCompletion(completionTokens, target.flo);
    if (totalTokens !== undefined && totalTokens > 0) recordLlmTokensTotal(totalTokens, target.flo);
  }
  if (emitsGenAi()) {
    if (promptTokens !== undefined) recordGenAiClientTokenUsage(promptTokens, genAiWithTokenType(target, GEN_AI_TOKEN_TYPE_VALUE_INPUT));
    if (completionTokens !== undefined) recordGenAiClientTokenUsage(completionTokens, genAiWithTokenType(target, GEN_AI_TOKEN_TYPE_VALUE_OUTPUT));
  }
}

export function recordRequestSuccess(target: LlmTarget, durationMs: number, usage: Usage | undefined): void {
  if (emitsFlo()) {
    recordLlmRequestsTotal(1, floWithStatus(target, STATUS_VALUE_SUCCESS));
    recordLlmRequestDuration(durationMs, target.flo);
  }
  recordGenAiDuration(target, durationMs, false, undefined);
  recordTokenUsage(target, usage);
}

export function recordRequestFailure(target: LlmTarget, durationMs: number, error: unknown): void {
  if (emitsFlo()) {
    recordLlmRequestsTotal(1, floWithStatus(target, STATUS_VALUE_ERROR));
    recordLlmErrorsTotal(1, { model: target.flo.model, provider: target.flo.provider, errorType: errorType(error) });
  }
  recordGenAiDuration(target, durationMs, true, error);
}

export function recordStreamStart(target: LlmTarget): void {
  if (emitsFlo()) recordLlmStreamsTotal(1, floWithStatus(target, STATUS_VALUE_START));
}

export function recordTimeToFirstChunk(target: LlmTarget, milliseconds: number): void {
  if (emitsFlo()) recordLlmStreamTimeToFirstChunk(milliseconds, target.flo);
  if (emitsGenAi()) recordGenAiClientOperationTimeToFirstChunk(milliseconds / MS_PER_SECOND, target.genAi);
}

/** The time from the end of the previous chunk to the end of this one, for every chunk after the first. */
export function recordTimePerOutputChunk(target: LlmTarget, milliseconds: number): void {
  if (emitsGenAi()) recordGenAiClientOperationTimePerOutputChunk(milliseconds / MS_PER_SECOND, target.genAi);
}

export interface StreamEnd {
  readonly durationMs: number;
  readonly chunks: number;
  readonly usage: Usage | undefined;
  /** Set when the stream failed; a consumer stopping early is not a failure. */
  readonly failed: boolean;
  readonly error?: unknown;
}

export function recordStreamEnd(target: LlmTarget, end: StreamEnd): void {
  if (emitsFlo()) {
    const status: StatusValue = end.failed ? STATUS_VALUE_ERROR : STATUS_VALUE_SUCCESS;
    recordLlmStreamsTotal(1, floWithStatus(target, status));
    if (end.chunks > 0) recordLlmStreamChunksTotal(end.chunks, target.flo);
    if (end.failed) recordLlmErrorsTotal(1, { model: target.flo.model, provider: target.flo.provider, errorType: errorType(end.error) });
    else recordLlmStreamDuration(end.durationMs, target.flo);
  }
  recordGenAiDuration(target, end.durationMs, end.failed, end.error);
  recordTokenUsage(target, end.usage);
}

function recordGenAiDuration(target: LlmTarget, durationMs: number, failed: boolean, error: unknown): void {
  if (!emitsGenAi()) return;
  recordGenAiClientOperationDuration(durationMs / MS_PER_SECOND, failed ? { ...target.genAi, errorType: errorType(error) } : target.genAi);
}
