export {
  checkConformance,
  KIT_REGISTRY,
  matchTemplate,
  type Deviation,
  type DeviationRule,
  type ObservedEvent,
  type ObservedMetric,
  type ObservedSpan,
  type Registry,
  type Telemetry,
} from './check.ts';
export { fromJaegerSpans, fromReadableLogRecords, fromReadableSpans, fromResourceMetrics, type JaegerSpan } from './adapters.ts';
export { toConformToSpec } from './matcher.ts';
