/**
 * Everything generated code needs from the runtime, in one module: the
 * generator imports it by a single specifier (`--runtime-import`), this file
 * for the kit's own spec and `@flo-ai/telemetry-kit/runtime` for anyone
 * else's.
 */
export { type AttributeField, type AttributeKind, type AttributeSpec, putSpanAttribute, type SpanWrite, toAttributes } from './attributes.ts';
export type { Attributes, Counter, Gauge, Histogram, UpDownCounter } from '@opentelemetry/api';
export { bindingGeneration } from './binding.ts';
export { CONVENTIONS, GEN_AI_OPT_INS, SELECTIONS, type Conventions, type ConventionsSelection, type GenAiOptIn } from './rules.ts';
export { eventRecorder, type EventBodyOptions, type EventDescriptor, type EventRecorder, type EventRecordOptions } from './events.ts';
export { metricRecorder, type InstrumentKind, type MetricDescriptor, type MetricLane, type MetricRecorder, type SyncInstrument } from './metrics.ts';
export { perBinding, type InstrumentationScope } from './scope.ts';
export { unnamedSpanName } from './span-names.ts';
export {
  errorMessage,
  errorType,
  InstrumentedSpan,
  requiredLeftOut,
  runInSpan,
  scopeTracer,
  type OutcomeHooks,
  startOtelSpan,
  spanEmitted,
  spanRecords,
  type SpanConventions,
  type SpanDescriptor,
  type SpanKindName,
  type SpanStartOptions,
} from './spans.ts';
