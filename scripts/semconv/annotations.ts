/**
 * The kit's own data in a registry lives under `annotations.flo` (and the
 * value type of a metric under Weaver's `annotations.code_generation`), so
 * that any tool that reads the standard format accepts the registry. This
 * module reads and checks those keys; docs/spec-format.md documents them.
 */
import { ERROR_SOURCES, VALUE_TYPES, type Equivalent, type ErrorSource, type SourceLocation, type ValueType } from './model.ts';
import type { Problems } from './problems.ts';

export const KIT_ANNOTATION = 'flo';

const ATTRIBUTE_KEYS = ['code_name', 'equivalent', 'on_error', 'closed'];
const REFERENCE_KEYS = ['on_error'];
const SPAN_KEYS = ['span_name', 'equivalent'];
const METRIC_KEYS = ['explicit_bucket_boundaries', 'equivalent'];

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
    equivalent: equivalentOf(flo.equivalent, what, location, problems),
    onError: onErrorOf(flo.on_error, what, location, problems),
    closed: closed === true,
  };
}

export function referenceOnError(annotations: Annotations | undefined, what: string, location: SourceLocation, problems: Problems): ErrorSource | undefined {
  return onErrorOf(kitAnnotations(annotations, REFERENCE_KEYS, what, location, problems).on_error, what, location, problems);
}

export function spanNameTemplate(annotations: Annotations | undefined, what: string, location: SourceLocation, problems: Problems): string | undefined {
  return optionalString(kitAnnotations(annotations, SPAN_KEYS, what, location, problems).span_name, 'span_name', what, location, problems);
}

/** The GenAI span a kit span corresponds to, and the name it takes when GenAI conventions are emitted. */
export interface SpanEquivalent {
  readonly span: string;
  readonly spanName: string;
}

export function spanEquivalent(annotations: Annotations | undefined, what: string, location: SourceLocation, problems: Problems): SpanEquivalent | undefined {
  const value = kitAnnotations(annotations, SPAN_KEYS, what, location, problems).equivalent;
  if (value === undefined) return undefined;
  const { span, span_name: spanName, ...rest } = (typeof value === 'object' && value !== null ? value : {}) as { span?: unknown; span_name?: unknown };
  if (typeof span !== 'string' || typeof spanName !== 'string' || span === '' || spanName.trim() === '' || Object.keys(rest).length > 0) {
    problems.add(location, 'wrong-type', `annotations.flo.equivalent of ${what} must be { span: <span group id>, span_name: <name template> }`);
    return undefined;
  }
  return { span, spanName };
}

export interface MetricAnnotations {
  readonly valueType?: ValueType;
  readonly explicitBucketBoundaries?: readonly number[];
  readonly equivalent?: { readonly metric: string; readonly explicitBucketBoundaries?: readonly number[] };
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
    equivalent: metricEquivalentOf(flo.equivalent, what, location, problems),
  };
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
    const { key, scale, ...rest } = value as { key: string; scale?: unknown };
    if (Object.keys(rest).length > 0) problems.add(location, 'unknown-key', `annotations.flo.equivalent of ${what} takes "key" and "scale" only`);
    if (scale === undefined) return { id: key };
    if (typeof scale === 'number' && Number.isFinite(scale) && scale > 0) return { id: key, scale };
    problems.add(location, 'wrong-type', `annotations.flo.equivalent.scale of ${what} must be a positive number`);
    return undefined;
  }
  problems.add(location, 'wrong-type', `annotations.flo.equivalent of ${what} must be an attribute key or { key, scale }`);
  return undefined;
}

function metricEquivalentOf(value: unknown, what: string, location: SourceLocation, problems: Problems): MetricAnnotations['equivalent'] {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && value !== '') return { metric: value };
  if (typeof value === 'object' && value !== null && typeof (value as { metric?: unknown }).metric === 'string') {
    const { metric, explicit_bucket_boundaries: boundaries, ...rest } = value as { metric: string; explicit_bucket_boundaries?: unknown };
    if (Object.keys(rest).length > 0) problems.add(location, 'unknown-key', `annotations.flo.equivalent of ${what} takes "metric" and "explicit_bucket_boundaries" only`);
    return { metric, explicitBucketBoundaries: boundariesOf(boundaries, 'equivalent.explicit_bucket_boundaries', what, location, problems) };
  }
  problems.add(location, 'wrong-type', `annotations.flo.equivalent of ${what} must be a metric name or { metric, explicit_bucket_boundaries }`);
  return undefined;
}

function boundariesOf(value: unknown, key: string, what: string, location: SourceLocation, problems: Problems): number[] | undefined {
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
