/**
 * Cutting text that the kit keeps: prompts and completions under content
 * capture, error messages, span values cut to fit an export request.
 *
 * `String.prototype.slice` gives V8 a sliced string that points into the
 * original: a 4 KB cut of a 100 KB prompt keeps all 100 KB alive for as long
 * as the span is held (400 such spans: +40 MB of heap instead of +2 MB). Every
 * cut the kit keeps is therefore a flat copy of its own.
 */

/** The first `maxLength` UTF-16 units of `text`, without splitting a surrogate pair (which would export as U+FFFD), as a string of its own. */
export function truncate(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  const end = maxLength > 0 && isHighSurrogate(text.charCodeAt(maxLength - 1)) ? maxLength - 1 : maxLength;
  return flatCopy(text.slice(0, end));
}

/**
 * A copy of `text` that shares no memory with the string it was cut from.
 * structuredClone serialises the string and reads a new one back: faster than
 * a Buffer round trip (2-5 µs for 4 KB), and lone surrogates survive it
 * unchanged. test/runtime/content-memory.test.ts proves the original is freed.
 */
export function flatCopy(text: string): string {
  return structuredClone(text);
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
