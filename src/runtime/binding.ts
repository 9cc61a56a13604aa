/**
 * The one piece of mutable state the generated recorders and the helpers
 * read: the session they record into, if any. A binding holds the tracer and
 * meter providers and the session's policies (naming conventions, content
 * capture, error messages), so a new configuration replaces all of them in
 * one assignment and no call ever sees half of one session and half of
 * another.
 *
 * `@opentelemetry/api` proxies tracers but not meters, so instruments created
 * before the SDK starts would stay no-ops forever (the defect of the Python
 * reference). Instead, generated code asks for the binding on every call and
 * re-creates its cached tracer, meter and instruments whenever `generation`
 * changes. While nothing is bound, a recorder costs one function call and one
 * comparison.
 */
import type { LoggerProvider, MeterProvider, TracerProvider } from '@opentelemetry/api';
import type { ContentCaptureOptions, ContentCaptureSettings } from './content.ts';
import type { Conventions } from './conventions.ts';
import type { ErrorMessagePolicy } from './error-text.ts';

/** How the kit treats text and names in one session. */
export interface TelemetryPolicies {
  readonly conventions: Conventions;
  readonly contentCapture: ContentCaptureSettings;
  readonly errorMessages: ErrorMessagePolicy;
}

export interface ProviderBinding extends TelemetryPolicies {
  readonly tracerProvider: TracerProvider;
  readonly meterProvider: MeterProvider;
  /** Where log records (events) go; undefined with logs off, or when the binder gave none. */
  readonly loggerProvider: LoggerProvider | undefined;
  /** False: spans only, every metric recorder returns at once. */
  readonly recordMetrics: boolean;
  /** Changes on every bind, so per-binding caches know when they are stale. */
  readonly generation: number;
}

export interface BindOptions {
  tracerProvider: TracerProvider;
  meterProvider: MeterProvider;
  /** Default: none, so event recorders record nothing. */
  loggerProvider?: LoggerProvider;
  /** Default true; false records spans only (the metric recorders return at once, checks and all). */
  recordMetrics?: boolean;
  /** Default: the last `setConventions()`, else `both`. */
  conventions?: Conventions;
  /** Default: the last `setContentCapture()`, else off. */
  captureContent?: ContentCaptureOptions | boolean;
  /** Default: `with-content`. */
  errorMessages?: ErrorMessagePolicy;
}

export const DEFAULT_CONTENT_MAX_LENGTH = 4096;

export const CONTENT_CAPTURE_OFF: ContentCaptureSettings = Object.freeze({
  enabled: false,
  maxLength: DEFAULT_CONTENT_MAX_LENGTH,
  redact: undefined,
});

/** What a binding gets for a policy it is not given; also what a caller without any binding sees. */
let defaults: TelemetryPolicies = Object.freeze({ conventions: 'both', contentCapture: CONTENT_CAPTURE_OFF, errorMessages: 'with-content' });
let current: ProviderBinding | undefined;
let lastGeneration = 0;

/** Points every recorder at these providers and policies, from the next call on, in one step. */
export function bindProviders(options: BindOptions): ProviderBinding {
  lastGeneration += 1;
  current = Object.freeze({
    tracerProvider: options.tracerProvider,
    meterProvider: options.meterProvider,
    loggerProvider: options.loggerProvider,
    recordMetrics: options.recordMetrics ?? true,
    generation: lastGeneration,
    conventions: options.conventions ?? defaults.conventions,
    contentCapture: options.captureContent === undefined ? defaults.contentCapture : contentCaptureSettings(options.captureContent),
    errorMessages: options.errorMessages ?? defaults.errorMessages,
  });
  return current;
}

/** Turns every recorder back into a no-op. */
export function unbindProviders(): void {
  current = undefined;
}

/** The providers recorders use now, or `undefined` while telemetry is off. */
export function currentBinding(): ProviderBinding | undefined {
  return current;
}

/** The `generation` of the binding in force, 0 while none is (no binding has that generation). */
export function bindingGeneration(): number {
  return current === undefined ? 0 : current.generation;
}

/** The policies in force: the bound session's, else the defaults. */
export function currentPolicies(): TelemetryPolicies {
  return current ?? defaults;
}

/**
 * Changes one policy of the current binding (same providers, same generation)
 * and the default for later bindings: what `setConventions()` and
 * `setContentCapture()` do for code that binds providers itself.
 */
export function updatePolicies(change: Partial<TelemetryPolicies>): void {
  defaults = Object.freeze({ ...defaults, ...change });
  if (current !== undefined) current = Object.freeze({ ...current, ...change });
}

/** A content length limit the kit accepts: a positive whole number, or Infinity for none. */
export function isValidMaxLength(value: unknown): value is number {
  return value === Infinity || (Number.isSafeInteger(value) && (value as number) > 0);
}

/** Content capture options as the helpers read them; a bad maxLength falls back to the default. */
export function contentCaptureSettings(options: ContentCaptureOptions | boolean): ContentCaptureSettings {
  const given = typeof options === 'boolean' ? { enabled: options } : options;
  const maxLength = given.maxLength;
  return Object.freeze({
    enabled: given.enabled === true,
    maxLength: isValidMaxLength(maxLength) ? maxLength : DEFAULT_CONTENT_MAX_LENGTH,
    redact: typeof given.redact === 'function' ? given.redact : undefined,
  });
}
