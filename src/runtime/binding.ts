/**
 * The one piece of mutable state the generated recorders read: which tracer
 * and meter providers telemetry is bound to right now, if any.
 *
 * `@opentelemetry/api` proxies tracers but not meters, so instruments created
 * before the SDK starts would stay no-ops forever (the defect of the Python
 * reference). Instead, generated code asks for the binding on every call and
 * re-creates its cached tracer, meter and instruments whenever `generation`
 * changes. While nothing is bound, a recorder costs one function call and one
 * comparison.
 */
import type { MeterProvider, TracerProvider } from '@opentelemetry/api';

export interface ProviderBinding {
  readonly tracerProvider: TracerProvider;
  readonly meterProvider: MeterProvider;
  /** Changes on every bind, so per-binding caches know when they are stale. */
  readonly generation: number;
}

let current: ProviderBinding | undefined;
let lastGeneration = 0;

/** Points every recorder at these providers, from the next call on. */
export function bindProviders(providers: {
  tracerProvider: TracerProvider;
  meterProvider: MeterProvider;
}): ProviderBinding {
  lastGeneration += 1;
  current = {
    tracerProvider: providers.tracerProvider,
    meterProvider: providers.meterProvider,
    generation: lastGeneration,
  };
  return current;
}

/** Turns every recorder back into a no-op. */
export function unbindProviders(): void {
  current = undefined;
}

/** The providers recorders use now, or `undefined` while telemetry is off. */
export function currentBinding(): ProviderBinding | undefined {
  return current;
}
