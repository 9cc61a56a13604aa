/**
 * Generic machinery behind the generated span helpers: start a span from a
 * descriptor, run a function inside it as the active span, record what it
 * threw, end it exactly once. Telemetry failures are contained here and never
 * change what the wrapped function returns or throws.
 */
import {
  context,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Span,
  type TimeInput,
  type SpanOptions,
  type Tracer,
} from '@opentelemetry/api';
import { type AttributeField, type AttributeSpec, checkedValue, spanAttributeEntries, spanKeys, toSpanAttributes, type SpanKeys } from './attributes.ts';
import { warnFailed, warnOnce } from './diagnostics.ts';
import { errorMessage, recordableError } from './error-text.ts';
import { perBinding, type InstrumentationScope } from './scope.ts';
import { emitsFlo, emitsGenAi } from './conventions.ts';
import { LinkedContext } from './linked-context.ts';

export type SpanKindName = 'internal' | 'client' | 'server' | 'producer' | 'consumer';

/** A span as the spec declares it (generated into src/generated/spans.ts). */
export interface SpanDescriptor<A extends object> {
  /** The span group id, used in diagnostics. */
  readonly id: string;
  /** The name template of the spec, `llm.{llm.provider}.generate`, for conformance checks. */
  readonly nameTemplate: string;
  readonly kind: SpanKindName;
  readonly fields: readonly AttributeField[];
  /** Fills the `{placeholders}` of the span name template. */
  readonly name: (attributes: A) => string;
  /**
   * The name of the GenAI span this one corresponds to (`{gen_ai.operation.name} {gen_ai.request.model}`),
   * taken instead when the GenAI conventions are emitted; undefined when an attribute it needs is missing.
   */
  readonly equivalentName?: (attributes: A) => string | undefined;
  /** Its template, for conformance checks: `{gen_ai.operation.name} {gen_ai.request.model}`. */
  readonly equivalentNameTemplate?: string;
  /**
   * The start attributes, built as `toSpanAttributes` builds them from `fields`, with one named
   * property read per field instead of a loop of keyed reads (what the generator emits: three to
   * four times faster on the LLM span's 33 fields). `fields` and `signal` are this descriptor's.
   * It reads fields by position: a descriptor made from another with different `fields` must leave it out.
   */
  readonly startAttributes?: (attributes: A, keys: SpanKeys, fields: readonly AttributeField[], signal: string) => Attributes;
}

/** Options every generated `start…Span` and `with…Span` accepts. */
export interface SpanStartOptions {
  /**
   * The span name, instead of the one the registry's template gives. Needed for spans whose
   * registry describes the name in prose only (the official GenAI spans: `chat gpt-4o`).
   */
  readonly name?: string;
  /** Parent context; the active context when omitted. */
  readonly parent?: Context;
  readonly startTime?: TimeInput;
  readonly links?: Link[];
}

const SPAN_KINDS: Record<SpanKindName, SpanKind> = {
  internal: SpanKind.INTERNAL,
  client: SpanKind.CLIENT,
  server: SpanKind.SERVER,
  producer: SpanKind.PRODUCER,
  consumer: SpanKind.CONSUMER,
};

/** The tracer of a scope, bound to the providers configured at call time. */
export function scopeTracer(scope: InstrumentationScope): () => Tracer | undefined {
  return perBinding((binding) => binding.tracerProvider.getTracer(scope.name, scope.version, { schemaUrl: scope.schemaUrl }));
}

/** The span's GenAI name when those conventions are emitted and it has one, else its own. */
function spanName<A extends object>(descriptor: SpanDescriptor<A>, attributes: A): string {
  return (emitsGenAi() ? descriptor.equivalentName?.(attributes) : undefined) ?? descriptor.name(attributes);
}

const NO_OPTIONS: SpanStartOptions = Object.freeze({});

/** Starts the OpenTelemetry span of a descriptor, or returns undefined while telemetry is off. */
export function startOtelSpan<A extends object>(
  boundTracer: () => Tracer | undefined,
  descriptor: SpanDescriptor<A>,
  attributes: A,
  options: SpanStartOptions = NO_OPTIONS,
): Span | undefined {
  try {
    const tracer = boundTracer();
    if (tracer === undefined) return undefined;
    const parent = options.parent ?? context.active();
    const spanOptions: SpanOptions = { kind: SPAN_KINDS[descriptor.kind], attributes: startAttributes(descriptor, attributes) };
    // Only when given, so the SDK gets the same options object a hand-written call passes.
    if (options.startTime !== undefined) spanOptions.startTime = options.startTime;
    if (options.links !== undefined) spanOptions.links = options.links;
    return tracer.startSpan(options.name ?? spanName(descriptor, attributes), spanOptions, parent);
  } catch (error) {
    warnOnce(`${descriptor.id}: starting the span failed: ${errorMessage(error)}`);
    return undefined;
  }
}

function startAttributes<A extends object>(descriptor: SpanDescriptor<A>, attributes: A): Attributes {
  const build = descriptor.startAttributes;
  // Plain JavaScript callers may pass nothing at all.
  if (build === undefined || attributes === undefined || attributes === null) return toSpanAttributes(descriptor.fields, attributes, descriptor.id);
  return build(attributes, spanKeys(), descriptor.fields, descriptor.id);
}

/**
 * The base of every generated span class. Wraps an OpenTelemetry span (or
 * nothing, while telemetry is off) and ends it exactly once.
 */
export class InstrumentedSpan {
  readonly #state: SpanState;

  constructor(span: Span | undefined, descriptor: SpanDescriptor<never>) {
    this.#state = { span, descriptor, ended: false };
  }

  /** The underlying OpenTelemetry span, for what the typed setters do not cover; undefined while telemetry is off. */
  get otelSpan(): Span | undefined {
    return this.#state.span;
  }

  /** False while telemetry is off or once the span has ended: skip expensive attribute work then. */
  get isRecording(): boolean {
    const state = this.#state;
    return state.span !== undefined && !state.ended && state.span.isRecording();
  }

  /** Records the error as an exception event, sets ERROR status and the attributes the spec fills from errors. */
  recordError(error: unknown): void {
    const state = this.#state;
    const span = state.span;
    if (span === undefined || state.ended) return;
    // guarded() spelled out: its text is only built when recording the error failed.
    try {
      // First: whatever the error is made of, and whatever fails below, the span says the operation failed.
      span.setStatus({ code: SpanStatusCode.ERROR });
      // Message and stack are application text: recorded only as the error-message policy allows (error-text.ts).
      const recordable = recordableError(error);
      const exception: { name: string; message?: string; stack?: string } = { name: recordable.type };
      if (recordable.message !== undefined) exception.message = recordable.message;
      if (recordable.stack !== undefined) exception.stack = recordable.stack;
      span.recordException(exception);
      if (recordable.message !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: recordable.message });
      for (const field of state.descriptor.fields) {
        if (field.spec.onError === undefined) continue;
        const value = field.spec.onError === 'type' ? recordable.type : recordable.message;
        if (value === undefined) continue;
        for (const [key, entry] of spanAttributeEntries(field.spec, value)) span.setAttribute(key, entry);
      }
    } catch (recordFailure) {
      warnFailed(`${state.descriptor.id}: recording an error`, recordFailure);
    }
  }

  /** Ends the span; later calls do nothing. */
  end(endTime?: TimeInput): void {
    const state = this.#state;
    if (state.span === undefined || state.ended) return;
    state.ended = true;
    try {
      state.span.end(endTime);
    } catch (error) {
      warnOnce(`${state.descriptor.id}: ending the span failed: ${errorMessage(error)}`);
    }
  }

  /** Sets one attribute after checking it against its spec; used by the generated setters. */
  protected setChecked(spec: AttributeSpec, value: unknown): this {
    const state = this.#state;
    const span = state.span;
    if (span === undefined || state.ended) return this;
    try {
      const checked = checkedValue(spec, value, state.descriptor.id);
      if (checked === undefined) return this;
      // What spanAttributeEntries gives, written without building the entries (this runs for every setter call).
      const equivalent = spec.equivalent;
      if (equivalent === undefined || !emitsGenAi()) {
        span.setAttribute(spec.key, checked);
        return this;
      }
      if (emitsFlo()) span.setAttribute(spec.key, checked);
      span.setAttribute(equivalent.key, equivalent.scale !== undefined && typeof checked === 'number' ? checked * equivalent.scale : checked);
    } catch (error) {
      warnOnce(`${state.descriptor.id}: setting ${spec.key} failed: ${errorMessage(error)}`);
    }
    return this;
  }
}

/**
 * A span's own state, in one object of one shape: the base class's methods read it on instances
 * of every generated span class, whose shapes all differ, so fields of their own would be read
 * through a megamorphic lookup each time; here it is one such read per method, then plain ones.
 */
interface SpanState {
  readonly span: Span | undefined;
  readonly descriptor: SpanDescriptor<never>;
  ended: boolean;
}

/** What a helper records once the outcome of a call is known. */
export interface OutcomeHooks<V> {
  onSuccess(value: V): void;
  onFailure(error: unknown): void;
}

/**
 * Runs `fn` with `span` active and observes its outcome once: at once for a
 * plain value or a throw, when the promise settles for a promise. Then the
 * hooks run (their failures go to diag), the error is recorded on the span,
 * and the span ends. Returns or throws exactly what `fn` does:
 * - a native promise is re-wrapped (same outcome, another identity, so an
 *   unhandled rejection stays unhandled);
 * - a promise of a subclass (an SDK's `APIPromise`) comes back itself, with
 *   its own members (`withResponse()`), observed through its own `then`;
 * - another thenable has its `then` called once, and a promise of its value
 *   comes back;
 * - anything whose `then` cannot even be read (a revoked Proxy) is a value.
 * The one wrapper every helper and every generated `with…Span` uses.
 *
 * `within` is the context to run `fn` in (with the span set in it) instead of
 * the active one: helpers that put values of their own in the context pass it,
 * so one context switch does for both.
 */
export function runInSpan<S extends InstrumentedSpan, T>(span: S, fn: (span: S) => T, hooks?: OutcomeHooks<Awaited<T>>, within?: Context): T {
  const otelSpan = span.otelSpan;
  // No span (telemetry off, or the SDK failed to start one): nothing to observe unless the helper records metrics.
  if (otelSpan === undefined && hooks === undefined && within === undefined) return fn(span);
  let result: T;
  try {
    if (otelSpan !== undefined) result = context.with(trace.setSpan(LinkedContext.over(within ?? context.active()), otelSpan), fn, undefined, span);
    else result = within === undefined ? fn(span) : context.with(within, fn, undefined, span);
  } catch (error) {
    failed(span, hooks, error);
    throw error;
  }
  const then = thenOf(result);
  if (then === undefined) {
    succeeded(span, hooks, result as Awaited<T>);
    return result;
  }
  const observed = hooks as OutcomeHooks<unknown> | undefined;
  if (result instanceof Promise && result.constructor !== Promise) {
    // Observed, not re-wrapped: the caller keeps the SDK's own promise type. The handler keeps no rejection unhandled that was handled.
    then.call(
      result,
      (value: unknown) => succeeded(span, observed, value),
      (error: unknown) => failed(span, hooks, error),
    );
    return result;
  }
  const settled = result instanceof Promise ? result : new Promise<unknown>((resolve, reject) => then.call(result, resolve, reject));
  return settled.then(
    (value) => {
      succeeded(span, observed, value);
      return value;
    },
    (error: unknown) => {
      failed(span, hooks, error);
      throw error;
    },
  ) as T;
}

// The outcome paths of runInSpan, as plain functions: no closures per call, and the diagnostic
// text is only built when a hook actually failed.
function succeeded<V>(span: InstrumentedSpan, hooks: OutcomeHooks<V> | undefined, value: V): void {
  if (hooks !== undefined) {
    try {
      hooks.onSuccess(value);
    } catch (error) {
      hookFailed(span, error);
    }
  }
  span.end();
}

function failed(span: InstrumentedSpan, hooks: OutcomeHooks<never> | undefined, error: unknown): void {
  if (hooks !== undefined) {
    try {
      hooks.onFailure(error);
    } catch (hookError) {
      hookFailed(span, hookError);
    }
  }
  span.recordError(error);
  span.end();
}

function hookFailed(span: InstrumentedSpan, error: unknown): void {
  warnOnce(`${span.constructor.name}: recording the outcome failed: ${errorMessage(error)}`);
}

/** The `then` method of a thenable; undefined for anything else, including a value whose `then` cannot be read. */
function thenOf(value: unknown): ((this: unknown, onFulfilled: (value: unknown) => unknown, onRejected: (error: unknown) => unknown) => unknown) | undefined {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return undefined;
  try {
    const then: unknown = (value as { then?: unknown }).then;
    return typeof then === 'function' ? (then as ReturnType<typeof thenOf>) : undefined;
  } catch {
    return undefined;
  }
}

export { errorMessage, errorType } from './error-text.ts';
