/**
 * Error messages and stack traces are application text: `JSON.parse(completion)`
 * quotes the completion, a database error quotes the row, a validation error
 * the user's input. They reach telemetry in the exception event
 * (`exception.message`, `exception.stacktrace`), the span status message and
 * attributes the spec fills from errors (`error.message`), so they follow the
 * same rule as prompts and completions:
 *
 * - `with-content` (default): recorded only while content capture is on, and
 *   then through its `redact(text, 'error')` hook and cut to its `maxLength`,
 *   exactly like a prompt; otherwise only the error's type is recorded.
 * - `always`: recorded as thrown (errors known to carry no user data).
 * - `never`: the type only, even with content capture on.
 *
 * The error's type (its class name) is always recorded: it is code, not data.
 */
import { capturedContent, type ContentCaptureSettings } from './content.ts';

/**
 * Room for the frames of a stack trace beyond the message it starts with: ten frames (V8's
 * default `Error.stackTraceLimit`) take one or two KB. Bounded, so an error quoting a 100 KB
 * completion does not keep 100 KB alive on every span it fails.
 */
const STACK_FRAMES_ALLOWANCE = 8192;

export const ERROR_MESSAGE_POLICIES = ['with-content', 'always', 'never'] as const;
export type ErrorMessagePolicy = (typeof ERROR_MESSAGE_POLICIES)[number];

/** What of an error may be recorded under the policy in force. */
export interface RecordableError {
  readonly type: string;
  readonly message: string | undefined;
  readonly stack: string | undefined;
}

/** The policies of a session (its binding) that decide what of an error is recorded. */
export interface ErrorTextPolicies {
  readonly errorMessages: ErrorMessagePolicy;
  readonly contentCapture: ContentCaptureSettings;
}

/**
 * What of `error` the policies let through. Without a session's policies (a span made by hand
 * outside any), the type only: the kit never records application text it was not told it may.
 */
export function recordableError(error: unknown, policies: ErrorTextPolicies | undefined): RecordableError {
  const type = errorType(error);
  if (policies === undefined) return { type, message: undefined, stack: undefined };
  if (policies.errorMessages === 'never') return { type, message: undefined, stack: undefined };
  const message = errorMessage(error);
  const stack = stackOf(error);
  if (policies.errorMessages === 'always') return { type, message, stack };
  const content = policies.contentCapture;
  if (!content.enabled) return { type, message: undefined, stack: undefined };
  return {
    type,
    message: capturedContent(message, 'error', content),
    // The stack's first line repeats the message: it goes through the hook too.
    stack: stack === undefined ? undefined : capturedContent(stack, 'error', { ...content, maxLength: content.maxLength + STACK_FRAMES_ALLOWANCE }),
  };
}

/**
 * `error.type` for an error of no known type: the `_OTHER` member the semantic conventions give
 * `error.type`. Spelled here, not imported from the generated attributes, because generated code
 * imports the runtime; test/runtime/error-text.test.ts holds it to the generated constant.
 */
export const ERROR_TYPE_OTHER = '_OTHER';

/**
 * The class of an error: its constructor name when it is a subclass, else its `name`; the name an
 * error-like object gives itself (`{ name: 'AbortError' }`). `_OTHER`, the conventions' value for
 * an error of no known type, for anything else: a thrown string, an object without a prototype,
 * an error whose `name` or `constructor` getter throws.
 */
export function errorType(error: unknown): string {
  try {
    if (error instanceof Error) {
      const constructorName: unknown = error.constructor?.name;
      const type: unknown = typeof constructorName === 'string' && constructorName !== '' && constructorName !== 'Error' ? constructorName : error.name;
      if (typeof type === 'string' && type !== '') return type;
    } else if (typeof error === 'object' && error !== null) {
      const name: unknown = (error as { name?: unknown }).name;
      if (typeof name === 'string' && name !== '') return name;
    }
  } catch {
    // A getter that throws: the type is unknown.
  }
  return ERROR_TYPE_OTHER;
}

/** The raw message of an error; for the kit's own diagnostics, never for telemetry (see `recordableError`). Never throws. */
export function errorMessage(error: unknown): string {
  try {
    if (error instanceof Error) return String(error.message);
    return String(error);
  } catch {
    return `an error of type ${errorType(error)} whose message cannot be read`;
  }
}

function stackOf(error: unknown): string | undefined {
  try {
    return error instanceof Error && typeof error.stack === 'string' ? error.stack : undefined;
  } catch {
    return undefined;
  }
}
