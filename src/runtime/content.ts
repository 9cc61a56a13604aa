/**
 * Privacy of prompts and completions. They are user data: never recorded
 * unless the application opts in. When it does, each text goes through the
 * redaction hook first and is truncated after, so what redaction removes
 * cannot survive in a truncated remainder, and a hook that fails drops the
 * text instead of letting the raw one through. The settings in force are the
 * session's (its binding's `contentCapture`), passed in by the caller.
 */
import { warnOnce } from './diagnostics.ts';
import { flatCopy, truncate } from './strings.ts';

export { truncate };

/** Which text the redaction hook is given: a prompt, a completion, or an error message or stack trace. */
export type ContentKind = 'prompt' | 'completion' | 'error';

export interface ContentCaptureOptions {
  /** Record prompts and completions at all. Default false. */
  readonly enabled: boolean;
  /** Characters kept after redaction; longer text is cut. Default 4096; a positive whole number or Infinity. */
  readonly maxLength?: number;
  /** Rewrites each text before it is recorded (mask e-mail addresses, keys, names). Throwing drops the text. */
  readonly redact?: (text: string, kind: ContentKind) => string;
}

/**
 * Where captured GenAI content goes (`captureContentIn`): the LLM span's `gen_ai.input.messages`,
 * `gen_ai.output.messages` and `gen_ai.system_instructions` (`span`, as before events existed), the
 * `gen_ai.client.inference.operation.details` event instead (`event`), or both. flo_ai's own
 * `llm.request.content` and `llm.response.content` stay on the span: flo_ai has no events.
 */
export const CONTENT_DESTINATIONS = ['span', 'event', 'span_and_event'] as const;
export type ContentDestination = (typeof CONTENT_DESTINATIONS)[number];

export interface ContentCaptureSettings {
  readonly enabled: boolean;
  readonly maxLength: number;
  readonly redact: ((text: string, kind: ContentKind) => string) | undefined;
  /** Where GenAI content goes; `span` when not given. */
  readonly destination?: ContentDestination;
}

/** Whether captured GenAI content goes on the LLM spans. */
export function contentOnSpans(settings: ContentCaptureSettings): boolean {
  return settings.enabled && settings.destination !== 'event';
}

/** Whether captured GenAI content goes in the details event. */
export function contentInEvents(settings: ContentCaptureSettings): boolean {
  return settings.enabled && (settings.destination === 'event' || settings.destination === 'span_and_event');
}

/** Characters kept of a text after redaction, unless the application says otherwise. */
export const DEFAULT_CONTENT_MAX_LENGTH = 4096;

export const CONTENT_CAPTURE_OFF: ContentCaptureSettings = Object.freeze({
  enabled: false,
  maxLength: DEFAULT_CONTENT_MAX_LENGTH,
  redact: undefined,
});

/** A content length limit the kit accepts: a positive whole number, or Infinity for none. */
export function isValidMaxLength(value: unknown): value is number {
  return value === Infinity || (Number.isSafeInteger(value) && (value as number) > 0);
}

/**
 * Content capture options as the helpers read them; a bad maxLength falls back to the default,
 * with a warning (code that binds providers itself passes unchecked options).
 */
export function contentCaptureSettings(options: ContentCaptureOptions | boolean, destination: ContentDestination = 'span'): ContentCaptureSettings {
  const given = typeof options === 'boolean' ? { enabled: options } : options;
  const maxLength = given.maxLength;
  if (maxLength !== undefined && !isValidMaxLength(maxLength)) {
    warnOnce(`content capture: maxLength ${String(maxLength)} is not a positive whole number; using ${DEFAULT_CONTENT_MAX_LENGTH}`);
  }
  return Object.freeze({
    enabled: given.enabled === true,
    maxLength: isValidMaxLength(maxLength) ? maxLength : DEFAULT_CONTENT_MAX_LENGTH,
    redact: typeof given.redact === 'function' ? given.redact : undefined,
    destination: CONTENT_DESTINATIONS.includes(destination) ? destination : contentDestinationProblem(destination),
  });
}

/**
 * The text to record for a prompt or completion: undefined while capture is
 * off, when there is no text, or when redaction failed; otherwise redacted,
 * then truncated.
 */
export function capturedContent(text: string | undefined, kind: ContentKind, settings: ContentCaptureSettings): string | undefined {
  const { enabled, maxLength, redact } = settings;
  if (!enabled || typeof text !== 'string') return undefined;
  const redacted = applyRedaction(text, kind, redact);
  if (redacted === undefined) return undefined;
  const kept = truncate(redacted, maxLength);
  // A hook's result may be cut from a larger string (`text.slice(…)`): keep a copy of its own (strings.ts).
  return kept === redacted && redacted !== text ? flatCopy(kept) : kept;
}

/** Code that binds providers itself passes unchecked options: an unknown destination is reported and the default used. */
function contentDestinationProblem(destination: unknown): ContentDestination {
  warnOnce(`content capture: captureContentIn ${JSON.stringify(destination)} is not one of ${CONTENT_DESTINATIONS.join(', ')}; using span`);
  return 'span';
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


/**
 * Collects streamed completion text for capture. Keeps more than it will
 * record (twice `maxLength`, plus a margin) so the redaction hook sees a
 * secret that straddles the cut whole, yet a huge stream cannot grow it
 * without bound.
 */
export class ContentCollector {
  #text = '';
  readonly #limit: number;

  constructor(maxLength: number) {
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
