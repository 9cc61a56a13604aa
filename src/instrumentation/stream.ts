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
import { context, trace, type Context } from '@opentelemetry/api';
import { ATTR_GEN_AI_OUTPUT_MESSAGES, ATTR_LLM_RESPONSE_CONTENT } from '../generated/attributes.ts';
import { LLM_STREAM_SPAN, LlmStreamSpan, startLlmStreamSpan } from '../generated/spans.ts';
import type { SpanStartOptions } from '../runtime/spans.ts';
import { LinkedContext } from '../runtime/linked-context.ts';
import { capturedContent, ContentCollector } from '../runtime/content.ts';
import { activeAgentRun, noteLlmCallOn, type AgentRun } from './agent.ts';
import { guarded, hasInfo, session, warnFailed, warnOnce, type Session } from './internal.ts';
import { OutputMessagesCollector } from './genai-messages.ts';
import { llmSpanAttributes, readsResponse, reasoningOf, sdkCallContext, setGenAiResponse, type SdkSpans } from './llm-genai.ts';
import { completeResponseFacts, isOutputChunk, mergeResponseFacts, streamEventFacts, type ResponseFacts } from './providers/index.ts';
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
  const recording = new StreamRecording(info, options, creationContext, current);
  // Set only while suspended at `yield`: the source is open and must be closed if we stop here.
  let openSource: AsyncIterator<C> | undefined;
  try {
    const source = await recording.inContext(() => open(recording.span));
    const iterator = source[Symbol.asyncIterator]();
    for (;;) {
      // A source that throws from next() is finished: nothing to close then.
      const step = await recording.inContext(() => iterator.next());
      if (step.done) {
        recording.end({ completed: true });
        return;
      }
      recording.chunk(step.value);
      openSource = iterator;
      yield step.value;
      openSource = undefined;
    }
  } catch (error) {
    recording.end({ completed: false, error, failed: true });
    // Only an error thrown into this generator (its `throw()`) arrives with the source open.
    const source = openSource;
    openSource = undefined;
    if (source !== undefined) await closeQuietly(recording, source);
    throw error;
  } finally {
    // Still set here: the consumer called return() (`break`) while we were suspended at `yield`.
    if (openSource !== undefined) await stopEarly(recording, openSource);
  }
}

/** The consumer stopped early: close the source; an error closing it is the stream's error and reaches the consumer. */
async function stopEarly<C>(recording: StreamRecording<C>, source: AsyncIterator<C>): Promise<void> {
  try {
    await recording.inContext(() => source.return?.());
  } catch (error) {
    recording.end({ completed: false, error, failed: true });
    throw error;
  }
  recording.end({ completed: false });
}

/** Closing after a failure: the first error is the one that matters, as in `for await`. */
async function closeQuietly<C>(recording: StreamRecording<C>, source: AsyncIterator<C>): Promise<void> {
  try {
    await recording.inContext(() => source.return?.());
  } catch {
    // Ignored on purpose: the error already on its way to the consumer wins.
  }
}

interface StreamEndState {
  readonly completed: boolean;
  readonly failed?: boolean;
  readonly error?: unknown;
}

/** Everything one traced stream records, from its start to exactly one end. */
class StreamRecording<C> {
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
  #responseFacts: ResponseFacts = {};
  #chunks = 0;
  #lastChunkMs = 0;
  #usage: Usage | undefined;
  #ended = false;

  constructor(info: LlmCallInfo, options: LlmStreamOptions<C>, creationContext: Context, current: Session) {
    const parent = options.parent ?? creationContext;
    this.#facts = llmFacts(info);
    this.#options = options;
    this.#session = current;
    this.#agent = activeAgentRun(parent);
    this.span = startLlmStreamSpan(llmSpanAttributes(info, this.#facts, true, LLM_STREAM_SPAN, current), { ...options, parent });
    const otelSpan = this.span.otelSpan;
    this.#context = otelSpan === undefined ? parent : trace.setSpan(sdkCallContext(parent, this.span, options.sdkSpans) ?? LinkedContext.over(parent), otelSpan);
    const capture = current.contentCapture;
    this.#text = capture.enabled && this.span.records(ATTR_LLM_RESPONSE_CONTENT) ? new ContentCollector(capture.maxLength) : undefined;
    this.#readsResponse = readsResponse(this.span);
    this.#messages = capture.enabled && this.span.records(ATTR_GEN_AI_OUTPUT_MESSAGES) ? new OutputMessagesCollector(capture.maxLength) : undefined;
    guarded('llm stream: recording its start', () => current.emitter.llmStreamStart(this.#facts));
    this.#started = performance.now();
  }

  /** Runs provider code with the stream span active. */
  inContext<T>(fn: () => T): T {
    return context.with(this.#context, fn);
  }

  chunk(value: C): void {
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

  /** Records the outcome and ends the span; only the first call counts. */
  end(state: StreamEndState): void {
    if (this.#ended) return;
    this.#ended = true;
    const durationMs = performance.now() - this.#started;
    const failed = state.failed === true;
    guarded('llm stream: recording its end', () => {
      const usage = completed(this.#usage);
      const capture = this.#session.contentCapture;
      this.span.setLlmStreamChunks(this.#chunks).setLlmStreamDurationMs(durationMs).setLlmStreamCompleted(state.completed);
      const facts = completeResponseFacts(this.#responseFacts);
      const reasoning = reasoningOf(usage, facts);
      setUsageAttributes(this.span, usage, reasoning);
      const completion = this.#text === undefined || this.#text.text === '' ? undefined : capturedContent(this.#text.text, 'completion', capture);
      if (completion !== undefined) this.span.setLlmResponseContent(completion);
      setGenAiResponse(this.span, facts, reasoning, capture, { outputMessages: this.#messages?.messages() }, this.#facts);
      if (failed) this.span.recordError(state.error);
      this.#facts.genAiResponseModel = facts.model;
      const emitter = this.#session.emitter;
      observeLlmEnd(emitter, 'stream', this.#facts, durationMs, usage, reasoning, failed ? { error: state.error } : undefined);
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
