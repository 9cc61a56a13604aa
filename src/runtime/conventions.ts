/**
 * Which naming conventions the kit emits: flo_ai's own names (what existing
 * flo_ai dashboards and queries use), the OpenTelemetry GenAI ones (what
 * GenAI-aware backends read), or both. Both is the default, so neither
 * audience loses anything; `configureTelemetry({ conventions })` changes it.
 */
import { warnOnce } from './diagnostics.ts';

export const CONVENTIONS = ['flo', 'gen_ai', 'both'] as const;
export type Conventions = (typeof CONVENTIONS)[number];

let current: Conventions = 'both';

/**
 * Sets the conventions emitted from now on. An unknown value (from untyped
 * code) is reported through diag and ignored: recorders never throw.
 */
export function setConventions(conventions: Conventions): void {
  if (!CONVENTIONS.includes(conventions)) {
    warnOnce(`unknown conventions ${JSON.stringify(conventions)} ignored; expected one of ${CONVENTIONS.join(', ')}`);
    return;
  }
  current = conventions;
}

export function emittedConventions(): Conventions {
  return current;
}

export function emitsFlo(): boolean {
  return current !== 'gen_ai';
}

export function emitsGenAi(): boolean {
  return current !== 'flo';
}
