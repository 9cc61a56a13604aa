/**
 * Per-binding caches for the generated code: a tracer, a meter's instrument,
 * anything derived from the providers bound now. Re-derived when telemetry is
 * reconfigured; undefined (and nearly free) while it is off.
 */
import { currentBinding, type ProviderBinding } from './binding.ts';

/** The instrumentation scope a spec's signals are emitted under (from its registry manifest). */
export interface InstrumentationScope {
  readonly name: string;
  readonly version: string;
  readonly schemaUrl?: string;
}

export function perBinding<T>(derive: (binding: ProviderBinding) => T): () => T | undefined {
  let generation = 0;
  let value: T | undefined;
  return () => {
    const binding = currentBinding();
    if (binding === undefined) return undefined;
    if (binding.generation !== generation) {
      value = derive(binding);
      generation = binding.generation;
    }
    return value;
  };
}
