/**
 * The one mechanism behind every `wrap…` higher-order function and every
 * method decorator: call the original with its own `this` and arguments
 * inside a trace helper, keeping its exact signature.
 */
import { errorType, session, warnOnce } from './internal.ts';

/**
 * What a wrapper or decorator knows about the call: fixed, or computed per
 * call from `this` and the arguments (as a tuple, so TypeScript can infer
 * `self` and the arguments independently: `(self: Agent, [input]: [string]) => …`).
 */
export type InfoSource<Info, This = unknown, Args extends unknown[] = unknown[]> = Info | ((self: This, args: Args) => Info);

/**
 * `fn` with `trace(info, call)` around every call. `untraced(call)` runs it
 * when there is nothing to trace under (telemetry off, info not computable);
 * for most helpers that is just `call()`, so the result is the original one.
 */
export function wrapWith<Info extends object, This, Args extends unknown[], R, Out>(
  what: string,
  source: InfoSource<Info, This, Args>,
  fn: (this: This, ...args: Args) => R,
  trace: (info: Info, call: () => R) => Out,
  untraced: (call: () => R) => Out,
): (this: This, ...args: Args) => Out {
  const wrapped = function (this: This, ...args: Args): Out {
    const call = () => fn.apply(this, args);
    if (session() === undefined) return untraced(call);
    const info = resolveInfo(what, source, this, args);
    return info === undefined ? untraced(call) : trace(info, call);
  };
  // Stack traces and debuggers keep showing the original name.
  Object.defineProperty(wrapped, 'name', { value: fn.name, configurable: true });
  return wrapped;
}

export function callThrough<R>(call: () => R): R {
  return call();
}

/** The info for this call, or undefined (and a diag warning) when computing it failed: the call then runs untraced. */
function resolveInfo<Info extends object, This, Args extends unknown[]>(
  what: string,
  source: InfoSource<Info, This, Args>,
  self: This,
  args: Args,
): Info | undefined {
  if (typeof source !== 'function') return source;
  try {
    const info = source(self, args);
    if (typeof info === 'object' && info !== null) return info;
    warnOnce(`${what}: the info function returned ${typeof info}; the call ran untraced`);
  } catch (error) {
    warnOnce(`${what}: the info function threw ${errorType(error)}; the call ran untraced`);
  }
  return undefined;
}
