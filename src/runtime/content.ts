/**
 * Privacy of prompts and completions. They are user data: never recorded
 * unless the application opts in. When it does, each text goes through the
 * redaction hook first and is truncated after, so what redaction removes
 * cannot survive in a truncated remainder, and a hook that fails drops the
 * text instead of letting the raw one through.
 */
import { warnOnce } from './diagnostics.ts';

export type ContentKind = 'prompt' | 'completion';

export interface ContentCaptureOptions {
  /** Record prompts and completions at all. Default false. */
  readonly enabled: boolean;
  /** Characters kept after redaction; longer text is cut. Default 4096; a positive whole number or Infinity. */
  readonly maxLength?: number;
  /** Rewrites each text before it is recorded (mask e-mail addresses, keys, names). Throwing drops the text. */
  readonly redact?: (text: string, kind: ContentKind) => string;
}

export interface ContentCaptureSettings {
  readonly enabled: boolean;
  readonly maxLength: number;
  readonly redact: ((text: string, kind: ContentKind) => string) | undefined;
}

export const DEFAULT_CONTENT_MAX_LENGTH = 4096;

const DISABLED: ContentCaptureSettings = Object.freeze({ enabled: false, maxLength: DEFAULT_CONTENT_MAX_LENGTH, redact: undefined });

let settings: ContentCaptureSettings = DISABLED;

/** Turns content capture on or off for every instrumented call from now on. `configureTelemetry({ captureContent })` calls this. */
export function setContentCapture(options: ContentCaptureOptions | boolean): void {
  const given = typeof options === 'boolean' ? { enabled: options } : options;
  settings = Object.freeze({
    enabled: given.enabled === true,
    maxLength: validMaxLength(given.maxLength),
    redact: typeof given.redact === 'function' ? given.redact : undefined,
  });
}

export function contentCapture(): ContentCaptureSettings {
  return settings;
}

/** Back to the default: nothing captured. */
export function resetContentCapture(): void {
  settings = DISABLED;
}

/**
 * The text to record for a prompt or completion: undefined while capture is
 * off, when there is no text, or when redaction failed; otherwise redacted,
 * then truncated.
 */
export function capturedContent(text: string | undefined, kind: ContentKind): string | undefined {
  const { enabled, maxLength, redact } = settings;
  if (!enabled || typeof text !== 'string') return undefined;
  const redacted = applyRedaction(text, kind, redact);
  return redacted === undefined ? undefined : truncate(redacted, maxLength);
}

function applyRedaction(text: string, kind: ContentKind, redact: ContentCaptureSettings['redact']): string | undefined {
  if (redact === undefined) return text;
  try {
    const result = redact(text, kind);
    if (typeof result === 'string') return result;
    warnOnce(`content capture: the redact hook returned ${typeof result} for a ${kind}, not a string; the ${kind} was not recorded`);
  } catch (error) {
    // The message names the failure only: the text itself must not reach the logs either.
    warnOnce(`content capture: the redact hook threw ${error instanceof Error ? error.name : typeof error} for a ${kind}; the ${kind} was not recorded`);
  }
  return undefined;
}

/** Cuts to at most `maxLength` UTF-16 units without splitting a surrogate pair (which would export as U+FFFD). */
export function truncate(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  const end = isHighSurrogate(text.charCodeAt(maxLength - 1)) ? maxLength - 1 : maxLength;
  return text.slice(0, end);
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function validMaxLength(value: number | undefined): number {
  if (value === undefined) return DEFAULT_CONTENT_MAX_LENGTH;
  if (value === Infinity || (Number.isSafeInteger(value) && value > 0)) return value;
  warnOnce(`content capture: maxLength ${String(value)} is not a positive whole number; using ${DEFAULT_CONTENT_MAX_LENGTH}`);
  return DEFAULT_CONTENT_MAX_LENGTH;
}

/**
 * Collects streamed completion text for capture. Keeps more than it will
 * record (twice `maxLength`, plus a margin) so the redaction hook sees a
 * secret that straddles the cut whole, yet a huge stream cannot grow it
 * without bound.
 */
export class ContentCollector {
  #text = '';
  readonly #limit: number;

  constructor(maxLength: number = settings.maxLength) {
    this.#limit = maxLength === Infinity ? Infinity : maxLength * 2 + 1024;
  }

  add(piece: string | undefined): void {
    if (typeof piece !== 'string' || this.#text.length >= this.#limit) return;
    this.#text += piece;
  }

  get text(): string {
    return this.#text;
  }
}
