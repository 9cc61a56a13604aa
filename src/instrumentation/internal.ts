/**
 * Small pieces every instrumentation module shares: whether telemetry is on,
 * a monotonic stopwatch, and observing the outcome of a call that may or may
 * not return a promise without changing what it returns or throws.
 */
import { currentBinding } from '../runtime/binding.ts';
import { guarded } from '../runtime/diagnostics.ts';

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

export interface OutcomeHooks<V> {
  onSuccess(value: V): void;
  onFailure(error: unknown): void;
}

/**
 * Calls `run` and then one of the hooks once its result is known: at once
 * for a plain value, when the promise settles for a promise. Hook failures
 * are reported through diag and swallowed; the caller gets exactly the value
 * or error `run` produced (a settled promise is re-wrapped, so its identity
 * changes but not its outcome).
 */
export function observeOutcome<T>(what: string, run: () => T, hooks: OutcomeHooks<Awaited<T>>): T {
  let result: T;
  try {
    result = run();
  } catch (error) {
    guarded(what, () => hooks.onFailure(error));
    throw error;
  }
  if (!isPromiseLike(result)) {
    guarded(what, () => hooks.onSuccess(result as Awaited<T>));
    return result;
  }
  return result.then(
    (value) => {
      guarded(what, () => hooks.onSuccess(value as Awaited<T>));
      return value;
    },
    (error: unknown) => {
      guarded(what, () => hooks.onFailure(error));
      throw error;
    },
  ) as T;
}

/** The length of a string result, the only kind of result whose "length" means characters. */
export function textLength(value: unknown): number | undefined {
  return typeof value === 'string' ? value.length : undefined;
}
