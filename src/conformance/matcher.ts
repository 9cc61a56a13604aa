/**
 * A test-runner matcher over checkConformance, in the `{ pass, message }`
 * shape vitest and jest both accept:
 *
 *   expect.extend({ toConformToSpec });
 *   expect({ spans, metrics, events }).toConformToSpec();
 */
import { checkConformance, KIT_REGISTRY, type Registry, type Telemetry } from './check.ts';

export function toConformToSpec(received: Telemetry, registry: Registry = KIT_REGISTRY): { pass: boolean; message: () => string } {
  const deviations = checkConformance(received, registry);
  const checked = `${received.spans?.length ?? 0} span(s), ${received.metrics?.length ?? 0} metric(s) and ${received.events?.length ?? 0} event(s)`;
  return {
    pass: deviations.length === 0,
    message: () =>
      deviations.length === 0
        ? `expected ${checked} to deviate from the spec, but they conform`
        : `expected ${checked} to conform to the spec; ${deviations.length} deviation(s):\n${deviations.map((deviation) => `  [${deviation.rule}] ${deviation.message}`).join('\n')}`,
  };
}
