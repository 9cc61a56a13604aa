/**
 * The units the spec gives the SDK's own metrics, where the SDK gives another. The OTLP exporters
 * of the OpenTelemetry JS SDK (0.301) record `otel.sdk.exporter.log.inflight` and
 * `otel.sdk.exporter.log.exported` in `{log}`, where the semantic conventions (v1.41.1) say
 * `{log_record}`: a collector that checks units, or Weaver's live-check, sees a mismatch. The
 * exporter is given a meter provider whose meters create those instruments with the unit of the
 * generated descriptor of that name (semconv/runtime.yaml imports them); every other instrument is
 * created exactly as asked.
 */
import type { Meter, MeterOptions, MeterProvider, MetricOptions } from '@opentelemetry/api';

/** A metric's name and the unit the spec gives it. */
export interface SpecUnit {
  readonly name: string;
  readonly unit: string;
}

/** `provider`, its meters creating the instruments of `units` with the spec's unit. */
export function withSpecUnits(provider: MeterProvider, units: readonly SpecUnit[]): MeterProvider {
  const byName = new Map(units.map((metric) => [metric.name, metric.unit]));
  return { getMeter: (name: string, version?: string, options?: MeterOptions) => specUnitMeter(provider.getMeter(name, version, options), byName) };
}

function specUnitMeter(meter: Meter, units: ReadonlyMap<string, string>): Meter {
  const fixed = (name: string, options: MetricOptions | undefined): MetricOptions | undefined => {
    const unit = units.get(name);
    return unit === undefined || options?.unit === unit ? options : { ...options, unit };
  };
  return {
    createCounter: (name, options) => meter.createCounter(name, fixed(name, options)),
    createUpDownCounter: (name, options) => meter.createUpDownCounter(name, fixed(name, options)),
    createHistogram: (name, options) => meter.createHistogram(name, fixed(name, options)),
    createGauge: (name, options) => meter.createGauge(name, fixed(name, options)),
    createObservableCounter: (name, options) => meter.createObservableCounter(name, fixed(name, options)),
    createObservableUpDownCounter: (name, options) => meter.createObservableUpDownCounter(name, fixed(name, options)),
    createObservableGauge: (name, options) => meter.createObservableGauge(name, fixed(name, options)),
    addBatchObservableCallback: (callback, observables) => meter.addBatchObservableCallback(callback, observables),
    removeBatchObservableCallback: (callback, observables) => meter.removeBatchObservableCallback(callback, observables),
  };
}
