/**
 * Operation handles: one LLM call, agent run, tool call, workflow or node, started by one call
 * and ended by another. They are the one implementation of what the kit records: the `trace…`
 * helpers, the `wrap…` functions and the decorators start a handle, run the function with its
 * span active and hand the outcome to it; a framework that reports work through callbacks or
 * tracing processors (start and end in different calls, parents named by ids rather than by
 * async context) holds the handles itself and gives each its parent explicitly.
 *
 * The rules every handle keeps, whoever holds it:
 * - `end()` ends it once; a second `end()` does nothing.
 * - Anything recorded after `end()` records nothing and is reported once through diag: it is a
 *   bug in the caller, and its telemetry would land on a span already exported.
 * - `fail(error)` marks the operation failed; the first failure is the one recorded, at `end()`.
 * - Handles a framework started and never ended are counted per session and reported when the
 *   session stops (runtime/open-handles.ts).
 * - While telemetry is off, or given no info object, a handle records nothing and costs nothing.
 */
import { context, isSpanContextValid, trace, type Context, type Link, type SpanContext, type TimeInput } from '@opentelemetry/api';
import type { OpenHandles } from '../runtime/open-handles.ts';
import type { OutcomeHooks, SpanStartOptions } from '../runtime/spans.ts';
import { warnFailed, warnOnce, type Session } from './internal.ts';

/** What an operation can be started under: another handle, an OpenTelemetry context, or a span context (a remote or foreign parent). */
export type OperationParent = Operation | Context | SpanContext;

/** Options every `start…` function accepts. */
export interface OperationOptions {
  /**
   * The parent: another handle (its span, and the agent run or workflow it is, or is inside), a
   * context, or a span context. Default: the context active where the operation starts.
   */
  readonly parent?: OperationParent;
  /** The span name, instead of the one the conventions give. */
  readonly name?: string;
  /** When the operation started, if earlier than the `start…` call; durations are measured from it. */
  readonly startTime?: TimeInput;
  readonly links?: Link[];
}

/** What every handle offers. */
export interface Operation {
  /**
   * The context the operation's children start in: its span, and for an agent run or a workflow
   * the run or workflow itself, so a tool call started under it counts on the run. Pass the
   * handle (or this) as a child's `parent`, or run code in it with `context.with`.
   */
  readonly context: Context;
  /** True once `end()` was called. */
  readonly ended: boolean;
  /** Marks the operation failed with this error; recorded at `end()` as the `trace…` helpers record a throw. */
  fail(error: unknown): void;
  /** Records the outcome and ends the span; later calls do nothing. */
  end(): void;
}

/** The context an operation with this parent starts in. */
export function parentContext(parent: OperationParent | undefined): Context {
  if (parent === undefined || parent === null) return context.active();
  if (parent instanceof OperationHandle || parent instanceof InertOperation) return parent.context;
  if (typeof (parent as Context).getValue === 'function') return parent as Context;
  if (isSpanContextValid(parent as SpanContext)) return trace.setSpanContext(context.active(), parent as SpanContext);
  warnOnce('an operation was given a parent that is neither a handle, a context nor a valid span context; it started under the active context');
  return context.active();
}

/** The options a generated `start…Span` gets: the handle's own when its parent is already the context, else a copy with the context. */
export function spanOptions(options: OperationOptions, parent: Context): SpanStartOptions {
  return options.parent === undefined || options.parent === parent ? (options as SpanStartOptions) : { ...(options as SpanStartOptions), parent };
}

/**
 * `performance.now()` at the operation's start: now, or the `startTime` given, so that durations
 * run from it. A number is read as OpenTelemetry reads one: milliseconds since the epoch, or
 * since `performance.timeOrigin` when smaller than it.
 */
export function startInstant(startTime: TimeInput | undefined): number {
  const now = performance.now();
  if (startTime === undefined) return now;
  let epochMs: number;
  if (startTime instanceof Date) epochMs = startTime.getTime();
  else if (typeof startTime === 'number') epochMs = startTime < performance.timeOrigin ? performance.timeOrigin + startTime : startTime;
  else if (Array.isArray(startTime)) epochMs = startTime[0] * 1000 + startTime[1] / 1e6;
  else return now;
  const instant = epochMs - performance.timeOrigin;
  // A start in the future (clock skew between a framework's timestamps and ours) would make durations negative.
  return Number.isFinite(instant) && instant <= now ? instant : now;
}

/**
 * A handle's lifecycle, in one object of one shape for every kind of handle: each handle class
 * reads it from its own methods, so those reads stay monomorphic. (Shared methods on a base
 * class would read state of six classes of handle, whose shapes all differ, through megamorphic
 * lookups on every call of every `trace…` helper; bench row 9 measures that.)
 */
export class Lifecycle {
  /** What the handle is in diagnostics (`llm call`, `agent run`). */
  readonly kind: string;
  ended = false;
  /** The first failure, recorded at `end()`. */
  failure: { readonly error: unknown } | undefined = undefined;
  /** Where the handle is counted while open: only handles a framework holds. */
  openHandles: OpenHandles | undefined = undefined;

  constructor(kind: string) {
    this.kind = kind;
  }

  /** False, and reported once, when the handle has ended: `method` then records nothing. */
  usable(method: string): boolean {
    if (!this.ended) return true;
    warnOnce(`${this.kind}: ${method}() called after end(); nothing recorded`);
    return false;
  }

  fail(error: unknown): void {
    if (this.usable('fail') && this.failure === undefined) this.failure = { error };
  }

  /** True the first time only: the handle then records its end. */
  close(): boolean {
    if (this.ended) return false;
    this.ended = true;
    this.openHandles?.closed(this.kind);
    return true;
  }

  /** A failure while recording the end: reported, never thrown at the framework. */
  endFailed(error: unknown): void {
    warnFailed(`${this.kind}: recording its end`, error);
  }
}

/**
 * What every handle class is: its lifecycle, its context, and the outcome as `runInSpan`
 * (runtime/spans.ts) observes it for the `trace…` helpers. Each class implements `end`,
 * `onSuccess` and `onFailure` itself (see Lifecycle for why).
 */
export abstract class OperationHandle<V = unknown> implements Operation, OutcomeHooks<V> {
  protected abstract readonly life: Lifecycle;

  abstract get context(): Context;

  get ended(): boolean {
    return this.life.ended;
  }

  /** Counts the handle as open in the session until it ends: for handles returned by the public `start…` functions. */
  countIn(session: Session): this {
    this.life.openHandles = session.openHandles;
    session.openHandles.opened(this.life.kind);
    return this;
  }

  fail(error: unknown): void {
    this.life.fail(error);
  }

  /** Records the outcome (success unless a failure was given) and ends the span, once. */
  abstract end(): void;

  /** The function returned: its response or result is recorded, and the operation ends. */
  abstract onSuccess(value: V): void;

  /** The function threw or its promise rejected: the operation ends failed. */
  abstract onFailure(error: unknown): void;
}

/**
 * The handle a `start…` function returns when there is nothing to record (telemetry off, no info,
 * or an operation the session's conventions leave out): every method does nothing, and its
 * context is the one its children would have had without it.
 */
export class InertOperation {
  readonly span: never;
  readonly #context: Context | undefined;

  /** `span`: the generated span class's no-op instance; `parent`: the context children start in (default: the active one). */
  constructor(span: unknown, parent?: Context) {
    this.span = span as never;
    this.#context = parent;
  }

  get context(): Context {
    return this.#context ?? context.active();
  }

  get ended(): boolean {
    return false;
  }

  recordResponse(): void {}
  recordUsage(): void {}
  recordChunk(): void {}
  recordResult(): void {}
  fail(): void {}
  end(): void {}
}
