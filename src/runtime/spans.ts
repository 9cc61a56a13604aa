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
import { type AttributeField, type AttributeSpec, checkedValue, convertedValue, toSpanAttributes, type SpanWrite } from './attributes.ts';
import { currentBinding, type ProviderBinding } from './binding.ts';
import { warnFailed, warnOnce } from './diagnostics.ts';
import { errorMessage, recordableError, type ErrorTextPolicies } from './error-text.ts';
import { perBinding, type InstrumentationScope } from './scope.ts';
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
   * What each conventions selection does with the span, in the order of SELECTIONS
   * (src/runtime/rules.ts): generated from the spec, applied by the runtime. A descriptor without
   * them (made by hand) writes every attribute under its own key in every session.
   */
  readonly conventions?: readonly SpanConventions<A>[];
}

/** What one conventions selection does with one span (generated; see scripts/codegen/conventions.ts). */
export interface SpanConventions<A extends object> {
  /** False: not emitted in this selection (a span of the spec without a GenAI equivalent, when only GenAI names are emitted). */
  readonly emitted: boolean;
  /** The GenAI name template the span takes in this selection, for conformance checks. */
  readonly nameTemplate?: string;
  /** The GenAI name; undefined (or absent) keeps the span's own, as when an attribute the name needs is missing. */
  readonly name?: (attributes: A) => string | undefined;
  /** For each field, in `fields` order, the keys it is written under: none, its own, its GenAI equivalent's, or both. */
  readonly writes: readonly (readonly SpanWrite[])[];
  /** The ids of the fields written under at least one key, for helpers that skip work nobody records. */
  readonly records: ReadonlySet<string>;
  /**
   * The required fields this selection writes, but for fixed ones (written at every start), each as
   * the keys it is written under: what the span must carry when it ends. Their order is their bit in
   * the mask the start attributes builder reports to `requiredLeftOut`.
   */
  readonly required?: readonly (readonly string[])[];
  /**
   * The start attributes, as `toSpanAttributes` builds them from `fields` and `writes`, with one
   * named property read per field written (what the generator emits: three to four times faster
   * on the LLM span's fields). It reads fields by position: a descriptor made from another with
   * different `fields` must leave its tables out.
   */
  readonly startAttributes?: (attributes: A, writes: readonly (readonly SpanWrite[])[], fields: readonly AttributeField[], signal: string) => Attributes;
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

/** The table of a descriptor for the session's conventions; undefined for a descriptor without tables. */
function tableOf<A extends object>(descriptor: SpanDescriptor<A>, binding: ProviderBinding): SpanConventions<A> | undefined {
  return descriptor.conventions?.[binding.selection];
}

/** Whether a span of this descriptor started now is emitted at all: false while telemetry is off, or when the session's conventions leave it out. */
export function spanEmitted(descriptor: SpanDescriptor<never>): boolean {
  const binding = currentBinding();
  return binding !== undefined && (tableOf(descriptor, binding)?.emitted ?? true);
}

/**
 * Whether a span of this descriptor started now records the attribute `key` (one of its own
 * attribute ids) under any key: for helpers that skip computing a value nobody records (content in
 * the GenAI message structure, response facts). False while telemetry is off or the span is not
 * emitted; true for a descriptor without tables.
 */
export function spanRecords(descriptor: SpanDescriptor<never>, key: string): boolean {
  const binding = currentBinding();
  if (binding === undefined) return false;
  const table = tableOf(descriptor, binding);
  return table === undefined || (table.emitted && table.records.has(key));
}

const NO_OPTIONS: SpanStartOptions = Object.freeze({});

/** Required fields left out at a start: not known, so every one is checked when the span ends. */
const LEFT_OUT_UNKNOWN = -1;
/** What the start attributes builder of the last start reported (requiredLeftOut). */
let leftOutAtStart = LEFT_OUT_UNKNOWN;
/** The span that last start returned, so the InstrumentedSpan made of it takes `leftOutAtStart`, and no other. */
let startedSpan: Span | undefined;

/**
 * Called by each generated start attributes builder as it returns: the required fields of the
 * selection's `required` list that it did not write as they were (bit `i` for field `i`), so the
 * span checks only those when it ends, rather than reading every required key of every span back
 * from the SDK (bench row 9). A builder that does not call it (made by an older generator) leaves
 * every field checked.
 */
export function requiredLeftOut(mask: number): void {
  leftOutAtStart = mask;
}

/** Starts the OpenTelemetry span of a descriptor, or returns undefined while telemetry is off. */
export function startOtelSpan<A extends object>(
  boundTracer: () => Tracer | undefined,
  descriptor: SpanDescriptor<A>,
  attributes: A,
  options: SpanStartOptions = NO_OPTIONS,
): Span | undefined {
  try {
    const binding = currentBinding();
    if (binding === undefined) return undefined;
    const table = tableOf(descriptor, binding);
    if (table !== undefined && !table.emitted) return undefined;
    const tracer = boundTracer();
    if (tracer === undefined) return undefined;
    const parent = options.parent ?? context.active();
    leftOutAtStart = LEFT_OUT_UNKNOWN;
    const spanOptions: SpanOptions = { kind: SPAN_KINDS[descriptor.kind], attributes: startAttributes(descriptor, table, attributes) };
    // Only when given, so the SDK gets the same options object a hand-written call passes.
    if (options.startTime !== undefined) spanOptions.startTime = options.startTime;
    if (options.links !== undefined) spanOptions.links = options.links;
    const span = tracer.startSpan(options.name ?? table?.name?.(attributes) ?? descriptor.name(attributes), spanOptions, parent);
    startedSpan = span;
    return span;
  } catch (error) {
    warnOnce(`${descriptor.id}: starting the span failed: ${errorMessage(error)}`);
    return undefined;
  }
}

function startAttributes<A extends object>(descriptor: SpanDescriptor<A>, table: SpanConventions<A> | undefined, attributes: A): Attributes {
  const build = table?.startAttributes;
  // Plain JavaScript callers may pass nothing at all.
  if (build === undefined || attributes === undefined || attributes === null) return toSpanAttributes(descriptor.fields, attributes, descriptor.id, table?.writes);
  return build(attributes, table!.writes, descriptor.fields, descriptor.id);
}

/**
 * The base of every generated span class. Wraps an OpenTelemetry span (or
 * nothing, while telemetry is off) and ends it exactly once.
 */
export class InstrumentedSpan {
  readonly #state: SpanState;

  constructor(span: Span | undefined, descriptor: SpanDescriptor<never>) {
    // The session the span starts in decides, for its whole life, its keys and what of its errors is recorded.
    const binding = span === undefined ? undefined : currentBinding();
    const table = binding === undefined ? undefined : tableOf(descriptor, binding);
    // What its start left out, when it is the span startOtelSpan just started (generated code makes it at once); else unknown.
    const leftOut = span !== undefined && span === startedSpan ? leftOutAtStart : LEFT_OUT_UNKNOWN;
    startedSpan = undefined;
    this.#state = {
      span,
      descriptor,
      ended: false,
      writes: table?.writes,
      records: table?.records,
      required: table === undefined ? undefined : (table.required ?? NOTHING_REQUIRED),
      leftOut,
      policies: binding,
    };
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

  /**
   * Whether the span records its attribute `key` (one of its own attribute ids) in this session,
   * under any key: false for an attribute the session's conventions leave out, so a helper can
   * skip computing it. False while telemetry is off or once the span has ended.
   */
  records(key: string): boolean {
    const state = this.#state;
    return state.span !== undefined && !state.ended && (state.records === undefined || state.records.has(key));
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
      const recordable = recordableError(error, state.policies);
      const exception: { name: string; message?: string; stack?: string } = { name: recordable.type };
      if (recordable.message !== undefined) exception.message = recordable.message;
      if (recordable.stack !== undefined) exception.stack = recordable.stack;
      span.recordException(exception);
      if (recordable.message !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: recordable.message });
      const fields = state.descriptor.fields;
      for (let index = 0; index < fields.length; index += 1) {
        const spec = (fields[index] as AttributeField).spec;
        if (spec.onError === undefined) continue;
        const value = spec.onError === 'type' ? recordable.type : recordable.message;
        if (value === undefined) continue;
        for (const write of writesOf(state, index, spec)) span.setAttribute(write.key, value);
      }
    } catch (recordFailure) {
      warnFailed(`${state.descriptor.id}: recording an error`, recordFailure);
    }
  }

  /** Ends the span, reporting a required attribute it does not carry; later calls do nothing. */
  end(endTime?: TimeInput): void {
    const state = this.#state;
    if (state.span === undefined || state.ended) return;
    state.ended = true;
    reportMissingRequired(state);
    try {
      state.span.end(endTime);
    } catch (error) {
      warnOnce(`${state.descriptor.id}: ending the span failed: ${errorMessage(error)}`);
    }
  }

  /**
   * Sets one attribute after checking it against its spec, under the keys the session's conventions
   * give field `field` of the descriptor (its own key when the descriptor has no tables); used by the
   * generated setters, which pass the field's index.
   */
  protected setChecked(spec: AttributeSpec, value: unknown, field?: number): this {
    const state = this.#state;
    const span = state.span;
    if (span === undefined || state.ended) return this;
    try {
      const writes = field === undefined ? undefined : state.writes?.[field];
      // Not written in this session: not even checked.
      if (writes !== undefined && writes.length === 0) return this;
      const checked = checkedValue(spec, value, state.descriptor.id);
      if (checked === undefined) return this;
      if (writes === undefined) {
        span.setAttribute(spec.key, checked);
        return this;
      }
      for (let index = 0; index < writes.length; index += 1) {
        const write = writes[index] as SpanWrite;
        span.setAttribute(write.key, write.scale === undefined ? checked : convertedValue(checked, write));
      }
    } catch (error) {
      warnOnce(`${state.descriptor.id}: setting ${spec.key} failed: ${errorMessage(error)}`);
    }
    return this;
  }
}

const NOTHING_REQUIRED: readonly (readonly string[])[] = Object.freeze([]);

/**
 * A required attribute the span carries under none of its keys when it ends, said once through diag
 * (a helper may set one after the start, as an agent run takes its provider from its first LLM
 * call, so the end is where one is missing for good). Read from the SDK span's attributes; a span
 * that keeps none (not recording, another SDK) is not checked. Never throws.
 */
function reportMissingRequired(state: SpanState): void {
  const leftOut = state.leftOut;
  // The start wrote every required field as it was: none can be missing (attributes are never removed).
  if (leftOut === 0) return;
  const required = state.required ?? ownRequired(state.descriptor);
  if (required.length === 0) return;
  try {
    const recorded = (state.span as { readonly attributes?: Readonly<Record<string, unknown>> }).attributes;
    if (recorded === undefined || !state.span!.isRecording()) return;
    // Plain loops: this runs as every span ends.
    for (let field = 0; field < required.length; field += 1) {
      if (leftOut !== LEFT_OUT_UNKNOWN && (leftOut & (2 ** field)) === 0) continue;
      const keys = required[field] as readonly string[];
      let carried = false;
      for (let index = 0; index < keys.length && !carried; index += 1) carried = recorded[keys[index] as string] !== undefined;
      if (!carried) warnOnce(`${state.descriptor.id}: required attribute ${keys[0]} is missing`);
    }
  } catch (error) {
    warnFailed(`${state.descriptor.id}: checking its required attributes`, error);
  }
}

/** A descriptor made without tables: its required fields under their own keys, but for fixed ones (written at every start). */
function ownRequired(descriptor: SpanDescriptor<never>): readonly (readonly string[])[] {
  return descriptor.fields.filter((field) => field.required && field.fixed === undefined).map((field) => [field.spec.key]);
}

/** The keys field `index` is written under: the session's, or its own key without tables. */
function writesOf(state: SpanState, index: number, spec: AttributeSpec): readonly SpanWrite[] {
  return state.writes?.[index] ?? [{ key: spec.key }];
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
  /** The writes of each field in the session the span started in; undefined for a descriptor without tables. */
  readonly writes: readonly (readonly SpanWrite[])[] | undefined;
  readonly records: ReadonlySet<string> | undefined;
  /** The keys of each required field the session writes; undefined for a descriptor without tables (read from its fields then). */
  readonly required: readonly (readonly string[])[] | undefined;
  /** The fields of `required` the start left out, as bits (requiredLeftOut); LEFT_OUT_UNKNOWN: every one. */
  readonly leftOut: number;
  /** The session's policies for error text; set whenever `span` is. */
  readonly policies: ErrorTextPolicies | undefined;
}

/** What a helper records once the outcome of a call is known. */
export interface OutcomeHooks<V> {
  onSuccess(value: V): void;
  onFailure(error: unknown): void;
  /**
   * For a returned value that is no promise but settles later (a provider SDK's stream handle): a
   * promise of its final value, observed in its place, without changing how the value behaves;
   * undefined for a value that is its own outcome.
   */
  settlement?(value: unknown): PromiseLike<unknown> | undefined;
}

/**
 * The context operations under `span` start in: `base` with the span set in it, as one more
 * layer (LinkedContext), or `base` itself while the span records nothing. What each handle's
 * `context` is, over the values it adds of its own (the agent run, the workflow name).
 */
export function contextWithSpan(base: Context, span: InstrumentedSpan): Context {
  const otelSpan = span.otelSpan;
  return otelSpan === undefined ? base : trace.setSpan(LinkedContext.over(base), otelSpan);
}

/**
 * Runs `fn` with `span` active and observes its outcome once: at once for a
 * plain value or a throw, when the promise settles for a promise. Then the
 * hooks run (their failures go to diag), the error is recorded on the span,
 * and the span ends. Returns or throws exactly what `fn` does:
 * - a native promise is re-wrapped (same outcome, another identity, so an
 *   unhandled rejection stays unhandled);
 * - a promise of a subclass (an SDK's `APIPromise`) comes back itself, with
 *   its own members, and is observed when the caller consumes it, in the way
 *   the caller chose (see `observeWhenConsumed`): awaited (`then`, `catch`,
 *   `finally`), its outcome observed through its own `then`; through another
 *   method of its class (`withResponse()`, `asResponse()`), the outcome of
 *   that method's promise. Nothing reads its result before the caller does,
 *   so `asResponse()` still hands over a body nobody has read;
 * - another thenable has its `then` called once, and a promise of its value
 *   comes back;
 * - a value the hooks know settles later (`settlement`) comes back itself,
 *   observed through the promise the hooks give;
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
  const observed = hooks as OutcomeHooks<unknown> | undefined;
  if (then === undefined) {
    const later = settlementOf(observed, result);
    if (later === undefined) succeeded(span, hooks, result as Awaited<T>);
    else observeThrough(later.then as ThenMethod, later, span, observed);
    return result;
  }
  if (result instanceof Promise && result.constructor !== Promise) {
    // Observed, not re-wrapped: the caller keeps the SDK's own promise type, and consumes it first.
    if (!observeWhenConsumed(result, span, observed)) observeThrough(then, result, span, observed);
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

/** The hooks' promise of a value that settles later, if they know one; a hook that throws knows none. */
function settlementOf(hooks: OutcomeHooks<unknown> | undefined, value: unknown): PromiseLike<unknown> | undefined {
  if (hooks?.settlement === undefined) return undefined;
  try {
    return hooks.settlement(value);
  } catch (error) {
    warnOnce(`runInSpan: reading how a returned value settles failed: ${errorMessage(error)}`);
    return undefined;
  }
}

type ThenMethod = (this: unknown, onFulfilled: (value: unknown) => unknown, onRejected: (error: unknown) => unknown) => unknown;

/** Observes a thenable through a `then` of its own. The handler keeps no rejection unhandled that was handled. */
function observeThrough(then: ThenMethod, thenable: unknown, span: InstrumentedSpan, hooks: OutcomeHooks<unknown> | undefined): void {
  try {
    then.call(
      thenable,
      (value: unknown) => succeeded(span, hooks, value),
      (error: unknown) => failed(span, hooks, error),
    );
  } catch (error) {
    // A `then` that throws: the caller sees the same when it awaits; the span says so now.
    failed(span, hooks, error);
  }
}

const CONSUMING = ['then', 'catch', 'finally'];

/**
 * Observes a promise of a subclass when the caller first consumes it, and not before: an SDK's
 * promise reads the response body when its `then` is called (the OpenAI and Anthropic clients'
 * `APIPromise` parse it), which would leave `asResponse()` a `Response` whose body is used. Each
 * method the caller can consume it with (`then`, `catch`, `finally`, and the methods of its own
 * classes: `withResponse()`, `asResponse()`, …) is shadowed on the instance by one that, at the
 * first call, takes the shadows away again (so the instance is as it was), starts observing, then
 * does what the caller asked: awaited, the promise's outcome through its own `then`; any other
 * method, the outcome of the promise that method returns (its value is what the hooks record:
 * `{ data, response }`, a `Response`). False when the instance cannot be changed (frozen).
 *
 * A promise nobody consumes is never observed: its span stays open, as any call that never ends.
 */
function observeWhenConsumed(promise: Promise<unknown>, span: InstrumentedSpan, hooks: OutcomeHooks<unknown> | undefined): boolean {
  const methods = consumingMethods(promise);
  let consumed = false;
  const restore = (): void => {
    for (const name of methods.keys()) delete (promise as unknown as Record<string, unknown>)[name];
  };
  try {
    for (const [name, method] of methods) {
      Object.defineProperty(promise, name, {
        configurable: true,
        writable: true,
        value: function consume(this: unknown, ...args: unknown[]): unknown {
          if (!consumed && this === promise) {
            consumed = true;
            restore();
            if (CONSUMING.includes(name)) {
              observeThrough((methods.get('then') ?? promise.then) as ThenMethod, promise, span, hooks);
              return method.apply(this, args);
            }
            const result = method.apply(this, args);
            const then = thenOf(result);
            if (then === undefined) succeeded(span, hooks, result);
            else observeThrough(then, result, span, hooks);
            return result;
          }
          return method.apply(this, args);
        },
      });
    }
    return true;
  } catch {
    restore();
    return false;
  }
}

/** `then`, `catch`, `finally` and every other method of the classes between the instance and `Promise`, by name, as its prototypes have them. */
function consumingMethods(promise: Promise<unknown>): Map<string, (...args: unknown[]) => unknown> {
  const methods = new Map<string, (...args: unknown[]) => unknown>();
  for (const name of CONSUMING) methods.set(name, (promise as unknown as Record<string, (...args: unknown[]) => unknown>)[name]!);
  for (let prototype = Object.getPrototypeOf(promise) as object | null; prototype !== null && prototype !== Promise.prototype; prototype = Object.getPrototypeOf(prototype) as object | null) {
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const value = Object.getOwnPropertyDescriptor(prototype, name)?.value;
      if (name !== 'constructor' && typeof value === 'function' && !methods.has(name)) methods.set(name, value as (...args: unknown[]) => unknown);
    }
  }
  // What the instance holds itself is not shadowed: taking the shadows away would take it away.
  for (const name of methods.keys()) if (Object.hasOwn(promise, name)) methods.delete(name);
  return methods;
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
function thenOf(value: unknown): ThenMethod | undefined {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return undefined;
  try {
    const then: unknown = (value as { then?: unknown }).then;
    return typeof then === 'function' ? (then as ReturnType<typeof thenOf>) : undefined;
  } catch {
    return undefined;
  }
}

export { errorMessage, errorType } from './error-text.ts';
