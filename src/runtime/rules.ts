/**
 * The value and kind rules the runtime applies and the generator writes into
 * generated code, in one module both import: which values an attribute of a
 * kind takes, which values a metric of an instrument and value type takes,
 * and which member names every generated span class inherits.
 *
 * Each rule is here twice, side by side: as a function the runtime calls,
 * and as the source text of the same test that the generator emits inline
 * (generated recorders and span builders check a value where it is used, with
 * no call into the runtime). test/runtime/rules.test.ts holds the two forms
 * to each other on every kind and every edge value.
 *
 * This module imports nothing: the generator package compiles it and nothing
 * else of the runtime.
 */

export type AttributeKind = 'string' | 'int' | 'double' | 'boolean' | 'string[]' | 'int[]' | 'double[]' | 'boolean[]' | 'any';

export type InstrumentKind = 'counter' | 'updowncounter' | 'histogram' | 'gauge';

export type MetricValueType = 'int' | 'double';

/** Whether `value` is of the attribute kind. */
export function fitsKind(value: unknown, kind: AttributeKind): boolean {
  // A plain switch: this runs for every attribute of every measurement.
  switch (kind) {
    case 'string':
      return typeof value === 'string';
    case 'int':
      return Number.isSafeInteger(value);
    case 'double':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'any':
      return value !== undefined && value !== null && typeof value !== 'function' && typeof value !== 'symbol';
    default:
      return Array.isArray(value) && value.every((item) => fitsKind(item, kind.slice(0, -2) as AttributeKind));
  }
}

/**
 * `fitsKind(value, kind)` as a JavaScript expression over the variable `value`, for the scalar
 * kinds; undefined for arrays and `any`, which generated code leaves to the runtime.
 */
export function kindCheckSource(kind: AttributeKind): string | undefined {
  switch (kind) {
    case 'string':
      return "typeof value === 'string'";
    case 'int':
      return 'Number.isSafeInteger(value)';
    case 'double':
      return "typeof value === 'number' && Number.isFinite(value)";
    case 'boolean':
      return "typeof value === 'boolean'";
    default:
      return undefined;
  }
}

/** Counters and up-down counters add increments; histograms and gauges record measurements. */
export function addsIncrements(instrument: InstrumentKind): boolean {
  return instrument === 'counter' || instrument === 'updowncounter';
}

/** What values a metric takes. */
export interface ValueRule {
  /** Counters only grow and histograms measure sizes and times: no negative values. */
  readonly nonNegative: boolean;
  /** Metrics of value type `int` take whole numbers only. */
  readonly whole: boolean;
}

export function valueRule(instrument: InstrumentKind, valueType: MetricValueType): ValueRule {
  return { nonNegative: instrument === 'counter' || instrument === 'histogram', whole: valueType === 'int' };
}

/** Whether a metric of this rule takes `value`: finite, not negative where values only grow, whole for whole units. */
export function acceptsValue(rule: ValueRule, value: number): boolean {
  return Number.isFinite(value) && !(rule.nonNegative && value < 0) && !(rule.whole && !Number.isInteger(value));
}

/** `acceptsValue(rule, value)` as a JavaScript expression over the variable `value` (a number by its type). */
export function valueRuleSource(rule: ValueRule): string {
  const number = rule.whole ? 'Number.isInteger(value)' : 'Number.isFinite(value)';
  return rule.nonNegative ? `${number} && value >= 0` : number;
}

/** Why a value the rule refuses is refused, for the warning that drops it. */
export function valueProblem(rule: ValueRule, value: number): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return `${String(value)} is not a finite number`;
  if (value < 0 && rule.nonNegative) return `${value} is negative`;
  return `${value} is not a whole number`;
}

/**
 * Every member a generated span class inherits from the runtime's base class
 * (`InstrumentedSpan`, src/runtime/spans.ts): a generated setter of the same
 * name would shadow it, so the generator refuses attributes that would get one.
 */
export const SPAN_BASE_MEMBERS: readonly string[] = ['constructor', 'otelSpan', 'isRecording', 'recordError', 'end', 'setChecked'];
