/**
 * The GenAI side of an LLM call's span: what the OpenTelemetry GenAI
 * conventions want beyond what flo_ai's attributes carry (request settings,
 * server, response id, model and finish reasons, cache and reasoning token
 * counts, and captured content in the conventions' JSON structure), read from
 * the request the framework passes and the response the provider returns
 * (providers/). Written only when the GenAI conventions are emitted.
 */
import type { Context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import type { LlmGenerateSpan, LlmStreamSpan } from '../generated/spans.ts';
import { LLM_OPERATION_VALUE_STREAM } from '../generated/attributes.ts';
import { capturedContent, contentCapture } from '../runtime/content.ts';
import { capturedGenAiContent, type GenAiContent, type GenAiOutputMessage } from './genai-messages.ts';
import { emitsFlo, emitsGenAi } from './internal.ts';
import type { LlmCallInfo, LlmTarget } from './llm-signals.ts';
import { requestFacts, responseFacts, type RequestFacts, type ResponseFacts } from './providers/index.ts';
import type { Usage } from './usage.ts';

type LlmSpan = LlmGenerateSpan | LlmStreamSpan;

const NO_REQUEST: RequestFacts = Object.freeze({});
const NO_CONTENT: GenAiContent = Object.freeze({});

/**
 * The start attributes of an LLM span, as one object of one shape whatever the conventions (what
 * they do not emit is undefined, which the span leaves out), so the span's attribute builder
 * reads it without spreads or shape changes: the framework's facts, the temperature the request
 * sets when the framework named none (`llm.temperature` carries GenAI's key too), and, when the
 * GenAI conventions are emitted, the GenAI side read from the request (read once).
 */
export function llmSpanAttributes(info: LlmCallInfo, target: LlmTarget, streamed: boolean) {
  const flo = emitsFlo();
  const genAi = emitsGenAi();
  const request = info.request === undefined ? NO_REQUEST : requestFacts(info.request);
  const genAiRequest = genAi ? request : NO_REQUEST;
  const content = genAi && contentCapture().enabled ? capturedGenAiContent({ request: info.request, prompt: info.prompt }) : NO_CONTENT;
  return {
    llmProvider: info.provider,
    llmModel: info.model,
    llmOperation: flo && streamed ? LLM_OPERATION_VALUE_STREAM : undefined,
    llmRequestContent: flo ? capturedContent(info.prompt, 'prompt') : undefined,
    llmTemperature: info.temperature ?? request.temperature,
    genAiOperationName: genAi ? target.genAi.genAiOperationName : undefined,
    genAiRequestStream: genAi ? (request.stream ?? streamed) : undefined,
    genAiRequestMaxTokens: genAiRequest.maxTokens,
    genAiRequestTopP: genAiRequest.topP,
    genAiRequestTopK: genAiRequest.topK,
    genAiRequestStopSequences: genAiRequest.stopSequences,
    genAiRequestFrequencyPenalty: genAiRequest.frequencyPenalty,
    genAiRequestPresencePenalty: genAiRequest.presencePenalty,
    genAiRequestSeed: genAiRequest.seed,
    // The convention records the choice count only when it is not the default of one.
    genAiRequestChoiceCount: genAiRequest.choiceCount !== 1 ? genAiRequest.choiceCount : undefined,
    genAiOutputType: genAiRequest.outputType,
    genAiConversationId: genAi ? (info.conversationId ?? request.conversationId) : undefined,
    serverAddress: target.genAi.serverAddress,
    serverPort: target.genAi.serverPort,
    genAiSystemInstructions: content.systemInstructions,
    genAiInputMessages: content.inputMessages,
  };
}

/** Reads the response facts of a whole response; `{}` when the GenAI conventions are off. */
export function genAiResponseFacts(response: unknown): ResponseFacts {
  return emitsGenAi() ? responseFacts(response) : {};
}

/** The span's GenAI response attributes and, with capture on, its output messages. */
export function setGenAiResponse(span: LlmSpan, facts: ResponseFacts, usage: Usage | undefined, output: { readonly response?: unknown; readonly completion?: string; readonly outputMessages?: readonly GenAiOutputMessage[] }): void {
  if (!emitsGenAi()) return;
  if (facts.id !== undefined) span.setGenAiResponseId(facts.id);
  if (facts.model !== undefined) span.setGenAiResponseModel(facts.model);
  if (facts.finishReasons !== undefined && facts.finishReasons.length > 0) span.setGenAiResponseFinishReasons(facts.finishReasons);
  if (facts.conversationId !== undefined) span.setGenAiConversationId(facts.conversationId);
  // The usage the helpers record leaves reasoning out (flo_ai has no key for it); the response facts carry it.
  const reasoningTokens = usage?.reasoningTokens ?? facts.usage?.reasoningTokens;
  if (reasoningTokens !== undefined) span.setGenAiUsageReasoningOutputTokens(reasoningTokens);
  if (!contentCapture().enabled) return;
  const { outputMessages } = capturedGenAiContent(output);
  if (outputMessages !== undefined) span.setGenAiOutputMessages(outputMessages);
}

/**
 * What happens to spans the provider SDK starts inside the call. `@anthropic-ai/sdk` starts its own
 * GenAI inference span (`anthropic.messages.create`) by default; with the kit's span already the
 * GenAI inference span, that is two inference spans, and doubled token counts, for one call.
 * `suppress` runs the call under OpenTelemetry's suppressTracing, so nothing inside it starts a span
 * or sends `traceparent` (HTTP client spans under the call go too); `keep` leaves them (then turn the
 * SDK's own off with its `openTelemetry: false` option if the duplicate matters).
 */
export type SdkSpans = 'suppress' | 'keep';

/** The default: suppress while the kit's span is a GenAI inference span, keep when it is flo_ai's only. */
export function suppressesSdkSpans(choice: SdkSpans | undefined): boolean {
  return (choice ?? (emitsGenAi() ? 'suppress' : 'keep')) === 'suppress';
}

/** The context provider code runs in: the span's, with tracing suppressed below it when chosen. */
export function callContext(spanContext: Context, suppress: boolean): Context {
  return suppress ? suppressTracing(spanContext) : spanContext;
}
