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
  const stack = error instanceof Error && typeof error.stack === 'string' ? error.stack : undefined;
  if (policies.errorMessages === 'always') return { type, message, stack };
  const content = policies.contentCapture;
  if (!content.enabled) return { type, message: undefined, stack: undefined };
  return {
    type,
    message: capturedContent(message, 'error', content),
    // The stack's first line repeats the message: it goes through the hook too.
    stack: stack === undefined ? undefined : capturedContent(stack, 'error', { ...content, maxLength: Infinity }),
  };
}

/** The class of an error: its constructor name when it is a subclass, else its `name`. */
export function errorType(error: unknown): string {
  if (error instanceof Error) {
    const constructorName = error.constructor?.name;
    return constructorName && constructorName !== 'Error' ? constructorName : error.name;
  }
  return typeof error;
}

/** The raw message of an error; for the kit's own diagnostics, never for telemetry (see `recordableError`). */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
