/**
 * LLM calls that return a whole response: the `llm.{provider}.generate` span,
 * request and error counters, latency, token usage read from the response.
 */
import { context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { LLM_GENERATE_SPAN, LlmGenerateSpan, startLlmGenerateSpan } from '../generated/spans.ts';
import { runInSpan, type OutcomeHooks, type SpanStartOptions } from '../runtime/spans.ts';
import { LinkedContext } from '../runtime/linked-context.ts';
import { capturedContent, contentCapture } from '../runtime/content.ts';
import { activeAgentRun, noteLlmCallOn, type AgentRun } from './agent.ts';
import { emitsFlo, emitsGenAi, hasInfo, telemetryOn, warnOnce } from './internal.ts';
import { genAiResponseFacts, llmSpanAttributes, setGenAiResponse, suppressesSdkSpans, type SdkSpans } from './llm-genai.ts';
import {
  alignGenAiProvider,
  llmTarget,
  withResponseModel,
  recordRequestFailure,
  recordRequestSuccess,
  setUsageAttributes,
  type LlmCallInfo,
  type LlmTarget,
} from './llm-signals.ts';
import { extractCompletionText } from './text.ts';
import { extractUsage, normalizeUsage, type Usage } from './usage.ts';
import { errorType } from '../runtime/error-text.ts';
import { callThrough, wrapWith, type InfoSource } from './wrap.ts';

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
   * Spans the provider SDK starts inside the call (see `SdkSpans`). Default: `suppress` while the
   * GenAI conventions are emitted (the kit's span is then the one GenAI inference span), else `keep`.
   */
  readonly sdkSpans?: SdkSpans;
}

/**
 * Runs `call` (sync or async) inside the `llm.{provider}.generate` span and
 * returns or throws exactly what it does. On success: latency, request
 * counter, `llm.response.received`, token usage on the span and in the token
 * metrics; on failure: the error on the span, request and error counters.
 */
export function traceLlmCall<T>(info: LlmCallInfo, call: (span: LlmGenerateSpan) => T, options: LlmCallOptions<Awaited<T>> = {}): T {
  if (!telemetryOn() || !hasInfo('traceLlmCall', info)) return call(new LlmGenerateSpan(undefined, LLM_GENERATE_SPAN));
  const target = llmTarget(info);
  const span = startLlmGenerateSpan(llmSpanAttributes(info, target, false), options);
  alignGenAiProvider(span, target);
  // Provider SDK spans below this one suppressed (see SdkSpans), in the context together with the span: one context switch for both.
  const within = suppressesSdkSpans(options.sdkSpans) ? suppressTracing(LinkedContext.over(context.active())) : undefined;
  return runInSpan(span, call, new LlmCallOutcome<Awaited<T>>(span, target, options, activeAgentRun()), within);
}

/** What a whole-response call records once its outcome is known: one object per call, no closures. */
class LlmCallOutcome<R> implements OutcomeHooks<R> {
  readonly #span: LlmGenerateSpan;
  readonly #target: LlmTarget;
  readonly #options: LlmCallOptions<R>;
  readonly #agent: AgentRun | undefined;
  readonly #flo = emitsFlo();
  readonly #started = performance.now();

  constructor(span: LlmGenerateSpan, target: LlmTarget, options: LlmCallOptions<R>, agent: AgentRun | undefined) {
    this.#span = span;
    this.#target = target;
    this.#options = options;
    this.#agent = agent;
  }

  onSuccess(result: R): void {
    const durationMs = performance.now() - this.#started;
    const span = this.#span;
    const flo = this.#flo;
    const facts = genAiResponseFacts(result);
    // With the GenAI conventions on, the response facts have read the usage already (reasoning included).
    // They have none when reading another field (or the reasoning count) threw: the usage alone is read
    // again then, as without the GenAI conventions, so a hostile field elsewhere does not lose the counts.
    const usage = this.#options.usage === undefined && emitsGenAi() ? (facts.usage ?? usageOf(result, undefined)) : usageOf(result, this.#options.usage);
    if (flo) span.setLlmResponseReceived(true);
    setUsageAttributes(span, usage);
    const completionText = contentCapture().enabled ? completionOf(result, this.#options.completionText) : undefined;
    if (flo && completionText !== undefined) {
      const completion = capturedContent(completionText, 'completion');
      if (completion !== undefined) span.setLlmResponseContent(completion);
    }
    setGenAiResponse(span, facts, usage, { response: result, completion: completionText });
    recordRequestSuccess(withResponseModel(this.#target, facts.model), durationMs, usage);
    noteLlmCallOn(this.#agent, this.#target.genAi.genAiProviderName, usage?.promptTokens, usage?.completionTokens);
  }

  onFailure(error: unknown): void {
    if (this.#flo) this.#span.setLlmResponseReceived(false);
    recordRequestFailure(this.#target, performance.now() - this.#started, error);
    noteLlmCallOn(this.#agent, this.#target.genAi.genAiProviderName, undefined, undefined);
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
