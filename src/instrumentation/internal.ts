/**
 * Small pieces every instrumentation module shares: the session telemetry
 * records into, what a result's length is. Outcomes are observed by
 * `runInSpan` (runtime/spans.ts), the one wrapper around every traced call;
 * durations are taken with `performance.now()`, monotonic, so wall-clock
 * jumps (NTP) cannot make one negative.
 *
 * Which names a helper's telemetry carries is not decided here, nor in any
 * helper: a helper starts the generated span with every attribute it knows and
 * reports what it observed to the session's emitter (`binding.emitter`); the
 * tables generated from the spec for the session's conventions decide which
 * keys, spans and metrics that becomes.
 */
export { currentSession as session, type KitBinding as Session } from '../runtime/bind.ts';
export { errorType } from '../runtime/spans.ts';
export { guarded, warnFailed, warnOnce } from '../runtime/diagnostics.ts';
import { warnOnce } from '../runtime/diagnostics.ts';

/**
 * Whether a helper was given its info object. Framework code that passes `null` or `undefined`
 * (a bug on its side) must not break the application: the call runs untraced, as with telemetry
 * off, and the framework hears of it once. Nothing would identify the operation: its span name
 * and the attributes every one of its metrics requires all come from the info.
 */
export function hasInfo(helper: string, info: unknown): boolean {
  if (typeof info === 'object' && info !== null) return true;
  warnOnce(`${helper} was given ${info === null ? 'null' : typeof info} instead of its info object; the call ran untraced`);
  return false;
}

export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as PromiseLike<unknown>).then === 'function';
}

/** The length of a string result, the only kind of result whose "length" means characters. */
export function textLength(value: unknown): number | undefined {
  return typeof value === 'string' ? value.length : undefined;
}
