/**
 * Generic machinery behind the generated metric recorders: instruments are
 * created from the meter bound at call time (re-created when telemetry is
 * reconfigured), and each value is checked before it is recorded.
 */
import type { Attributes, Counter, Gauge, Histogram, Meter, UpDownCounter } from '@opentelemetry/api';
import { ValueType } from '@opentelemetry/api';
import { type AttributeField, measurementAttributes } from './attributes.ts';
import type { InstrumentationScope } from './scope.ts';
import { currentBinding, type ProviderBinding } from './binding.ts';
import { warnOnce } from './diagnostics.ts';
import { errorMessage } from './error-text.ts';
import { acceptsValue, valueProblem, valueRule, type InstrumentKind, type ValueRule } from './rules.ts';

export type { InstrumentKind } from './rules.ts';

/** A metric as the spec declares it (generated into src/generated/metrics.ts). */
export interface MetricDescriptor {
  readonly name: string;
  readonly instrument: InstrumentKind;
  readonly unit: string;
  readonly description: string;
  readonly valueType: 'int' | 'double';
  readonly explicitBucketBoundaries?: readonly number[];
  readonly fields: readonly AttributeField[];
  /**
   * Whether an attributes object holds `values` (one per field, in `fields` order): what the
   * generator emits, one named read per field, so a recorder recognises a repeated attribute set
   * without keyed reads that every metric's shapes make slow. False, never a throw, for no object
   * or a getter that throws: the recorder then reads the attributes again and reports it. Typed
   * over the metric's own attributes interface where generated. It compares by position in
   * `fields`: a descriptor made from another with different `fields` must leave it out.
   */
  readonly sameValues?: (attributes: never, values: readonly unknown[]) => boolean;
}

/**
 * An attribute set a recorder built, the values it was built from (one per field, in `fields`
 * order), and the instrument and session it was recorded into: what a generated recorder needs
 * to record the same set again without calling into the runtime.
 */
export interface MetricLane<I> {
  /** The binding `instrument` came from: the lane is stale once another one is bound. */
  readonly generation: number;
  readonly values: readonly unknown[];
  readonly attributes: Attributes;
  readonly instrument: I;
}

/** The instruments a recorder records into: counters add, histograms and gauges record. */
export type SyncInstrument = Counter | UpDownCounter | Histogram | Gauge;

/** What a generated `record…` recorder delegates to. */
export interface MetricRecorder<A extends object, I extends SyncInstrument = SyncInstrument> {
  /**
   * The set recorded last, with its instrument. A generated recorder whose call repeats it (its
   * metric's comparison, a value the instrument takes, the binding still `generation`) hands
   * `attributes` to `instrument` itself: one function between the caller and the SDK, as in
   * hand-written code. With this recorder's shared code called in between as well, V8 inlined
   * less of the SDK: two points took 150-200 ns longer than the same SDK calls made directly,
   * where one function per metric doing the same checks took no longer.
   */
  readonly lane: MetricLane<I> | undefined;
  /** Checks and records one value: the set built before for the same values, else a new one, checked. */
  record(value: number, attributes: A): void;
  /** Reports that recording through the lane threw; the caller never sees it. */
  failed(error: unknown): void;
}

/** The recorder of one metric: its instrument from the meter bound at call time, undefined while metrics are off. */
export function metricRecorder<A extends object, I extends SyncInstrument = SyncInstrument>(scope: InstrumentationScope, metric: MetricDescriptor): MetricRecorder<A, I> {
  return new Recorder<A, I>(scope, metric);
}

class Recorder<A extends object, I extends SyncInstrument> implements MetricRecorder<A, I> {
  lane: MetricLane<I> | undefined;
  readonly #scope: InstrumentationScope;
  readonly #metric: MetricDescriptor;
  readonly #rule: ValueRule;
  readonly #recent: RecentAttributes<I>;
  /** The binding the instrument below was made from; -1 before the first call. */
  #generation = -1;
  /** Undefined while metrics are off: the recorder then returns before any check (spans only). */
  #instrument: Instrument | undefined;

  constructor(scope: InstrumentationScope, metric: MetricDescriptor) {
    this.#scope = scope;
    this.#metric = metric;
    this.#rule = valueRule(metric.instrument, metric.valueType);
    this.#recent = new RecentAttributes<I>(metric.fields, metric.sameValues);
  }

  record(value: number, attributes: A): void {
    try {
      const binding = currentBinding();
      if (binding === undefined) return;
      if (binding.generation !== this.#generation) this.#bind(binding);
      const instrument = this.#instrument;
      if (instrument === undefined || !acceptable(this.#metric, this.#rule, value)) return;
      const checked = this.#recognised(attributes, instrument);
      if (checked === undefined) return;
      if (instrument.adds) instrument.counter.add(value, checked);
      else instrument.recorder.record(value, checked);
    } catch (error) {
      this.failed(error);
    }
  }

  failed(error: unknown): void {
    warnOnce(`${this.#metric.name}: recording failed: ${errorMessage(error)}`);
  }

  #bind(binding: ProviderBinding): void {
    const scope = this.#scope;
    this.#instrument = binding.recordMetrics ? createInstrument(binding.meterProvider.getMeter(scope.name, scope.version, { schemaUrl: scope.schemaUrl }), this.#metric) : undefined;
    this.#generation = binding.generation;
    // The sets remembered so far carry the old instrument: forgotten, rebuilt once each.
    this.#recent.clear();
    this.lane = undefined;
  }

  /** The set built before for the same values, else a new one, checked (undefined: the point is dropped). */
  #recognised(attributes: A, instrument: Instrument): Attributes | undefined {
    const found = this.#recent.find(attributes);
    if (found !== undefined) {
      this.lane = found;
      return found.attributes;
    }
    const built = measurementAttributes(this.#metric.fields, attributes, this.#metric.name);
    const remembered = this.#recent.remember(attributes, built, this.#generation, (instrument.adds ? instrument.counter : instrument.recorder) as I);
    if (remembered === undefined) return built;
    this.lane = remembered;
    return remembered.attributes;
  }
}

const RECENT_SETS = 8;

/**
 * The attribute sets a recorder built last, with the values they were built from. Most data
 * points repeat one of a few sets (the same model and provider, a success status), and a
 * repeated set needs neither checking nor a new object: the one built before is handed to the
 * SDK again. Only sets of primitive values that passed every check are kept (an object or array
 * could change under the same reference; a set that was reported is checked again, as before),
 * frozen, so what the SDK keeps of them cannot change either.
 */
class RecentAttributes<I> {
  readonly #properties: readonly string[];
  readonly #required: readonly boolean[];
  readonly #sameValues: ((attributes: never, values: readonly unknown[]) => boolean) | undefined;
  readonly #sets: MetricLane<I>[] = [];
  #next = 0;

  constructor(fields: readonly AttributeField[], sameValues: ((attributes: never, values: readonly unknown[]) => boolean) | undefined) {
    this.#properties = fields.map((field) => field.property);
    this.#required = fields.map((field) => field.required);
    this.#sameValues = sameValues;
  }

  find(input: object | undefined): MetricLane<I> | undefined {
    if (input === undefined || input === null) return undefined;
    const sameValues = this.#sameValues;
    const sets = this.#sets;
    if (sameValues !== undefined) {
      for (let entry = 0; entry < sets.length; entry += 1) {
        if (sameValues(input as never, (sets[entry] as MetricLane<I>).values)) return sets[entry];
      }
      return undefined;
    }
    const source = input as Record<string, unknown>;
    const properties = this.#properties;
    for (let entry = 0; entry < sets.length; entry += 1) {
      const values = (sets[entry] as MetricLane<I>).values;
      let same = true;
      for (let index = 0; index < properties.length; index += 1) {
        if (source[properties[index] as string] !== values[index]) {
          same = false;
          break;
        }
      }
      if (same) return sets[entry];
    }
    return undefined;
  }

  /** Keeps `built` with the values it came from, when it may be handed out again; undefined when it may not. */
  remember(input: object | undefined, built: Attributes | undefined, generation: number, instrument: I): MetricLane<I> | undefined {
    if (built === undefined || input === undefined || input === null) return undefined;
    const source = input as Record<string, unknown>;
    const values: unknown[] = [];
    let present = 0;
    for (let index = 0; index < this.#properties.length; index += 1) {
      const value = source[this.#properties[index] as string];
      // Objects and arrays may change under the same reference; a missing required value was reported.
      if (value === null || typeof value === 'object' || typeof value === 'function') return undefined;
      if (value === undefined && this.#required[index] === true) return undefined;
      if (value !== undefined) present += 1;
      values.push(value);
    }
    // Every value given made it into the set unchanged (none dropped, none reported).
    if (Object.keys(built).length !== present) return undefined;
    const remembered: MetricLane<I> = Object.freeze({ generation, values: Object.freeze(values), attributes: Object.freeze(built), instrument });
    this.#sets[this.#next] = remembered;
    this.#next = (this.#next + 1) % RECENT_SETS;
    return remembered;
  }

  clear(): void {
    this.#sets.length = 0;
    this.#next = 0;
  }
}

/**
 * The metric's instrument, its kind settled when it is created: a recorder calls `add` or
 * `record` on it directly, each call site seeing one SDK class.
 */
type Instrument =
  | { readonly adds: true; readonly counter: Counter | UpDownCounter; readonly recorder: undefined }
  | { readonly adds: false; readonly counter: undefined; readonly recorder: Histogram | Gauge };

function createInstrument(meter: Meter, metric: MetricDescriptor): Instrument {
  const options = {
    description: metric.description,
    unit: metric.unit,
    valueType: metric.valueType === 'int' ? ValueType.INT : ValueType.DOUBLE,
  };
  switch (metric.instrument) {
    case 'counter':
      return { adds: true, counter: meter.createCounter(metric.name, options), recorder: undefined };
    case 'updowncounter':
      return { adds: true, counter: meter.createUpDownCounter(metric.name, options), recorder: undefined };
    case 'gauge':
      return { adds: false, counter: undefined, recorder: meter.createGauge(metric.name, options) };
    default: {
      const boundaries = metric.explicitBucketBoundaries;
      const advice = boundaries ? { explicitBucketBoundaries: [...boundaries] } : undefined;
      return { adds: false, counter: undefined, recorder: meter.createHistogram(metric.name, { ...options, advice }) };
    }
  }
}

/** Drops what the instrument cannot mean (rules.ts): NaN, infinities, negatives where values only grow, fractions of whole units. */
function acceptable(metric: MetricDescriptor, rule: ValueRule, value: number): boolean {
  if (acceptsValue(rule, value)) return true;
  warnOnce(`${metric.name}: dropped a measurement: ${valueProblem(rule, value)}`);
  return false;
}
