/**
 * Small pieces every instrumentation module shares: whether telemetry is on,
 * a monotonic stopwatch. Outcomes are observed by `runInSpan` (runtime/spans.ts),
 * the one wrapper around every traced call.
 */
import { currentBinding } from '../runtime/binding.ts';
import { emitsFlo } from '../runtime/conventions.ts';

export { errorType } from '../runtime/spans.ts';
export { guarded, warnOnce } from '../runtime/diagnostics.ts';

/** True while providers are bound. When false the helpers just call through: telemetry off costs next to nothing. */
export function telemetryOn(): boolean {
  return currentBinding() !== undefined;
}

export interface Stopwatch {
  elapsedMs(): number;
}

/** `performance.now()` is monotonic: wall-clock jumps (NTP) cannot make a duration negative. */
export function startStopwatch(): Stopwatch {
  const start = performance.now();
  return { elapsedMs: () => performance.now() - start };
}

export const MS_PER_SECOND = 1000;

export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as PromiseLike<unknown>).then === 'function';
}

/** The length of a string result, the only kind of result whose "length" means characters. */
export function textLength(value: unknown): number | undefined {
  return typeof value === 'string' ? value.length : undefined;
}

/**
 * The kit's own attributes of a span that has a GenAI equivalent, or none when only the GenAI
 * conventions are emitted: then the span is the GenAI span, with GenAI names only.
 */
export function floOnly<T extends object>(attributes: T): Partial<T> {
  return emitsFlo() ? attributes : {};
}

export { emitsFlo, emitsGenAi } from '../runtime/conventions.ts';
