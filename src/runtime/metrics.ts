/**
 * Generic machinery behind the generated metric recorders: instruments are
 * created from the meter bound at call time (re-created when telemetry is
 * reconfigured), and each value is checked before it is recorded.
 */
import type { Attributes, Counter, Gauge, Histogram, Meter, UpDownCounter } from '@opentelemetry/api';
import { ValueType } from '@opentelemetry/api';
import { type AttributeField, measurementAttributes } from './attributes.ts';
import { perBinding, type InstrumentationScope } from './scope.ts';
import { warnOnce } from './diagnostics.ts';

export type InstrumentKind = 'counter' | 'updowncounter' | 'histogram' | 'gauge';

/** A metric as the spec declares it (generated into src/generated/metrics.ts). */
export interface MetricDescriptor {
  readonly name: string;
  readonly instrument: InstrumentKind;
  readonly unit: string;
  readonly description: string;
  readonly valueType: 'int' | 'double';
  readonly explicitBucketBoundaries?: readonly number[];
  readonly fields: readonly AttributeField[];
}

type AnyInstrument = Counter | UpDownCounter | Histogram | Gauge;

export type MetricRecorder<A extends object> = (value: number, attributes: A) => void;

/** The function a generated `record…` recorder delegates to. */
export function metricRecorder<A extends object>(scope: InstrumentationScope, metric: MetricDescriptor): MetricRecorder<A> {
  const instrument = perBinding((binding) =>
    createInstrument(binding.meterProvider.getMeter(scope.name, scope.version, { schemaUrl: scope.schemaUrl }), metric),
  );
  return (value, attributes) => {
    try {
      const target = instrument();
      if (target === undefined || !acceptable(metric, value)) return;
      const checked = measurementAttributes(metric.fields, attributes, metric.name);
      if (checked !== undefined) record(target, value, checked);
    } catch (error) {
      warnOnce(`${metric.name}: recording failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
}

function createInstrument(meter: Meter, metric: MetricDescriptor): AnyInstrument {
  const options = {
    description: metric.description,
    unit: metric.unit,
    valueType: metric.valueType === 'int' ? ValueType.INT : ValueType.DOUBLE,
  };
  switch (metric.instrument) {
    case 'counter':
      return meter.createCounter(metric.name, options);
    case 'updowncounter':
      return meter.createUpDownCounter(metric.name, options);
    case 'gauge':
      return meter.createGauge(metric.name, options);
    default: {
      const boundaries = metric.explicitBucketBoundaries;
      const advice = boundaries ? { explicitBucketBoundaries: [...boundaries] } : undefined;
      return meter.createHistogram(metric.name, { ...options, advice });
    }
  }
}

/** Drops what the instrument cannot mean: NaN, infinities, negatives where values only grow, fractions of whole units. */
function acceptable(metric: MetricDescriptor, value: number): boolean {
  let problem: string | undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) problem = `${String(value)} is not a finite number`;
  else if (value < 0 && (metric.instrument === 'counter' || metric.instrument === 'histogram')) problem = `${value} is negative`;
  else if (metric.valueType === 'int' && !Number.isInteger(value)) problem = `${value} is not a whole number`;
  if (problem === undefined) return true;
  warnOnce(`${metric.name}: dropped a measurement: ${problem}`);
  return false;
}

function record(instrument: AnyInstrument, value: number, attributes: Attributes): void {
  if ('add' in instrument) instrument.add(value, attributes);
  else instrument.record(value, attributes);
}
