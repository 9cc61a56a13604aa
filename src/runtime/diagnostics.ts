/**
 * Reports bad values handed to recorders through the OpenTelemetry
 * diagnostic logger, once per distinct problem, so a hot loop with a bug in
 * it cannot flood the application's logs.
 */
import { diag } from '@opentelemetry/api';

const MAX_REMEMBERED = 1000;
const reported = new Set<string>();

export function warnOnce(problem: string): void {
  if (reported.has(problem)) return;
  if (reported.size < MAX_REMEMBERED) reported.add(problem);
  try {
    diag.warn(`flo telemetry: ${problem}`);
  } catch {
    // A diagnostic logger that throws must not turn a dropped value into an application error.
  }
}

/** Runs telemetry work whose failure must never reach framework code. */
export function guarded(what: string, work: () => void): void {
  try {
    work();
  } catch (error) {
    warnFailed(what, error);
  }
}

/** Reports telemetry work that failed: what guarded() says, for a hot path that spells out its try. */
export function warnFailed(what: string, error: unknown): void {
  warnOnce(`${what} failed: ${error instanceof Error ? error.message : String(error)}`);
}

/** For tests: forget which problems were reported. */
export function resetReportedProblems(): void {
  reported.clear();
}
