/**
 * The kit's own data in a registry lives under `annotations.flo` (and the
 * value type of a metric under Weaver's `annotations.code_generation`), so
 * that any tool that reads the standard format accepts the registry. This
 * module reads and checks those keys; docs/spec-format.md documents them.
 */
import { ERROR_SOURCES, VALUE_TYPES, type Equivalent, type ErrorSource, type Severity, type SourceLocation, type ValueType } from './model.ts';
import type { Problems } from './problems.ts';
import { severityAnnotation } from './severity.ts';

export const KIT_ANNOTATION = 'flo';

const ATTRIBUTE_KEYS = ['code_name', 'equivalent', 'on_error', 'closed', 'unit'];
const REFERENCE_KEYS = ['on_error', 'value'];
const SPAN_KEYS = ['span_name', 'equivalent'];
/** `records` is read where the conventions tables are built (scripts/codegen/conventions.ts). */
const METRIC_KEYS = ['explicit_bucket_boundaries', 'records'];
/** Of events: their severity; `records` as for metrics. */
const EVENT_KEYS = ['severity', 'records'];

type Annotations = Readonly<Record<string, unknown>>;

/** The `flo` mapping of an annotations object, with its keys checked. */
function kitAnnotations(annotations: Annotations | undefined, allowed: readonly string[], what: string, location: SourceLocation, problems: Problems): Record<string, unknown> {
  const value = annotations?.[KIT_ANNOTATION];
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.add(location, 'wrong-type', `annotations.${KIT_ANNOTATION} of ${what} must be a mapping`);
    return {};
  }
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      problems.add(location, 'unknown-key', `unknown key "${key}" in annotations.${KIT_ANNOTATION} of ${what} (allowed: ${allowed.join(', ')})`);
    }
  }
  return value as Record<string, unknown>;
}

export interface AttributeAnnotations {
  readonly codeName?: string;
  readonly unit?: string;
  readonly equivalent?: Equivalent;
  readonly onError?: ErrorSource;
  readonly closed: boolean;
}

export function attributeAnnotations(annotations: Annotations | undefined, what: string, location: SourceLocation, problems: Problems): AttributeAnnotations {
  const flo = kitAnnotations(annotations, ATTRIBUTE_KEYS, what, location, problems);
  const closed = flo.closed ?? false;
  if (typeof closed !== 'boolean') problems.add(location, 'wrong-type', `annotations.flo.closed of ${what} must be true or false`);
  return {
    codeName: optionalString(flo.code_name, 'code_name', what, location, problems),
    unit: optionalString(flo.unit, 'unit', what, location, problems),
    equivalent: equivalentOf(flo.equivalent, what, location, problems),
    onError: onErrorOf(flo.on_error, what, location, problems),
    closed: closed === true,
  };
}

export interface ReferenceAnnotations {
  readonly onError?: ErrorSource;
  /** The value the signal always gives the attribute (`annotations.flo.value`): generated helpers set it themselves. */
  readonly value?: string | number | boolean;
}

export function referenceAnnotations(annotations: Annotations | undefined, what: string, location: SourceLocation, problems: Problems): ReferenceAnnotations {
  const flo = kitAnnotations(annotations, REFERENCE_KEYS, what, location, problems);
  const value = flo.value;
  if (value !== undefined && typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
    problems.add(location, 'wrong-type', `annotations.flo.value of ${what} must be a string, a number or a boolean`);
  }
  return {
    onError: onErrorOf(flo.on_error, what, location, problems),
    value: typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : undefined,
  };
}

export function spanNameTemplate(annotations: Annotations | undefined, what: string, location: SourceLocation, problems: Problems): string | undefined {
  return optionalString(kitAnnotations(annotations, SPAN_KEYS, what, location, problems).span_name, 'span_name', what, location, problems);
}

/** The GenAI span a kit span corresponds to, and the name it takes when GenAI conventions are emitted. */
export interface SpanEquivalent {
  readonly span: string;
  readonly spanName: string;
  /** The same for each opt-in, as written (checked against the opt-in's registry in scripts/codegen/conventions.ts). */
  readonly optIn?: Readonly<Record<string, unknown>>;
}

export function spanEquivalent(annotations: Annotations | undefined, what: string, location: SourceLocation, problems: Problems): SpanEquivalent | undefined {
  const value = kitAnnotations(annotations, SPAN_KEYS, what, location, problems).equivalent;
  if (value === undefined) return undefined;
  const { span, span_name: spanName, opt_in: optIn, ...rest } = (typeof value === 'object' && value !== null ? value : {}) as { span?: unknown; span_name?: unknown; opt_in?: unknown };
  if (typeof span !== 'string' || typeof spanName !== 'string' || span === '' || spanName.trim() === '' || Object.keys(rest).length > 0) {
    problems.add(location, 'wrong-type', `annotations.flo.equivalent of ${what} must be { span: <span group id>, span_name: <name template>, opt_in?: { <token>: { span, span_name } } }`);
    return undefined;
  }
  if (optIn !== undefined && (typeof optIn !== 'object' || optIn === null || Array.isArray(optIn))) {
    problems.add(location, 'wrong-type', `annotations.flo.equivalent.opt_in of ${what} must be a mapping of opt-in names to { span, span_name }`);
    return { span, spanName };
  }
  return { span, spanName, optIn: optIn as Record<string, unknown> | undefined };
}

export interface MetricAnnotations {
  readonly valueType?: ValueType;
  readonly explicitBucketBoundaries?: readonly number[];
}

export function metricAnnotations(annotations: Annotations | undefined, what: string, location: SourceLocation, problems: Problems): MetricAnnotations {
  const flo = kitAnnotations(annotations, METRIC_KEYS, what, location, problems);
  const codeGeneration = annotations?.code_generation as Record<string, unknown> | undefined;
  const valueType = codeGeneration?.metric_value_type;
  if (valueType !== undefined && !(VALUE_TYPES as readonly unknown[]).includes(valueType)) {
    problems.add(location, 'unknown-value-type', `annotations.code_generation.metric_value_type of ${what} is ${JSON.stringify(valueType)}, expected one of: ${VALUE_TYPES.join(', ')}`);
  }
  return {
    valueType: (VALUE_TYPES as readonly unknown[]).includes(valueType) ? (valueType as ValueType) : undefined,
    explicitBucketBoundaries: boundariesOf(flo.explicit_bucket_boundaries, 'explicit_bucket_boundaries', what, location, problems),
  };
}

export interface EventAnnotations {
  readonly severity?: Severity;
}

export function eventAnnotations(annotations: Annotations | undefined, what: string, location: SourceLocation, problems: Problems): EventAnnotations {
  const flo = kitAnnotations(annotations, EVENT_KEYS, what, location, problems);
  return { severity: severityAnnotation(flo.severity, what, location, problems) };
}

function optionalString(value: unknown, key: string, what: string, location: SourceLocation, problems: Problems): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && value.trim() !== '') return value;
  problems.add(location, 'wrong-type', `annotations.flo.${key} of ${what} must be a non-empty string`);
  return undefined;
}

function onErrorOf(value: unknown, what: string, location: SourceLocation, problems: Problems): ErrorSource | undefined {
  if (value === undefined) return undefined;
  if ((ERROR_SOURCES as readonly unknown[]).includes(value)) return value as ErrorSource;
  problems.add(location, 'unknown-on-error', `annotations.flo.on_error of ${what} is ${JSON.stringify(value)}, expected one of: ${ERROR_SOURCES.join(', ')}`);
  return undefined;
}

function equivalentOf(value: unknown, what: string, location: SourceLocation, problems: Problems): Equivalent | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && value !== '') return { id: value };
  if (typeof value === 'object' && value !== null && typeof (value as { key?: unknown }).key === 'string') {
    const { key, unit, ...rest } = value as { key: string; unit?: unknown };
    if (Object.keys(rest).length > 0) problems.add(location, 'unknown-key', `annotations.flo.equivalent of ${what} takes "key" and "unit" only`);
    if (unit === undefined) return { id: key };
    if (typeof unit === 'string' && unit !== '') return { id: key, unit };
    problems.add(location, 'wrong-type', `annotations.flo.equivalent.unit of ${what} must be a UCUM unit, like "s"`);
    return undefined;
  }
  problems.add(location, 'wrong-type', `annotations.flo.equivalent of ${what} must be an attribute key or { key, unit }`);
  return undefined;
}

export function boundariesOf(value: unknown, key: string, what: string, location: SourceLocation, problems: Problems): number[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0 || !value.every((item) => typeof item === 'number' && Number.isFinite(item))) {
    problems.add(location, 'wrong-type', `annotations.flo.${key} of ${what} must be a non-empty list of numbers`);
    return undefined;
  }
  if (value.some((item, index) => index > 0 && item <= value[index - 1])) {
    problems.add(location, 'bucket-order', `annotations.flo.${key} of ${what} must strictly increase`);
    return undefined;
  }
  return value as number[];
}
