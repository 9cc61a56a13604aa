/**
 * The GenAI side of an LLM call's span: what the OpenTelemetry GenAI
 * conventions want beyond what flo_ai's attributes carry (request settings,
 * server, response id, model and finish reasons, cache and reasoning token
 * counts, and captured content in the conventions' JSON structure), read from
 * the request the framework passes and the response the provider returns
 * (providers/). The helpers hand every attribute they know to the span; the
 * session's conventions decide which are written. What costs something to
 * work out (content in the GenAI structure, the response's facts) is worked
 * out only when the session's span records it.
 */
import type { Context } from '@opentelemetry/api';
import {
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_TOOL_DEFINITIONS,
  ATTR_LLM_REQUEST_CONTENT,
  GEN_AI_PROVIDER_NAME_VALUE_OPENAI,
  LLM_OPERATION_VALUE_STREAM,
  OPENAI_REQUEST_SERVICE_TIER_VALUE_AUTO,
} from '../generated/attributes.ts';
import type { LlmGenerateSpan, LlmStreamSpan } from '../generated/spans.ts';
import type { KitBinding } from '../runtime/bind.ts';
import { capturedContent, contentOnSpans, type ContentCaptureSettings } from '../runtime/content.ts';
import { LinkedContext } from '../runtime/linked-context.ts';
import { withInferenceSpan } from '../runtime/sdk-inference-spans.ts';
import { contextWithSpan, spanRecords, type SpanDescriptor } from '../runtime/spans.ts';
import { capturedGenAiContent, type GenAiContent, type GenAiOutputMessage } from './genai-messages.ts';
import type { LlmCallInfo, LlmFacts } from './llm-signals.ts';
import { requestFacts, toolDefinitions, type RequestFacts, type ResponseFacts } from './providers/index.ts';
import type { Usage } from './usage.ts';

type LlmSpan = LlmGenerateSpan | LlmStreamSpan;

const NO_REQUEST: RequestFacts = Object.freeze({});
const NO_CONTENT: GenAiContent = Object.freeze({});
export const NO_RESPONSE_FACTS: ResponseFacts = Object.freeze({});

/**
 * The start attributes of an LLM span, as one object of one shape: the framework's facts, the
 * temperature the request sets when the framework named none, the GenAI facts read from the
 * request (read once), and, with content capture on, the prompt in each form the session records.
 */
export function llmSpanAttributes(info: LlmCallInfo, facts: LlmFacts, streamed: boolean, descriptor: SpanDescriptor<never>, session: KitBinding) {
  const request = info.request === undefined ? NO_REQUEST : requestFacts(info.request);
  const capture = session.contentCapture;
  const content = contentOnSpans(capture) && spanRecords(descriptor, ATTR_GEN_AI_INPUT_MESSAGES) ? capturedGenAiContent({ request: info.request, prompt: info.prompt }, capture) : NO_CONTENT;
  return {
    llmProvider: info.provider,
    llmModel: info.model,
    llmOperation: streamed ? LLM_OPERATION_VALUE_STREAM : undefined,
    llmRequestContent: capture.enabled && spanRecords(descriptor, ATTR_LLM_REQUEST_CONTENT) ? capturedContent(info.prompt, 'prompt', capture) : undefined,
    llmTemperature: info.temperature ?? request.temperature,
    genAiOperationName: facts.genAiOperationName,
    genAiProviderName: facts.genAiProviderName,
    // Set only when the request streams: the convention reads an unset one as not streaming.
    genAiRequestStream: streamed || request.stream === true ? true : undefined,
    genAiRequestMaxTokens: request.maxTokens,
    genAiRequestTopP: request.topP,
    genAiRequestTopK: request.topK,
    genAiRequestStopSequences: request.stopSequences,
    genAiRequestFrequencyPenalty: request.frequencyPenalty,
    genAiRequestPresencePenalty: request.presencePenalty,
    genAiRequestSeed: request.seed,
    // The convention records the choice count only when it is not the default of one.
    genAiRequestChoiceCount: request.choiceCount !== 1 ? request.choiceCount : undefined,
    genAiOutputType: request.outputType,
    genAiConversationId: info.conversationId ?? request.conversationId,
    serverAddress: facts.serverAddress,
    serverPort: facts.serverPort,
    genAiSystemInstructions: content.systemInstructions,
    genAiInputMessages: content.inputMessages,
    genAiToolDefinitions: capture.enabled && spanRecords(descriptor, ATTR_GEN_AI_TOOL_DEFINITIONS) ? toolDefinitions(info.request) : undefined,
    // `auto` is the default tier: the convention records a requested tier other than it.
    openaiRequestServiceTier: isOpenAi(facts) && request.serviceTier !== OPENAI_REQUEST_SERVICE_TIER_VALUE_AUTO ? request.serviceTier : undefined,
  };
}

/** The OpenAI-specific attributes (`openai.*`) are the OpenAI provider's: OpenAI-compatible servers and Anthropic send fields of the same names. */
function isOpenAi(facts: LlmFacts): boolean {
  return facts.genAiProviderName === GEN_AI_PROVIDER_NAME_VALUE_OPENAI;
}

/** Whether the span records what is read from a response (its id, model, finish reasons): then it is worth reading. */
export function readsResponse(span: LlmSpan): boolean {
  return span.records(ATTR_GEN_AI_RESPONSE_MODEL);
}

/** The span's GenAI response attributes (the OpenAI ones for that provider: `call`) and, with capture on (for spans), its output messages; returns those, as captured. */
export function setGenAiResponse(
  span: LlmSpan,
  facts: ResponseFacts,
  reasoningTokens: number | undefined,
  capture: ContentCaptureSettings,
  output: { readonly response?: unknown; readonly completion?: string; readonly outputMessages?: readonly GenAiOutputMessage[] },
  call: LlmFacts,
): GenAiOutputMessage[] | undefined {
  if (facts.id !== undefined) span.setGenAiResponseId(facts.id);
  if (isOpenAi(call)) {
    if (facts.serviceTier !== undefined) span.setOpenaiResponseServiceTier(facts.serviceTier);
    if (facts.systemFingerprint !== undefined) span.setOpenaiResponseSystemFingerprint(facts.systemFingerprint);
  }
  if (facts.model !== undefined) span.setGenAiResponseModel(facts.model);
  if (facts.finishReasons !== undefined && facts.finishReasons.length > 0) span.setGenAiResponseFinishReasons(facts.finishReasons);
  if (facts.conversationId !== undefined) span.setGenAiConversationId(facts.conversationId);
  if (reasoningTokens !== undefined) span.setGenAiUsageReasoningOutputTokens(reasoningTokens);
  if (!contentOnSpans(capture) || !span.records(ATTR_GEN_AI_OUTPUT_MESSAGES)) return undefined;
  const { outputMessages } = capturedGenAiContent(output, capture);
  if (outputMessages !== undefined) span.setGenAiOutputMessages(outputMessages);
  return outputMessages;
}

/** The reasoning count of a call: the usage's, else what the response facts read (the usage the helpers extract leaves it out). */
export function reasoningOf(usage: Usage | undefined, facts: ResponseFacts): number | undefined {
  return usage?.reasoningTokens ?? facts.usage?.reasoningTokens;
}

/**
 * What happens to the span a provider SDK starts for the call inside the kit's. `@anthropic-ai/sdk`
 * starts its own GenAI inference span (`anthropic.messages.create`) by default; with the kit's span
 * already the GenAI inference span, that is two inference spans, and doubled token counts, for one
 * call. `suppress`: that span, directly under the kit's, is not recorded; the SDK propagates the
 * kit's span in its place (`traceparent`), and every other span inside the call is kept: the
 * application's own, its HTTP instrumentation's (runtime/sdk-inference-spans.ts). `keep`: recorded,
 * under the kit's (turn it off with the SDK's own `openTelemetry: false` option instead, if the
 * duplicate matters).
 */
export type SdkSpans = 'suppress' | 'keep';

/**
 * The default: suppress while the kit's span is a GenAI inference span (the session records its
 * GenAI attributes), keep when it is flo_ai's only.
 */
function suppressesSdkSpans(choice: SdkSpans | undefined, span: LlmSpan): boolean {
  return (choice ?? (span.records(ATTR_GEN_AI_OPERATION_NAME) ? 'suppress' : 'keep')) === 'suppress';
}

/**
 * `parent` marked for the provider call the kit's span `span` wraps, where the SDK's duplicate
 * inference span is suppressed (see SdkSpans); undefined where it is kept, and while telemetry is off.
 */
export function sdkCallContext(parent: Context, span: LlmSpan, choice: SdkSpans | undefined): Context | undefined {
  const otelSpan = span.otelSpan;
  return otelSpan === undefined || !suppressesSdkSpans(choice, span) ? undefined : withInferenceSpan(LinkedContext.over(parent), otelSpan);
}

/** The context of an LLM call's span for the provider code it runs and the operations started under it. */
export function llmCallContext(parent: Context, span: LlmSpan, sdkSpans: SdkSpans | undefined): Context {
  return contextWithSpan(sdkCallContext(parent, span, sdkSpans) ?? parent, span);
}
