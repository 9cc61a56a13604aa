/**
 * Which naming conventions the kit emits: flo_ai's own names (what existing
 * flo_ai dashboards and queries use), the OpenTelemetry GenAI ones (what
 * GenAI-aware backends read), or both. Both is the default, so neither
 * audience loses anything; `configureTelemetry({ conventions })` changes it
 * as part of the session (see binding.ts).
 */
import { currentPolicies, updatePolicies } from './binding.ts';
import { warnOnce } from './diagnostics.ts';

export const CONVENTIONS = ['flo', 'gen_ai', 'both'] as const;
export type Conventions = (typeof CONVENTIONS)[number];

/**
 * Sets the conventions of the current binding and of later `bindProviders()`
 * calls that do not name their own. An unknown value (from untyped code) is
 * reported through diag and ignored: recorders never throw.
 */
export function setConventions(conventions: Conventions): void {
  if (!CONVENTIONS.includes(conventions)) {
    warnOnce(`unknown conventions ${JSON.stringify(conventions)} ignored; expected one of ${CONVENTIONS.join(', ')}`);
    return;
  }
  updatePolicies({ conventions });
}

export function emittedConventions(): Conventions {
  return currentPolicies().conventions;
}

export function emitsFlo(): boolean {
  return currentPolicies().conventions !== 'gen_ai';
}

export function emitsGenAi(): boolean {
  return currentPolicies().conventions !== 'flo';
}
