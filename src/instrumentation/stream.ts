/**
 * Streamed LLM responses: the `llm.{provider}.stream` span from opening the
 * stream to its end, output chunk count, time to first output chunk and
 * between output chunks (lifecycle events are no output: providers/chunks.ts),
 * duration, outcome.
 *
 * The traced stream is an async generator over the source, so it is lazy
 * and queues like one:
 * - Nothing happens until the first `next()`: an iterable nobody consumes
 *   opens no stream, starts no span and records nothing.
 * - One traced stream is one request: `open` is called once, at the first
 *   `next()`. Like any generator object it is iterated once; iterating it
 *   again yields nothing (call `traceLlmStream` again for a new request).
 * - Consumed to the end: `llm.stream.completed` true, status success.
 * - The consumer stops early (`break`, `return()`): the source's `return()`
 *   is called so the provider can close its connection, the span ends with
 *   `llm.stream.completed` false, and it counts as success, not error:
 *   stopping when the answer is good enough is normal use, and counting it
 *   as an error would page someone for nothing. Stream duration is then the
 *   time until the consumer stopped.
 * - `open` or the source throws: the error is recorded (span, status error,
 *   `llm.errors.total`) and reaches the consumer unchanged.
 * - A consumer that takes the iterator, calls `next()` and then drops it
 *   without `return()` leaves the span open; `for await` never does that.
 *
 * The span's parent is the context active where `traceLlmStream` was called
 * (the agent that asked for the stream), not wherever the consumer happens
 * to iterate it; `open` and each pull from the source run with the stream
 * span active, so a provider client's own spans nest under it.
 */
import { context, type Context } from '@opentelemetry/api';
import { ATTR_GEN_AI_OUTPUT_MESSAGES, ATTR_LLM_RESPONSE_CONTENT } from '../generated/attributes.ts';
import { LLM_STREAM_SPAN, LlmStreamSpan, startLlmStreamSpan } from '../generated/spans.ts';
import type { SpanStartOptions } from '../runtime/spans.ts';
import { capturedContent, ContentCollector, contentOnSpans } from '../runtime/content.ts';
import { activeAgentRun, noteLlmCallOn, type AgentRun } from './agent.ts';
import { guarded, hasInfo, session, warnFailed, warnOnce, type Session } from './internal.ts';
import { OutputMessagesCollector } from './genai-messages.ts';
import { llmCallContext, llmSpanAttributes, readsResponse, reasoningOf, setGenAiResponse, type SdkSpans } from './llm-genai.ts';
import { Lifecycle, OperationHandle, startInstant, type Operation, type OperationOptions } from './operation.ts';
import { completeResponseFacts, isOutputChunk, mergeResponseFacts, responseFacts, streamEventFacts, type ResponseFacts } from './providers/index.ts';
import { LlmDetails, observeLlmFailure } from './llm-events.ts';
import { llmFacts, observeLlmEnd, setUsageAttributes, type LlmCallInfo, type LlmFacts } from './llm-signals.ts';
import { extractChunkText } from './text.ts';
import { checkedUsage, completed, mergeUsage, reportedUsage, type Usage } from './usage.ts';
import { wrapWith, type InfoSource } from './wrap.ts';

/** What the stream function gets while telemetry is off: a span that records nothing. */
const OFF = new LlmStreamSpan(undefined, LLM_STREAM_SPAN);

export type StreamSource<C> = AsyncIterable<C> | PromiseLike<AsyncIterable<C>>;

export type TracedStream<C> = AsyncGenerator<C, void, undefined>;

export interface LlmStreamOptions<C> extends SpanStartOptions {
  /**
   * Token usage a chunk reports, for shapes `extractUsage` does not know.
   * Called for every chunk; fields reported later win, so both running
   * totals and a final usage chunk (OpenAI's `stream_options.include_usage`) work.
   */
  readonly usage?: (chunk: C) => Usage | undefined;
  /** Text a chunk adds, for content capture, for shapes `extractChunkText` does not know. */
  readonly chunkText?: (chunk: C) => string | undefined;
  /** The inference span a provider SDK starts for the stream (see `SdkSpans`); as for `traceLlmCall`. */
  readonly sdkSpans?: SdkSpans;
}

/** Wraps the stream `open` returns; see the module comment for its exact behaviour. */
export function traceLlmStream<C>(info: LlmCallInfo, open: (span: LlmStreamSpan) => StreamSource<C>, options: LlmStreamOptions<C> = {}): TracedStream<C> {
  return tracedStream(info, open, options, context.active());
}

/**
 * `fn` traced by `traceLlmStream` on every call, `this`, arguments and name
 * kept. It returns the traced generator, so `fn` runs when iteration starts.
 */
export function wrapLlmStream<This, Args extends unknown[], C>(
  info: InfoSource<LlmCallInfo, This, NoInfer<Args>>,
  fn: (this: This, ...args: Args) => StreamSource<C>,
  options?: LlmStreamOptions<C>,
): (this: This, ...args: Args) => TracedStream<C> {
  return wrapWith('llm stream', info, fn, (resolved, call) => traceLlmStream(resolved, call, options), untracedStream);
}

async function* untracedStream<C>(open: () => StreamSource<C>): TracedStream<C> {
  yield* await open();
}

async function* tracedStream<C>(
  info: LlmCallInfo,
  open: (span: LlmStreamSpan) => StreamSource<C>,
  options: LlmStreamOptions<C>,
  creationContext: Context,
): TracedStream<C> {
  const current = session();
  if (current === undefined || !hasInfo('traceLlmStream', info)) {
    yield* await open(OFF);
    return;
  }
  const call = new LlmStreamCall(info, options, options.parent ?? creationContext, current);
  // Set only while suspended at `yield`: the source is open and must be closed if we stop here.
  let openSource: AsyncIterator<C> | undefined;
  try {
    const source = await call.inContext(() => open(call.span));
    const iterator = source[Symbol.asyncIterator]();
    for (;;) {
      // A source that throws from next() is finished: nothing to close then.
      const step = await call.inContext(() => iterator.next());
      if (step.done) {
        call.end({ completed: true });
        return;
      }
      call.recordChunk(step.value);
      openSource = iterator;
      yield step.value;
      openSource = undefined;
    }
  } catch (error) {
    failWith(call, error);
    // Only an error thrown into this generator (its `throw()`) arrives with the source open.
    const source = openSource;
    openSource = undefined;
    if (source !== undefined) await closeQuietly(call, source);
    throw error;
  } finally {
    // Still set here: the consumer called return() (`break`) while we were suspended at `yield`.
    if (openSource !== undefined) await stopEarly(call, openSource);
  }
}

/** The stream failed: the error is recorded and the span ends, not completed (once: a later end does nothing). */
function failWith<C>(call: LlmStreamCall<C>, error: unknown): void {
  if (call.ended) return;
  call.fail(error);
  call.end({ completed: false });
}

/** The consumer stopped early: close the source; an error closing it is the stream's error and reaches the consumer. */
async function stopEarly<C>(call: LlmStreamCall<C>, source: AsyncIterator<C>): Promise<void> {
  try {
    await call.inContext(() => source.return?.());
  } catch (error) {
    failWith(call, error);
    throw error;
  }
  call.end({ completed: false });
}

/** Closing after a failure: the first error is the one that matters, as in `for await`. */
async function closeQuietly<C>(call: LlmStreamCall<C>, source: AsyncIterator<C>): Promise<void> {
  try {
    await call.inContext(() => source.return?.());
  } catch {
    // Ignored on purpose: the error already on its way to the consumer wins.
  }
}

/** Options of `startLlmCall(info, { stream: true })`: those of `traceLlmStream`, and a parent that may be a handle. */
export type StartLlmStreamOptions<C> = Omit<LlmStreamOptions<C>, 'parent'> & OperationOptions & { readonly stream: true };

/** How a stream ended: consumed to its end (the default unless it failed), or stopped before. */
export interface LlmStreamEnd {
  readonly completed?: boolean;
}

/**
 * A streamed LLM call in progress: the handle `startLlmCall(info, { stream: true })` returns.
 * `recordChunk` for every chunk as it arrives (chunk count, time to first chunk and between
 * chunks, usage and finish reasons the chunks report, and with content capture on the text);
 * `recordResponse` for a whole response the framework assembles at the end (its usage, id, model
 * and finish reasons are folded in); `recordUsage` for counts reported apart (later fields win).
 * `end({ completed: false })` when the consumer stopped before the end: that is not a failure.
 */
export interface LlmStreamHandle<C = unknown> extends Operation {
  readonly span: LlmStreamSpan;
  recordChunk(chunk: C): void;
  recordResponse(response: unknown): void;
  recordUsage(usage: Usage): void;
  end(outcome?: LlmStreamEnd): void;
}

/** Everything one streamed call records, from its start to exactly one end. */
export class LlmStreamCall<C> extends OperationHandle<never> implements LlmStreamHandle<C> {
  protected readonly life = new Lifecycle('llm stream');
  readonly span: LlmStreamSpan;
  readonly #facts: LlmFacts;
  readonly #options: LlmStreamOptions<C>;
  readonly #session: Session;
  readonly #context: Context;
  /** `performance.now()` at the start: monotonic, so wall-clock jumps (NTP) cannot make a duration negative. */
  readonly #started: number;
  /** The completion for `llm.response.content`, collected only where the span records it. */
  readonly #text: ContentCollector | undefined;
  readonly #agent: AgentRun | undefined;
  /** The events' response facts are read only where the span records them. */
  readonly #readsResponse: boolean;
  readonly #messages: OutputMessagesCollector | undefined;
  /** The details event, where the session records content in events. */
  readonly #details: LlmDetails | undefined;
  #responseFacts: ResponseFacts = {};
  #chunks = 0;
  #lastChunkMs = 0;
  #usage: Usage | undefined;
  #completed = true;

  constructor(info: LlmCallInfo, options: LlmStreamOptions<C> | StartLlmStreamOptions<C>, parent: Context, current: Session) {
    super();
    this.#facts = llmFacts(info);
    this.#options = options as LlmStreamOptions<C>;
    this.#session = current;
    this.#agent = activeAgentRun(parent);
    const attributes = llmSpanAttributes(info, this.#facts, true, LLM_STREAM_SPAN, current);
    this.span = startLlmStreamSpan(attributes, { ...(options as SpanStartOptions), parent });
    this.#details = LlmDetails.start(current, this.#facts, attributes, info);
    this.#context = llmCallContext(parent, this.span, options.sdkSpans);
    const capture = current.contentCapture;
    this.#text = capture.enabled && this.span.records(ATTR_LLM_RESPONSE_CONTENT) ? new ContentCollector(capture.maxLength) : undefined;
    this.#readsResponse = readsResponse(this.span);
    this.#messages = (contentOnSpans(capture) && this.span.records(ATTR_GEN_AI_OUTPUT_MESSAGES)) || this.#details !== undefined ? new OutputMessagesCollector(capture.maxLength) : undefined;
    guarded('llm stream: recording its start', () => current.emitter.llmStreamStart(this.#facts));
    this.#started = startInstant(options.startTime);
  }

  /** The stream span's context, with the provider SDK's spans suppressed below it when chosen. */
  get context(): Context {
    return this.#context;
  }

  /** Runs provider code with the stream span active. */
  inContext<T>(fn: () => T): T {
    return context.with(this.#context, fn);
  }

  recordChunk(value: C): void {
    if (!this.life.usable('recordChunk')) return;
    // guarded() spelled out: this runs for every chunk, and a closure per chunk is garbage.
    try {
      const now = performance.now() - this.#started;
      this.#usage = mergeUsage(this.#usage, this.#chunkUsage(value));
      this.#text?.add(this.#chunkText(value));
      if (this.#readsResponse) {
        this.#responseFacts = mergeResponseFacts(this.#responseFacts, streamEventFacts(value));
        // The chunk metrics carry the response model as soon as the stream names it.
        this.#facts.genAiResponseModel = this.#responseFacts.model;
      }
      this.#messages?.add(value);
      // Counted and timed: output chunks only, not lifecycle events (providers/chunks.ts).
      if (isOutputChunk(value)) this.#outputChunk(now);
    } catch (error) {
      warnFailed('llm stream: recording a chunk', error);
    }
  }

  #outputChunk(now: number): void {
    this.#chunks += 1;
    if (this.#chunks === 1) this.#firstChunk(now);
    else this.#session.emitter.llmStreamChunk(now - this.#lastChunkMs, this.#facts);
    this.#lastChunkMs = now;
  }

  recordResponse(response: unknown): void {
    if (!this.life.usable('recordResponse')) return;
    this.#usage = mergeUsage(this.#usage, reportedUsage(response));
    if (this.#readsResponse) this.#responseFacts = mergeResponseFacts(this.#responseFacts, responseFacts(response));
  }

  recordUsage(usage: Usage): void {
    if (this.life.usable('recordUsage')) this.#usage = mergeUsage(this.#usage, checkedUsage(usage));
  }

  end(outcome?: LlmStreamEnd): void {
    if (!this.life.close()) return;
    this.#completed = outcome?.completed ?? this.life.failure === undefined;
    this.#finish();
  }

  onSuccess(): void {
    this.end();
  }

  onFailure(error: unknown): void {
    this.life.fail(error);
    this.end();
  }

  /** Records the outcome and ends the span. */
  #finish(): void {
    const durationMs = performance.now() - this.#started;
    const failure = this.life.failure;
    guarded('llm stream: recording its end', () => {
      const usage = completed(this.#usage);
      const capture = this.#session.contentCapture;
      this.span.setLlmStreamChunks(this.#chunks).setLlmStreamDurationMs(durationMs).setLlmStreamCompleted(this.#completed);
      const facts = completeResponseFacts(this.#responseFacts);
      const reasoning = reasoningOf(usage, facts);
      setUsageAttributes(this.span, usage, reasoning);
      const completion = this.#text === undefined || this.#text.text === '' ? undefined : capturedContent(this.#text.text, 'completion', capture);
      if (completion !== undefined) this.span.setLlmResponseContent(completion);
      const messages = this.#messages?.messages();
      const outputMessages = setGenAiResponse(this.span, facts, reasoning, capture, { outputMessages: messages }, this.#facts);
      if (failure !== undefined) this.span.recordError(failure.error);
      this.#facts.genAiResponseModel = facts.model;
      const emitter = this.#session.emitter;
      observeLlmEnd(emitter, 'stream', this.#facts, durationMs, usage, reasoning, failure);
      if (failure !== undefined) observeLlmFailure(this.#session, this.span, failure.error);
      this.#details?.end(this.span, { response: facts, usage, reasoningTokens: reasoning, outputMessages, output: { outputMessages: messages }, failure });
      emitter.llmStreamChunks(this.#chunks, this.#facts);
      noteLlmCallOn(this.#agent, this.#facts.genAiProviderName, usage?.promptTokens, usage?.completionTokens);
    });
    this.span.end();
  }

  #firstChunk(milliseconds: number): void {
    this.span.setLlmStreamTimeToFirstChunkMs(milliseconds);
    this.#session.emitter.llmStreamFirstChunk(milliseconds, this.#facts);
  }

  #chunkUsage(value: C): Usage | undefined {
    const custom = this.#options.usage;
    if (custom === undefined) return reportedUsage(value);
    try {
      return checkedUsage(custom(value));
    } catch (error) {
      warnOnce(`llm stream: the usage option threw ${error instanceof Error ? error.name : typeof error}; usage of that chunk ignored`);
      return undefined;
    }
  }

  #chunkText(value: C): string | undefined {
    if (this.#text === undefined) return undefined;
    const custom = this.#options.chunkText;
    if (custom === undefined) return extractChunkText(value);
    try {
      return custom(value);
    } catch (error) {
      warnOnce(`llm stream: the chunkText option threw ${error instanceof Error ? error.name : typeof error}; text of that chunk ignored`);
      return undefined;
    }
  }
}
