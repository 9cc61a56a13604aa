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
import { contentCapture } from '../runtime/content.ts';
import { capturedGenAiContent, type GenAiOutputMessage } from './genai-messages.ts';
import { emitsGenAi } from './internal.ts';
import type { LlmCallInfo, LlmTarget } from './llm-signals.ts';
import { requestFacts, responseFacts, type ResponseFacts } from './providers/index.ts';
import type { Usage } from './usage.ts';

type LlmSpan = LlmGenerateSpan | LlmStreamSpan;

/**
 * Start attributes read from the request the framework passed (read once): the temperature it
 * sets when the framework named none (`llm.temperature`, which carries GenAI's key too), and,
 * when the GenAI conventions are emitted, the GenAI side of the span.
 */
export function requestAttributes(info: LlmCallInfo, target: LlmTarget, streamed: boolean) {
  const request = info.request === undefined ? {} : requestFacts(info.request);
  const llmTemperature = info.temperature ?? request.temperature;
  if (!emitsGenAi()) return { llmTemperature };
  const content = contentCapture().enabled ? capturedGenAiContent({ request: info.request, prompt: info.prompt }) : {};
  return {
    llmTemperature,
    genAiOperationName: target.genAi.genAiOperationName,
    genAiRequestStream: request.stream ?? streamed,
    genAiRequestMaxTokens: request.maxTokens,
    genAiRequestTopP: request.topP,
    genAiRequestTopK: request.topK,
    genAiRequestStopSequences: request.stopSequences,
    genAiRequestFrequencyPenalty: request.frequencyPenalty,
    genAiRequestPresencePenalty: request.presencePenalty,
    genAiRequestSeed: request.seed,
    // The convention records the choice count only when it is not the default of one.
    genAiRequestChoiceCount: request.choiceCount !== undefined && request.choiceCount !== 1 ? request.choiceCount : undefined,
    genAiOutputType: request.outputType,
    genAiConversationId: info.conversationId ?? request.conversationId,
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
