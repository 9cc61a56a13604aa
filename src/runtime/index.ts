/**
 * Public runtime API of the kit: configure and shut down telemetry, obtain
 * tracers and meters, and the binding the generated recorders read.
 */
export {
  configureTelemetry,
  shutdownTelemetry,
  getTracer,
  getMeter,
  isTelemetryConfigured,
  type TelemetryHandle,
} from './configure.ts';
export {
  TelemetryConfigError,
  TELEMETRY_DEFAULTS,
  type TelemetryLogLevel,
  type TelemetryOptions,
  type TelemetrySettings,
} from './options.ts';
export { SPAN_BATCH_LIMITS } from './exporters.ts';
export { bindProviders, unbindProviders, currentBinding } from './binding.ts';
export type { ProviderBinding } from './binding.ts';
// What generated code needs, for code generated from someone else's spec.
export * from './support.ts';
