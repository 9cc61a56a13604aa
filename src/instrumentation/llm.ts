/**
 * LLM calls that return a whole response: the `llm.{provider}.generate` span,
 * request and error counters, latency, token usage read from the response;
 * and `startLlmCall`, the handle every LLM helper records through.
 */
import { context, type Context } from '@opentelemetry/api';
import { ATTR_LLM_RESPONSE_CONTENT } from '../generated/attributes.ts';
import { LLM_GENERATE_SPAN, LLM_STREAM_SPAN, LlmGenerateSpan, LlmStreamSpan, startLlmGenerateSpan } from '../generated/spans.ts';
import { runInSpan, type SpanStartOptions } from '../runtime/spans.ts';
import { capturedContent } from '../runtime/content.ts';
import { activeAgentRun, noteLlmCallOn, type AgentRun } from './agent.ts';
import { hasInfo, session, warnFailed, warnOnce, type Session } from './internal.ts';
import { currentBinding } from '../runtime/binding.ts';
import { llmCallContext, llmSpanAttributes, NO_RESPONSE_FACTS, readsResponse, reasoningOf, sdkCallContext, setGenAiResponse, type SdkSpans } from './llm-genai.ts';
import { LlmDetails, observeLlmFailure } from './llm-events.ts';
import { llmFacts, observeLlmEnd, setUsageAttributes, type LlmCallInfo, type LlmFacts } from './llm-signals.ts';
import { InertOperation, Lifecycle, OperationHandle, parentContext, spanOptions, startInstant, type Operation, type OperationOptions } from './operation.ts';
import { responseBody, responseFacts, streamHandleSettlement } from './providers/index.ts';
import { LlmStreamCall, type LlmStreamHandle, type LlmStreamOptions, type StartLlmStreamOptions } from './stream.ts';
import { extractCompletionText } from './text.ts';
import { checkedUsage, completed, extractUsage, mergeUsage, normalizeUsage, type Usage } from './usage.ts';
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
 * What it records is what a `startLlmCall` handle records: the call's outcome
 * goes to one.
 */
export function traceLlmCall<T>(info: LlmCallInfo, call: (span: LlmGenerateSpan) => T, options?: LlmCallOptions<Awaited<T>>): T {
  // Small enough for V8 to inline where it is called: with telemetry off, a call costs one comparison more.
  // currentBinding() rather than session(): one call less, measurably (bench row 2); every binding is a KitBinding (bind.ts).
  const current = currentBinding();
  return current === undefined || !hasInfo('traceLlmCall', info) ? call(OFF) : tracedLlmCall(current as Session, info, call, options ?? (NO_OPTIONS as LlmCallOptions<Awaited<T>>));
}

function tracedLlmCall<T>(current: Session, info: LlmCallInfo, call: (span: LlmGenerateSpan) => T, options: LlmCallOptions<Awaited<T>>): T {
  const handle = new LlmResponseCall<Awaited<T>>(info, options, parentContext(options.parent), current);
  const span = handle.span;
  // The provider SDK's duplicate inference span suppressed (see SdkSpans), in the context together with the span: one context switch for both.
  const within = sdkCallContext(context.active(), span, options.sdkSpans);
  return runInSpan(span, call, handle, within);
}

/** Options of `startLlmCall`: those of `traceLlmCall`, and a parent that may be a handle. */
export type StartLlmCallOptions<R> = Omit<LlmCallOptions<R>, 'parent'> & OperationOptions & { readonly stream?: false };

/**
 * An LLM call in progress whose response comes back whole: the handle `startLlmCall` returns.
 * `recordResponse` hands over the provider's response (usage, model, id, finish reasons and,
 * with content capture on, the completion are read from it at `end()`, as `traceLlmCall` reads
 * its result); `recordUsage` adds token counts the response does not carry in a shape the kit
 * reads (fields given win). `recordChunk` belongs to streamed calls (`stream: true`): here it
 * records nothing and is reported once.
 */
export interface LlmCallHandle<R = unknown> extends Operation {
  readonly span: LlmGenerateSpan;
  recordResponse(response: R): void;
  recordUsage(usage: Usage): void;
  recordChunk(chunk: unknown): void;
}

/**
 * Starts an LLM call that ends in another call: a handle that records exactly what
 * `traceLlmCall` records (with `stream: true`, what `traceLlmStream` records), for frameworks
 * whose start and end are separate callbacks. Give it `parent` when the framework passes ids
 * rather than async context. Never throws; while telemetry is off the handle records nothing.
 */
export function startLlmCall<C = unknown>(info: LlmCallInfo, options: StartLlmStreamOptions<C>): LlmStreamHandle<C>;
export function startLlmCall<R = unknown>(info: LlmCallInfo, options?: StartLlmCallOptions<R>): LlmCallHandle<R>;
export function startLlmCall(info: LlmCallInfo, options: StartLlmCallOptions<unknown> | StartLlmStreamOptions<unknown> = NO_OPTIONS as StartLlmCallOptions<unknown>): LlmCallHandle | LlmStreamHandle {
  const streamed = options?.stream === true;
  const current = session();
  if (current === undefined || !hasInfo('startLlmCall', info)) return streamed ? OFF_STREAM_CALL : OFF_CALL;
  try {
    const parent = parentContext(options.parent);
    const handle = streamed
      ? new LlmStreamCall(info, options as LlmStreamOptions<unknown>, parent, current)
      : new LlmResponseCall(info, options as LlmCallOptions<unknown>, parent, current);
    return handle.countIn(current);
  } catch (error) {
    warnFailed('startLlmCall', error);
    return streamed ? OFF_STREAM_CALL : OFF_CALL;
  }
}

/** What a whole-response call records, from its start to exactly one end. */
class LlmResponseCall<R> extends OperationHandle<R> implements LlmCallHandle<R> {
  protected readonly life = new Lifecycle('llm call');
  readonly span: LlmGenerateSpan;
  readonly #facts: LlmFacts;
  readonly #options: LlmCallOptions<R>;
  readonly #agent: AgentRun | undefined;
  readonly #session: Session;
  readonly #parent: Context;
  /** The details event, where the session records content in events. */
  readonly #details: LlmDetails | undefined;
  readonly #started: number;
  /** Set by recordResponse: a result of undefined is a response too. */
  #responded = false;
  #response: R | undefined;
  #usage: Usage | undefined;
  #context: Context | undefined;

  constructor(info: LlmCallInfo, options: LlmCallOptions<R>, parent: Context, current: Session) {
    super();
    this.#facts = llmFacts(info);
    const attributes = llmSpanAttributes(info, this.#facts, false, LLM_GENERATE_SPAN, current);
    this.span = startLlmGenerateSpan(attributes, spanOptions(options, parent));
    this.#details = LlmDetails.start(current, this.#facts, attributes, info);
    this.#options = options;
    this.#agent = activeAgentRun(parent);
    this.#session = current;
    this.#parent = parent;
    this.#started = startInstant(options.startTime);
  }

  get context(): Context {
    this.#context ??= llmCallContext(this.#parent, this.span, this.#options.sdkSpans);
    return this.#context;
  }

  recordResponse(response: R): void {
    if (!this.life.usable('recordResponse')) return;
    this.#responded = true;
    this.#response = response;
  }

  recordUsage(usage: Usage): void {
    if (this.life.usable('recordUsage')) this.#usage = mergeUsage(this.#usage, checkedUsage(usage));
  }

  recordChunk(): void {
    if (this.life.usable('recordChunk')) warnOnce('llm call: recordChunk() on a call started without `stream: true`; nothing recorded (start streamed calls with it)');
  }

  onSuccess(result: R): void {
    this.recordResponse(result);
    this.end();
  }

  /** An SDK stream handle (Anthropic's MessageStream, …) settles with its final response, once read to its end. */
  settlement(value: unknown): Promise<unknown> | undefined {
    const final = streamHandleSettlement(value);
    if (final !== undefined) this.span.setGenAiRequestStream(true);
    return final;
  }

  onFailure(error: unknown): void {
    this.life.fail(error);
    this.end();
  }

  end(): void {
    if (!this.life.close()) return;
    const durationMs = performance.now() - this.#started;
    const failure = this.life.failure;
    try {
      if (failure === undefined) this.#recordSuccess(durationMs);
      else this.#recordFailure(durationMs, failure.error);
    } catch (error) {
      this.life.endFailed(error);
    } finally {
      if (failure !== undefined) this.span.recordError(failure.error);
      this.span.end();
    }
  }

  #recordSuccess(durationMs: number): void {
    const span = this.span;
    const capture = this.#session.contentCapture;
    const responded = this.#responded;
    // What an SDK promise's withResponse() or asResponse() settled with holds the response, or none (providers/handles.ts).
    const result = (responded ? responseBody(this.#response) : undefined) as R;
    // The response's facts (id, model, finish reasons, the usage with reasoning) only where the span records them.
    const reads = readsResponse(span);
    const facts = reads && responded ? responseFacts(result) : NO_RESPONSE_FACTS;
    // The response facts have read the usage already. They have none when reading another field (or the reasoning
    // count) threw: the usage alone is read again then, so a hostile field elsewhere does not lose the counts.
    const read = !responded ? undefined : this.#options.usage === undefined && reads ? (facts.usage ?? usageOf(result, undefined)) : usageOf(result, this.#options.usage);
    const usage = this.#usage === undefined ? read : completed(mergeUsage(read, this.#usage));
    const reasoning = reasoningOf(usage, facts);
    span.setLlmResponseReceived(true);
    setUsageAttributes(span, usage, reasoning);
    const completionText = capture.enabled && responded ? completionOf(result, this.#options.completionText) : undefined;
    if (completionText !== undefined && span.records(ATTR_LLM_RESPONSE_CONTENT)) {
      const completion = capturedContent(completionText, 'completion', capture);
      if (completion !== undefined) span.setLlmResponseContent(completion);
    }
    const outputMessages = setGenAiResponse(span, facts, reasoning, capture, { response: result, completion: completionText }, this.#facts);
    this.#facts.genAiResponseModel = facts.model;
    observeLlmEnd(this.#session.emitter, 'request', this.#facts, durationMs, usage, reasoning, undefined);
    this.#details?.end(span, { response: facts, usage, reasoningTokens: reasoning, outputMessages, output: { response: result, completion: completionText } });
    noteLlmCallOn(this.#agent, this.#facts.genAiProviderName, usage?.promptTokens, usage?.completionTokens);
  }

  #recordFailure(durationMs: number, error: unknown): void {
    this.span.setLlmResponseReceived(false);
    observeLlmEnd(this.#session.emitter, 'request', this.#facts, durationMs, undefined, undefined, { error });
    observeLlmFailure(this.#session, this.span, error);
    this.#details?.end(this.span, { failure: { error } });
    noteLlmCallOn(this.#agent, this.#facts.genAiProviderName, undefined, undefined);
  }
}

/** The handles `startLlmCall` returns while telemetry is off: they record nothing. */
const OFF_CALL: LlmCallHandle = new InertOperation(OFF);
const OFF_STREAM_CALL: LlmStreamHandle = new InertOperation(new LlmStreamSpan(undefined, LLM_STREAM_SPAN));

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
