/**
 * Public runtime API of the kit: configure and shut down telemetry, obtain
 * tracers and meters, and the binding the generated recorders read.
 */
export {
  configureTelemetry,
  shutdownTelemetry,
  getTracer,
  getMeter,
  getLogger,
  isTelemetryConfigured,
  type TelemetryHandle,
} from './configure.ts';
export {
  TelemetryConfigError,
  TELEMETRY_DEFAULTS,
  type ConsoleFormat,
  type TelemetryLogLevel,
  type TelemetryOptions,
  type TelemetrySettings,
} from './settings.ts';
export { SPAN_BATCH_LIMITS } from './exporters.ts';
export { CompactConsoleLogRecordExporter, CompactConsoleMetricExporter, CompactConsoleSpanExporter, formatLogRecords, formatMetrics, formatSpanTree } from './console.ts';
export { ERROR_MESSAGE_POLICIES, type ErrorMessagePolicy } from './error-text.ts';
export { type ContentCaptureOptions, type ContentCaptureSettings, type ContentDestination, type ContentKind } from './content.ts';
export { bindProviders, contentCapture, currentSession, resetContentCapture, setContentCapture, setConventions, unbindProviders, type BindOptions, type KitBinding } from './bind.ts';
export { currentBinding } from './binding.ts';
export { mergeSdkInferenceSpans, SDK_INFERENCE_SCOPES } from './sdk-inference-spans.ts';
export type { ProviderBinding, TelemetryPolicies } from './binding.ts';
// What generated code needs, for code generated from someone else's spec.
export * from './support.ts';
