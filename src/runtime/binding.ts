/**
 * The one piece of mutable state the generated recorders and the helpers
 * read: the session they record into, if any. A binding holds the tracer and
 * meter providers and everything the session decided once (which conventions
 * it emits, as the index of the generated tables to use and the emitter the
 * helpers report to; content capture; error messages), so a new configuration
 * replaces all of them in one assignment and no call ever sees half of one
 * session and half of another. Bindings are made by bind.ts.
 *
 * `@opentelemetry/api` proxies tracers but not meters, so instruments created
 * before the SDK starts would stay no-ops forever (the defect of the Python
 * reference). Instead, generated code asks for the binding on every call and
 * re-creates its cached tracer, meter and instruments whenever `generation`
 * changes. While nothing is bound, a recorder costs one function call and one
 * comparison.
 */
import type { LoggerProvider, MeterProvider, TracerProvider } from '@opentelemetry/api';
import type { ContentCaptureSettings } from './content.ts';
import type { ErrorMessagePolicy } from './error-text.ts';
import type { OpenHandles } from './open-handles.ts';
import type { Conventions, GenAiOptIn } from './rules.ts';

/** How the kit treats text and names in one session. */
export interface TelemetryPolicies {
  readonly conventions: Conventions;
  /** The GenAI opt-in the session follows (`OTEL_SEMCONV_STABILITY_OPT_IN`), if any. */
  readonly genAiOptIn: GenAiOptIn | undefined;
  readonly contentCapture: ContentCaptureSettings;
  readonly errorMessages: ErrorMessagePolicy;
}

/**
 * `E` is the type of the emitter: the kit's `ConventionsEmitter` (src/generated/conventions.ts) for
 * every binding bind.ts makes, which is how bindings are made; it is a parameter so that this module
 * needs nothing of the generated code (which imports the runtime).
 */
export interface ProviderBinding<E = unknown> extends TelemetryPolicies {
  readonly tracerProvider: TracerProvider;
  readonly meterProvider: MeterProvider;
  /** Where log records (events) go; undefined with logs off, or when the binder gave none. */
  readonly loggerProvider: LoggerProvider | undefined;
  /** False: spans only, every metric recorder returns at once. */
  readonly recordMetrics: boolean;
  /** Changes on every bind, so per-binding caches know when they are stale. */
  readonly generation: number;
  /** The index of the session's conventions in the generated tables (src/runtime/rules.ts, SELECTIONS). */
  readonly selection: number;
  /** What the instrumentation helpers report their observations to: the kit's emitter for the session's conventions. */
  readonly emitter: E;
  /** Operation handles started in this session and not ended yet, reported when it stops. */
  readonly openHandles: OpenHandles;
}

let current: ProviderBinding | undefined;
let lastGeneration = 0;

/** Makes `binding` the one every recorder uses from the next call on. */
export function setBinding(binding: ProviderBinding): void {
  current = binding;
}

/** Turns every recorder back into a no-op. */
export function clearBinding(): void {
  current = undefined;
}

/** A generation no binding had before. */
export function nextGeneration(): number {
  lastGeneration += 1;
  return lastGeneration;
}

/** The providers recorders use now, or `undefined` while telemetry is off. */
export function currentBinding(): ProviderBinding | undefined {
  return current;
}

/** The `generation` of the binding in force, 0 while none is (no binding has that generation). */
export function bindingGeneration(): number {
  return current === undefined ? 0 : current.generation;
}
