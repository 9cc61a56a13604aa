/**
 * Readers of plain provider objects that take nothing on trust: each returns
 * undefined for a value of the wrong type, and never throws on its own (the
 * exported functions of this folder still guard against throwing getters and
 * proxies, since reading any property of a foreign object can throw).
 */

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null;
}

/** The object at `value`, or undefined. */
export function object(value: unknown): Json | undefined {
  return isObject(value) && !Array.isArray(value) ? value : undefined;
}

/** A non-empty string. */
export function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** A string, empty ones included (message content may legitimately be ""). */
export function anyText(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** A finite number. */
export function finite(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** A safe integer (seeds may be negative). */
export function integer(value: unknown): number | undefined {
  return Number.isSafeInteger(value) ? (value as number) : undefined;
}

/** A non-negative safe integer (token limits, counts). */
export function count(value: unknown): number | undefined {
  const result = integer(value);
  return result !== undefined && result >= 0 ? result : undefined;
}

export function boolean(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}

export function array(value: unknown): unknown[] | undefined {
  return Array.isArray(value) ? value : undefined;
}

/** A string or a list of strings as a list of its non-empty strings; undefined when none. */
export function strings(value: unknown): string[] | undefined {
  const list = typeof value === 'string' ? [value] : Array.isArray(value) ? value : undefined;
  const kept = list?.filter((item): item is string => typeof item === 'string' && item.length > 0);
  return kept === undefined || kept.length === 0 ? undefined : kept;
}

export function first<T>(...values: Array<T | undefined>): T | undefined {
  // A plain loop: find() would allocate a closure on every response read.
  for (const value of values) if (value !== undefined) return value;
  return undefined;
}

/** Runs a reader over a foreign object; a getter or proxy trap that throws means "nothing known". */
export function guard<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}

/** The object without its undefined fields, so results compare and serialise cleanly. */
export function defined<T extends object>(value: T): T {
  // A plain loop: this runs on every response read (Object.entries and fromEntries allocate three arrays).
  const kept: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const field = (value as Record<string, unknown>)[key];
    if (field !== undefined) kept[key] = field;
  }
  return kept as T;
}
