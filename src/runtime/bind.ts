/**
 * Binding the recorders to providers: `configureTelemetry()` does it for the
 * session it starts, and code that runs an OpenTelemetry SDK of its own calls
 * `bindProviders()`. Either way the session's conventions are decided here,
 * once: the index of the generated tables every span and recorder uses, and
 * the kit's emitter the instrumentation helpers report to
 * (src/generated/conventions.ts). Defaults come from the settings table.
 */
import type { LoggerProvider, MeterProvider, TracerProvider } from '@opentelemetry/api';
import { EMITTERS, type ConventionsEmitter } from '../generated/conventions.ts';
import { clearBinding, currentBinding, nextGeneration, setBinding, type ProviderBinding, type TelemetryPolicies } from './binding.ts';
import { CONTENT_CAPTURE_OFF, contentCaptureSettings, type ContentCaptureOptions, type ContentCaptureSettings, type ContentDestination } from './content.ts';
import { warnOnce } from './diagnostics.ts';
import type { ErrorMessagePolicy } from './error-text.ts';
import { OpenHandles } from './open-handles.ts';
import { CONVENTIONS, GEN_AI_OPT_INS, selectionIndex, type Conventions, type GenAiOptIn } from './rules.ts';
import { genAiOptInOf, TELEMETRY_DEFAULTS } from './settings.ts';

export interface BindOptions {
  tracerProvider: TracerProvider;
  meterProvider: MeterProvider;
  /** Default: none, so event recorders record nothing. */
  loggerProvider?: LoggerProvider;
  /** Default true; false records spans only (the metric recorders return at once, checks and all). */
  recordMetrics?: boolean;
  /** Default: the settings table's (`both`). */
  conventions?: Conventions;
  /** `OTEL_SEMCONV_STABILITY_OPT_IN` tokens; `gen_ai_latest_experimental` switches the GenAI part of `gen_ai` and `both`. Default none. */
  semconvStabilityOptIn?: readonly string[];
  /** Default: off. */
  captureContent?: ContentCaptureOptions | boolean;
  /** Where captured GenAI content goes: `span` (default), `event` or `span_and_event`. */
  captureContentIn?: ContentDestination;
  /** Default: the settings table's (`with-content`). */
  errorMessages?: ErrorMessagePolicy;
}

/** A binding as bind.ts makes every one: with the kit's emitter for the session's conventions. */
export type KitBinding = ProviderBinding<ConventionsEmitter>;

/** The session telemetry records into, with its emitter typed: undefined while telemetry is off. */
export function currentSession(): KitBinding | undefined {
  // Every binding is made by withPolicies below, with one of EMITTERS.
  return currentBinding() as KitBinding | undefined;
}

/** Points every recorder at these providers and policies, from the next call on, in one step. */
export function bindProviders(options: BindOptions): KitBinding {
  const binding = withPolicies(
    {
      tracerProvider: options.tracerProvider,
      meterProvider: options.meterProvider,
      loggerProvider: options.loggerProvider,
      recordMetrics: options.recordMetrics ?? true,
      generation: nextGeneration(),
      openHandles: new OpenHandles(),
    },
    {
      conventions: options.conventions ?? TELEMETRY_DEFAULTS.conventions,
      genAiOptIn: genAiOptInOf(options.semconvStabilityOptIn ?? TELEMETRY_DEFAULTS.semconvStabilityOptIn),
      contentCapture: options.captureContent === undefined ? CONTENT_CAPTURE_OFF : contentCaptureSettings(options.captureContent, options.captureContentIn ?? TELEMETRY_DEFAULTS.captureContentIn),
      errorMessages: options.errorMessages ?? TELEMETRY_DEFAULTS.errorMessages,
    },
  );
  setBinding(binding);
  return binding;
}

/** Turns every recorder back into a no-op. */
export function unbindProviders(): void {
  clearBinding();
}

type Providers = Pick<KitBinding, 'tracerProvider' | 'meterProvider' | 'loggerProvider' | 'recordMetrics' | 'generation' | 'openHandles'>;

/** A binding of these providers and policies: the selection and the emitter follow from the conventions and the opt-in. */
function withPolicies(providers: Providers, policies: TelemetryPolicies): KitBinding {
  const selection = selectionIndex(policies.conventions, policies.genAiOptIn);
  return Object.freeze({ ...providers, ...policies, selection, emitter: EMITTERS[selection] as ConventionsEmitter });
}

/** The current binding with one policy changed (same providers, same generation); nothing when telemetry is off. */
function rebind(change: Partial<TelemetryPolicies>, what: string): void {
  const binding = currentSession();
  if (binding === undefined) {
    warnOnce(`${what}: telemetry is not configured, nothing changed; pass it to configureTelemetry() or bindProviders()`);
    return;
  }
  // The same session goes on: its providers, its generation and its open handles stay.
  const { tracerProvider, meterProvider, loggerProvider, recordMetrics, generation, openHandles, conventions, genAiOptIn, contentCapture, errorMessages } = binding;
  setBinding(withPolicies({ tracerProvider, meterProvider, loggerProvider, recordMetrics, generation, openHandles }, { conventions, genAiOptIn, contentCapture, errorMessages, ...change }));
}

/**
 * Changes the conventions of the running session (and `semconvStabilityOptIn`, when given), for
 * code that binds providers itself and tests; `configureTelemetry({ conventions })` sets them for
 * a new session. An unknown value (from untyped code) is reported through diag and ignored.
 */
export function setConventions(conventions: Conventions, semconvStabilityOptIn?: readonly string[]): void {
  if (!CONVENTIONS.includes(conventions)) {
    warnOnce(`unknown conventions ${JSON.stringify(conventions)} ignored; expected one of ${CONVENTIONS.join(', ')}`);
    return;
  }
  rebind({ conventions, ...(semconvStabilityOptIn === undefined ? {} : { genAiOptIn: genAiOptInOf(semconvStabilityOptIn) }) }, 'setConventions');
}

/**
 * Changes content capture of the running session (and where GenAI content goes, when given);
 * `configureTelemetry({ captureContent, captureContentIn })` sets it for a new one.
 */
export function setContentCapture(options: ContentCaptureOptions | boolean, captureContentIn?: ContentDestination): void {
  rebind({ contentCapture: contentCaptureSettings(options, captureContentIn ?? currentBinding()?.contentCapture.destination ?? TELEMETRY_DEFAULTS.captureContentIn) }, 'setContentCapture');
}

/** Content capture of the running session back to off. */
export function resetContentCapture(): void {
  rebind({ contentCapture: CONTENT_CAPTURE_OFF }, 'resetContentCapture');
}

/** Content capture of the running session: off while telemetry is off. */
export function contentCapture(): ContentCaptureSettings {
  return currentBinding()?.contentCapture ?? CONTENT_CAPTURE_OFF;
}

export type { GenAiOptIn };
export { GEN_AI_OPT_INS };
