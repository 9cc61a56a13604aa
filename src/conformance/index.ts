export {
  checkConformance,
  KIT_REGISTRY,
  matchTemplate,
  type Deviation,
  type DeviationRule,
  type ObservedMetric,
  type ObservedSpan,
  type Registry,
  type Telemetry,
} from './check.ts';
export { fromJaegerSpans, fromReadableSpans, fromResourceMetrics, type JaegerSpan } from './adapters.ts';
export { toConformToSpec } from './matcher.ts';
