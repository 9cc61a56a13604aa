/**
 * The rules the runtime applies and the generator writes into generated code,
 * in one module both import: which values an attribute of a kind takes, which
 * values a metric of an instrument and value type takes, which member names
 * every generated span class inherits, and the conventions selections the
 * generated tables are indexed by.
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
 * Values converted between units (milliseconds to seconds: a scale of 0.001) are divided by the
 * whole number a scale is the inverse of, which gives the double nearest the exact result where
 * multiplying by 0.001 (not exact in binary) may not; other scales multiply.
 */
function scaleDivisor(scale: number): number | undefined {
  const inverse = Math.round(1 / scale);
  return scale < 1 && inverse > 1 && Math.abs(inverse * scale - 1) < 1e-12 ? inverse : undefined;
}

/** `value` converted by `scale`. */
export function applyScale(value: number, scale: number): number {
  const divisor = scaleDivisor(scale);
  return divisor === undefined ? value * scale : value / divisor;
}

/** `applyScale(value, scale)` as a JavaScript expression over the expression `value`. */
export function scaleSource(value: string, scale: number): string {
  const divisor = scaleDivisor(scale);
  return divisor === undefined ? `${value} * ${scale}` : `${value} / ${divisor}`;
}

/**
 * Every member a generated span class inherits from the runtime's base class
 * (`InstrumentedSpan`, src/runtime/spans.ts): a generated setter of the same
 * name would shadow it, so the generator refuses attributes that would get one.
 */
export const SPAN_BASE_MEMBERS: readonly string[] = ['constructor', 'otelSpan', 'isRecording', 'records', 'recordError', 'end', 'setChecked'];

// ---------------------------------------------------------------------------
// Conventions selections

/**
 * Which names a session emits: flo_ai's own (`flo`), the OpenTelemetry GenAI conventions' (`gen_ai`),
 * or both (`both`, the default).
 */
export const CONVENTIONS = ['flo', 'gen_ai', 'both'] as const;
export type Conventions = (typeof CONVENTIONS)[number];

/**
 * The `OTEL_SEMCONV_STABILITY_OPT_IN` values that change the GenAI part of `gen_ai` and `both`, as
 * OpenTelemetry's instrumentations read them: `gen_ai_latest_experimental` switches from the GenAI
 * conventions of the spec's dependency to the latest, in development, that the spec maps under
 * `annotations.flo.gen_ai.opt_in`.
 */
export const GEN_AI_OPT_INS = ['gen_ai_latest_experimental'] as const;
export type GenAiOptIn = (typeof GEN_AI_OPT_INS)[number];

/** One combination of conventions and GenAI opt-in, as the generated tables are indexed. */
export interface ConventionsSelection {
  readonly conventions: Conventions;
  /** Undefined: the GenAI conventions of the spec's dependency. Always undefined for `flo`, which has no GenAI part. */
  readonly genAiOptIn?: GenAiOptIn;
}

/**
 * Every selection, in the order of the generated tables (`SpanDescriptor.conventions`, the
 * emitters of src/generated/conventions.ts): the generator writes them in this order, the runtime
 * indexes them with `selectionIndex`.
 */
export const SELECTIONS: readonly ConventionsSelection[] = [
  { conventions: 'flo' },
  { conventions: 'gen_ai' },
  { conventions: 'both' },
  { conventions: 'gen_ai', genAiOptIn: 'gen_ai_latest_experimental' },
  { conventions: 'both', genAiOptIn: 'gen_ai_latest_experimental' },
];

/** The index of a selection in SELECTIONS; an opt-in changes nothing for `flo`. */
export function selectionIndex(conventions: Conventions, genAiOptIn: GenAiOptIn | undefined): number {
  const wanted = conventions === 'flo' ? undefined : genAiOptIn;
  return SELECTIONS.findIndex((selection) => selection.conventions === conventions && selection.genAiOptIn === wanted);
}

/** `both`, `gen_ai+gen_ai_latest_experimental`: how a selection is named in docs and messages. */
export function selectionName(selection: ConventionsSelection): string {
  return selection.genAiOptIn === undefined ? selection.conventions : `${selection.conventions}+${selection.genAiOptIn}`;
}
