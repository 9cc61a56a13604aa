/**
 * Small pieces every instrumentation module shares: whether telemetry is on,
 * what a result's length is. Outcomes are observed by `runInSpan`
 * (runtime/spans.ts), the one wrapper around every traced call; durations are
 * taken with `performance.now()`, monotonic, so wall-clock jumps (NTP) cannot
 * make one negative.
 */
import { currentBinding } from '../runtime/binding.ts';

export { errorType } from '../runtime/spans.ts';
export { guarded, warnFailed, warnOnce } from '../runtime/diagnostics.ts';

/** True while providers are bound. When false the helpers just call through: telemetry off costs next to nothing. */
export function telemetryOn(): boolean {
  return currentBinding() !== undefined;
}

export const MS_PER_SECOND = 1000;

export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as PromiseLike<unknown>).then === 'function';
}

/** The length of a string result, the only kind of result whose "length" means characters. */
export function textLength(value: unknown): number | undefined {
  return typeof value === 'string' ? value.length : undefined;
}

export { emitsFlo, emitsGenAi } from '../runtime/conventions.ts';
