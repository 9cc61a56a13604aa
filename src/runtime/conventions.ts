/**
 * Which naming conventions the kit emits: flo_ai's own names (what existing
 * flo_ai dashboards and queries use), the OpenTelemetry GenAI ones (what
 * GenAI-aware backends read), or both. Both is the default, so neither
 * audience loses anything; `configureTelemetry({ conventions })` changes it.
 */
export const CONVENTIONS = ['flo', 'gen_ai', 'both'] as const;
export type Conventions = (typeof CONVENTIONS)[number];

let current: Conventions = 'both';

export function setConventions(conventions: Conventions): void {
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
