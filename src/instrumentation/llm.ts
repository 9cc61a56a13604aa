/**
 * LLM calls that return a whole response: the `llm.{provider}.generate` span,
 * request and error counters, latency, token usage read from the response.
 */
import { context } from '@opentelemetry/api';
import { ATTR_LLM_RESPONSE_CONTENT } from '../generated/attributes.ts';
import { LLM_GENERATE_SPAN, LlmGenerateSpan, startLlmGenerateSpan } from '../generated/spans.ts';
import { runInSpan, type OutcomeHooks, type SpanStartOptions } from '../runtime/spans.ts';
import { capturedContent } from '../runtime/content.ts';
import { activeAgentRun, noteLlmCallOn, type AgentRun } from './agent.ts';
import { hasInfo, warnOnce, type Session } from './internal.ts';
import { currentBinding } from '../runtime/binding.ts';
import { llmSpanAttributes, NO_RESPONSE_FACTS, readsResponse, reasoningOf, sdkCallContext, setGenAiResponse, type SdkSpans } from './llm-genai.ts';
import { llmFacts, observeLlmEnd, setUsageAttributes, type LlmCallInfo, type LlmFacts } from './llm-signals.ts';
import { responseBody, responseFacts, streamHandleSettlement } from './providers/index.ts';
import { extractCompletionText } from './text.ts';
import { extractUsage, normalizeUsage, type Usage } from './usage.ts';
import { errorType } from '../runtime/error-text.ts';
import { callThrough, wrapWith, type InfoSource } from './wrap.ts';

/** What the wrapped call gets while telemetry is off: a span that records nothing. */
const OFF = new LlmGenerateSpan(undefined, LLM_GENERATE_SPAN);
const NO_OPTIONS: LlmCallOptions<unknown> = Object.freeze({});

export interface LlmCallOptions<R> extends SpanStartOptions {
  /**
   * Token usage of the result, for shapes `extractUsage` does not know.
   * Undefined means "none reported": no token metrics then. A function that
   * throws counts as none (and is reported through diag).
   */
  readonly usage?: (result: R) => Usage | undefined;
  /** Completion text of the result for content capture, for shapes `extractCompletionText` does not know. */
  readonly completionText?: (result: R) => string | undefined;
  /**
   * The inference span a provider SDK starts for the call (see `SdkSpans`). Default: `suppress` while
   * the GenAI conventions are emitted (the kit's span is then the one GenAI inference span), else `keep`.
   */
  readonly sdkSpans?: SdkSpans;
}

/**
 * Runs `call` (sync or async) inside the `llm.{provider}.generate` span and
 * returns or throws exactly what it does. On success: latency, request
 * counter, `llm.response.received`, token usage on the span and in the token
 * metrics; on failure: the error on the span, request and error counters.
 */
export function traceLlmCall<T>(info: LlmCallInfo, call: (span: LlmGenerateSpan) => T, options?: LlmCallOptions<Awaited<T>>): T {
  // Small enough for V8 to inline where it is called: with telemetry off, a call costs one comparison more.
  // currentBinding() rather than session(): one call less, measurably (bench row 2); every binding is a KitBinding (bind.ts).
  const current = currentBinding();
  return current === undefined || !hasInfo('traceLlmCall', info) ? call(OFF) : tracedLlmCall(current as Session, info, call, options ?? (NO_OPTIONS as LlmCallOptions<Awaited<T>>));
}

function tracedLlmCall<T>(current: Session, info: LlmCallInfo, call: (span: LlmGenerateSpan) => T, options: LlmCallOptions<Awaited<T>>): T {
  const facts = llmFacts(info);
  const span = startLlmGenerateSpan(llmSpanAttributes(info, facts, false, LLM_GENERATE_SPAN, current), options);
  // The provider SDK's duplicate inference span suppressed (see SdkSpans), in the context together with the span: one context switch for both.
  const within = sdkCallContext(context.active(), span, options.sdkSpans);
  return runInSpan(span, call, new LlmCallOutcome<Awaited<T>>(span, facts, options, activeAgentRun(), current), within);
}

/** What a whole-response call records once its outcome is known: one object per call, no closures. */
class LlmCallOutcome<R> implements OutcomeHooks<R> {
  readonly #span: LlmGenerateSpan;
  readonly #facts: LlmFacts;
  readonly #options: LlmCallOptions<R>;
  readonly #agent: AgentRun | undefined;
  readonly #session: Session;
  readonly #started = performance.now();

  constructor(span: LlmGenerateSpan, facts: LlmFacts, options: LlmCallOptions<R>, agent: AgentRun | undefined, current: Session) {
    this.#span = span;
    this.#facts = facts;
    this.#options = options;
    this.#agent = agent;
    this.#session = current;
  }

  onSuccess(returned: R): void {
    const durationMs = performance.now() - this.#started;
    // What an SDK promise's withResponse() or asResponse() settled with holds the response, or none (providers/handles.ts).
    const result = responseBody(returned) as R;
    const span = this.#span;
    const capture = this.#session.contentCapture;
    // The response's facts (id, model, finish reasons, the usage with reasoning) only where the span records them.
    const reads = readsResponse(span);
    const facts = reads ? responseFacts(result) : NO_RESPONSE_FACTS;
    // The response facts have read the usage already. They have none when reading another field (or the reasoning
    // count) threw: the usage alone is read again then, so a hostile field elsewhere does not lose the counts.
    const usage = this.#options.usage === undefined && reads ? (facts.usage ?? usageOf(result, undefined)) : usageOf(result, this.#options.usage);
    const reasoning = reasoningOf(usage, facts);
    span.setLlmResponseReceived(true);
    setUsageAttributes(span, usage, reasoning);
    const completionText = capture.enabled ? completionOf(result, this.#options.completionText) : undefined;
    if (completionText !== undefined && span.records(ATTR_LLM_RESPONSE_CONTENT)) {
      const completion = capturedContent(completionText, 'completion', capture);
      if (completion !== undefined) span.setLlmResponseContent(completion);
    }
    setGenAiResponse(span, facts, reasoning, capture, { response: result, completion: completionText }, this.#facts);
    this.#facts.genAiResponseModel = facts.model;
    observeLlmEnd(this.#session.emitter, 'request', this.#facts, durationMs, usage, reasoning, undefined);
    noteLlmCallOn(this.#agent, this.#facts.genAiProviderName, usage?.promptTokens, usage?.completionTokens);
  }

  /** An SDK stream handle (Anthropic's MessageStream, …) settles with its final response, once read to its end. */
  settlement(value: unknown): Promise<unknown> | undefined {
    const final = streamHandleSettlement(value);
    if (final !== undefined) this.#span.setGenAiRequestStream(true);
    return final;
  }

  onFailure(error: unknown): void {
    this.#span.setLlmResponseReceived(false);
    observeLlmEnd(this.#session.emitter, 'request', this.#facts, performance.now() - this.#started, undefined, undefined, { error });
    noteLlmCallOn(this.#agent, this.#facts.genAiProviderName, undefined, undefined);
  }
}

/**
 * `fn` traced by `traceLlmCall` on every call, with its signature, `this`
 * and name kept. `info` may be computed from `this` and the arguments.
 */
export function wrapLlmCall<This, Args extends unknown[], R>(
  info: InfoSource<LlmCallInfo, This, NoInfer<Args>>,
  fn: (this: This, ...args: Args) => R,
  options?: LlmCallOptions<Awaited<R>>,
): (this: This, ...args: Args) => R {
  return wrapWith('llm call', info, fn, (resolved, call) => traceLlmCall(resolved, call, options), callThrough);
}

function usageOf<R>(result: R, custom: ((result: R) => Usage | undefined) | undefined): Usage | undefined {
  if (custom === undefined) return extractUsage(result);
  try {
    return normalizeUsage(custom(result));
  } catch (error) {
    warnOnce(`llm call: the usage option threw ${errorType(error)}; no token usage recorded`);
    return undefined;
  }
}

function completionOf<R>(result: R, custom: ((result: R) => string | undefined) | undefined): string | undefined {
  if (custom === undefined) return extractCompletionText(result);
  try {
    return custom(result);
  } catch (error) {
    warnOnce(`llm call: the completionText option threw ${error instanceof Error ? error.name : typeof error}; no completion recorded`);
    return undefined;
  }
}
