/**
 * What an LLM call or stream records as events (log records) besides its span, reported to the
 * session's emitter, so which events a session emits, and under which names, is the spec's
 * business (docs/events.md):
 *
 * - a failure: the observation `llm.failure` (`gen_ai.client.operation.exception` at WARN in the
 *   GenAI conventions), with the error's type, and its message and stack trace as far as the
 *   session's error-message policy lets them through: the same text, through the same redaction
 *   hook, as the span's `exception` event;
 * - with content capture on and content recorded in events (`captureContentIn: 'event'` or
 *   `'span_and_event'`): the observation `llm.details` (`gen_ai.client.inference.operation.details`)
 *   once the call ended, with its request parameters, its input and output messages (redacted and
 *   truncated as on spans), its response and its token usage.
 *
 * Both are emitted in the context of the call's span, so they carry its trace and span ids wherever
 * the call ended. A session whose conventions emit neither (flo_ai's names alone) does no work here.
 */
import { context, trace, type Context } from '@opentelemetry/api';
import { contentInEvents } from '../runtime/content.ts';
import { errorType, recordableError } from '../runtime/error-text.ts';
import type { InstrumentedSpan } from '../runtime/spans.ts';
import { capturedGenAiContent, type GenAiOutputMessage } from './genai-messages.ts';
import type { Session } from './internal.ts';
import type { llmSpanAttributes } from './llm-genai.ts';
import type { LlmFacts } from './llm-signals.ts';
import type { ResponseFacts } from './providers/index.ts';
import type { Usage } from './usage.ts';

/** The start attributes the LLM span was given: the call's request parameters, and its input content where the span records it. */
export type LlmStartAttributes = ReturnType<typeof llmSpanAttributes>;

/** The context events of the call are emitted in: its span's, else the active one. */
function contextOf(span: InstrumentedSpan): Context {
  const otelSpan = span.otelSpan;
  return otelSpan === undefined ? context.active() : trace.setSpan(context.active(), otelSpan);
}

/** A failed call or stream: the exception event, with what of the error the session's policies let through. */
export function observeLlmFailure(session: Session, span: InstrumentedSpan, error: unknown): void {
  const emitter = session.emitter;
  if (!emitter.records.llmFailure) return;
  const recordable = recordableError(error, session);
  emitter.llmFailure({ exceptionType: recordable.type, exceptionMessage: recordable.message, exceptionStacktrace: recordable.stack }, { context: contextOf(span) });
}

/** How a call ended, as far as the details event reports it. */
export interface LlmEnd {
  readonly response?: ResponseFacts;
  readonly usage?: Usage;
  readonly reasoningTokens?: number;
  /** The output messages the span was given (already captured), when it was given any. */
  readonly outputMessages?: readonly GenAiOutputMessage[];
  /** Where the output comes from when the span recorded none: a whole response, its completion text, a stream's messages. */
  readonly output?: { readonly response?: unknown; readonly completion?: string; readonly outputMessages?: readonly GenAiOutputMessage[] };
  /** Present when the call failed. */
  readonly failure?: { readonly error: unknown };
}

/**
 * The details event of one call, started with its span and emitted once when it ends. Undefined
 * (no work at all) unless the session captures content into events and its conventions have the
 * event.
 */
export class LlmDetails {
  readonly #session: Session;
  readonly #facts: LlmFacts;
  readonly #start: LlmStartAttributes;
  readonly #input: { readonly systemInstructions?: unknown; readonly inputMessages?: unknown };
  #emitted = false;

  static start(session: Session, facts: LlmFacts, start: LlmStartAttributes, source: { readonly request?: unknown; readonly prompt?: string }): LlmDetails | undefined {
    return contentInEvents(session.contentCapture) && session.emitter.records.llmDetails ? new LlmDetails(session, facts, start, source) : undefined;
  }

  private constructor(session: Session, facts: LlmFacts, start: LlmStartAttributes, source: { readonly request?: unknown; readonly prompt?: string }) {
    this.#session = session;
    this.#facts = facts;
    this.#start = start;
    // The span's captured input when it records it (`span_and_event`): the hook runs once per text.
    const captured = start.genAiInputMessages !== undefined || start.genAiSystemInstructions !== undefined;
    this.#input = captured ? { systemInstructions: start.genAiSystemInstructions, inputMessages: start.genAiInputMessages } : capturedGenAiContent(source, session.contentCapture);
  }

  /** Emits the event, linked to the call's span; only the first call counts. */
  end(span: InstrumentedSpan, end: LlmEnd): void {
    if (this.#emitted) return;
    this.#emitted = true;
    const start = this.#start;
    const response = end.response ?? {};
    const usage = end.usage;
    const output = end.outputMessages ?? (end.output === undefined ? undefined : capturedGenAiContent(end.output, this.#session.contentCapture).outputMessages);
    this.#session.emitter.llmDetails(
      {
        genAiOperationName: this.#facts.genAiOperationName,
        genAiProviderName: this.#facts.genAiProviderName,
        genAiRequestModel: this.#facts.genAiRequestModel,
        genAiRequestTemperature: start.llmTemperature,
        genAiRequestStream: start.genAiRequestStream,
        genAiRequestMaxTokens: start.genAiRequestMaxTokens,
        genAiRequestTopP: start.genAiRequestTopP,
        genAiRequestTopK: start.genAiRequestTopK,
        genAiRequestStopSequences: start.genAiRequestStopSequences,
        genAiRequestFrequencyPenalty: start.genAiRequestFrequencyPenalty,
        genAiRequestPresencePenalty: start.genAiRequestPresencePenalty,
        genAiRequestSeed: start.genAiRequestSeed,
        genAiRequestChoiceCount: start.genAiRequestChoiceCount,
        genAiOutputType: start.genAiOutputType,
        genAiConversationId: start.genAiConversationId ?? response.conversationId,
        serverAddress: this.#facts.serverAddress,
        serverPort: this.#facts.serverPort,
        genAiSystemInstructions: this.#input.systemInstructions,
        genAiInputMessages: this.#input.inputMessages,
        genAiOutputMessages: output,
        genAiResponseId: response.id,
        genAiResponseModel: response.model,
        genAiResponseFinishReasons: response.finishReasons !== undefined && response.finishReasons.length > 0 ? response.finishReasons : undefined,
        genAiUsageInputTokens: usage?.promptTokens,
        genAiUsageOutputTokens: usage?.completionTokens,
        genAiUsageCacheReadInputTokens: usage?.cacheReadTokens,
        genAiUsageCacheCreationInputTokens: usage?.cacheCreationTokens,
        genAiUsageReasoningOutputTokens: end.reasoningTokens,
        errorType: end.failure === undefined ? undefined : errorType(end.failure.error),
      },
      { context: contextOf(span) },
    );
  }
}
