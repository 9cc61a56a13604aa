/**
 * Turns the typed attribute objects of generated recorders into OpenTelemetry
 * attributes. The types already stop most mistakes at compile time; this
 * catches what plain JavaScript callers or `any` let through, drops the bad
 * value and says so, instead of throwing into framework code.
 */
import type { Attributes, AttributeValue } from '@opentelemetry/api';
import { isAnyValue } from '@opentelemetry/core';
import { warnOnce } from './diagnostics.ts';
import { applyScale, fitsKind, type AttributeKind } from './rules.ts';

export type { AttributeKind } from './rules.ts';

/** An attribute as the spec defines it (generated into src/generated/attributes.ts). */
export interface AttributeSpec {
  readonly key: string;
  readonly kind: AttributeKind;
  /** The members of a closed enum; values outside them are dropped. */
  readonly members?: readonly (string | number | boolean)[];
  /** Which part of a caught error fills this attribute on a span. */
  readonly onError?: 'type' | 'message';
}

/**
 * A key a span attribute is written under in a session, and the factor its value is converted by
 * (from milliseconds to seconds). Each generated span has, for each conventions selection, the
 * writes of every field (SpanDescriptor.conventions); the runtime applies them, it never decides them.
 */
export interface SpanWrite {
  readonly key: string;
  readonly scale?: number;
}

/** An attribute as one span or metric uses it. */
export interface AttributeField {
  readonly spec: AttributeSpec;
  /** The property of the recorder's argument object that carries the value. */
  readonly property: string;
  /** The span must carry it when it ends; a metric point, when it is recorded. */
  readonly required: boolean;
  /** The value the span always has (`annotations.flo.value`): written whatever the caller passes. */
  readonly fixed?: string | number | boolean;
}

/** The value when it fits the attribute, otherwise undefined (and a warning). */
export function checkedValue(spec: AttributeSpec, value: unknown, signal: string): AttributeValue | undefined {
  const checked = check(spec, value);
  if (isProblem(checked)) {
    warnOnce(`${signal}: dropped attribute ${spec.key}: ${checked.problem}`);
    return undefined;
  }
  return checked;
}

/** Why a value was rejected: a class of its own, so that no structured value (an object with a `problem` key) passes for one. */
class Problem {
  readonly problem: string;
  constructor(problem: string) {
    this.problem = problem;
  }
}

type Checked = AttributeValue | undefined | Problem;

function isProblem(checked: Checked): checked is Problem {
  return checked instanceof Problem;
}

/**
 * The value as recorded, or why it cannot be (no warning: the caller words it). Span and metric
 * attributes hold primitives and arrays, so a structured `any` value travels as JSON text there;
 * log records carry it as it is (`structured`), as the conventions ask of events.
 */
function check(spec: AttributeSpec, value: unknown, structured = false): Checked {
  if (!fitsKind(value, spec.kind)) return new Problem(`${describe(value)} is not of type ${spec.kind}`);
  if (spec.kind === 'any') return structured ? structuredValue(value) : anyValue(value);
  if (spec.members !== undefined && !spec.members.includes(value as string | number | boolean)) {
    return new Problem(`${describe(value)} is not one of ${spec.members.join(', ')}`);
  }
  return value as AttributeValue;
}

function structuredValue(value: unknown): Checked {
  // An OpenTelemetry AnyValue: primitives, byte arrays, arrays and plain objects of them, no cycles.
  return isAnyValue(value) ? (value as AttributeValue) : new Problem('the value holds something no log record can carry (a function, a symbol, a bigint, a class instance or a cycle)');
}

function anyValue(value: unknown): Checked {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  try {
    const json = JSON.stringify(value);
    if (json !== undefined) return json;
  } catch {
    // Cycles and BigInt cannot be written as JSON; dropped below.
  }
  return new Problem('the value cannot be written as JSON');
}

/** Every field under its own key: the writes of a descriptor made without conventions tables. */
function ownWrites(fields: readonly AttributeField[]): readonly (readonly SpanWrite[])[] {
  return fields.map((field) => [{ key: field.spec.key }]);
}

/**
 * Builds span start attributes from a typed object under the keys of `writes` (the session's
 * conventions table of the span; every field under its own key without one): every declared
 * field in declaration order, checked against its spec (a fixed one with its value); a field
 * written under no key is not read. A required attribute left out is not reported here: a helper
 * may set it once it knows it, so the span reports it when it ends without it (InstrumentedSpan).
 * Generated span descriptors carry a `startAttributes` function doing the same with one named
 * property read per field (see SpanConventions); this loop is what it must equal.
 */
export function toSpanAttributes(fields: readonly AttributeField[], input: object | undefined, signal: string, writes: readonly (readonly SpanWrite[])[] = ownWrites(fields)): Attributes {
  const source = (input ?? {}) as Record<string, unknown>;
  const attributes: Attributes = {};
  for (let index = 0; index < fields.length; index += 1) {
    if ((writes[index] as readonly SpanWrite[]).length === 0) continue;
    const field = fields[index] as AttributeField;
    const value = field.fixed ?? source[field.property];
    if (value !== undefined && value !== null) putSpanAttribute(attributes, writes, fields, index, value, signal);
  }
  return attributes;
}

/**
 * Writes one given value of a span's start attributes: checked against its spec (dropped with a
 * warning when it does not fit), under each key of its writes. Generated `startAttributes`
 * functions call it for each property whose value they cannot write as it is.
 */
export function putSpanAttribute(attributes: Attributes, writes: readonly (readonly SpanWrite[])[], fields: readonly AttributeField[], index: number, value: unknown, signal: string): void {
  const checked = checkedValue((fields[index] as AttributeField).spec, value, signal);
  if (checked === undefined) return;
  for (const write of writes[index] as readonly SpanWrite[]) attributes[write.key] = convertedValue(checked, write);
}

/** The value as written under `write`: converted between units where the write has a scale (rules.ts). */
export function convertedValue(value: AttributeValue, write: SpanWrite): AttributeValue {
  return write.scale !== undefined && typeof value === 'number' ? applyScale(value, write.scale) : value;
}

/** Builds the attributes of one measurement or span start from a typed object. */
export function toAttributes(fields: readonly AttributeField[], input: object | undefined, signal: string): Attributes {
  const source = (input ?? {}) as Record<string, unknown>;
  const attributes: Attributes = {};
  for (const field of fields) {
    const value = fieldValue(field, source, signal);
    if (value !== undefined) attributes[field.spec.key] = value;
  }
  return attributes;
}

/**
 * The attributes of one metric data point, or undefined when the point must
 * be dropped: a required attribute was given a value the spec rejects (a
 * JavaScript caller passing a bad enum member). Recording the point without
 * it would put it in a series nobody asked for; one warning says why.
 * A required attribute that is simply missing is left out (and reported).
 */
export function measurementAttributes(fields: readonly AttributeField[], input: object | undefined, signal: string): Attributes | undefined {
  return checkedAttributes(fields, input, signal, 'a measurement', false);
}

/**
 * The attributes of one event (a log record), or undefined when the event must be dropped, by the
 * rules of `measurementAttributes`; `any` values stay structured (maps and lists), which log
 * records carry and the conventions ask for on events.
 */
export function eventAttributes(fields: readonly AttributeField[], input: object | undefined, signal: string): Attributes | undefined {
  return checkedAttributes(fields, input, signal, 'an event', true);
}

function checkedAttributes(fields: readonly AttributeField[], input: object | undefined, signal: string, what: string, structured: boolean): Attributes | undefined {
  const source = (input ?? {}) as Record<string, unknown>;
  const attributes: Attributes = {};
  for (const field of fields) {
    const value = source[field.property];
    if (value === undefined || value === null) {
      if (field.required) warnOnce(`${signal}: required attribute ${field.spec.key} is missing`);
      continue;
    }
    const checked = check(field.spec, value, structured);
    if (isProblem(checked)) {
      if (field.required) {
        warnOnce(`${signal}: dropped ${what}: required attribute ${field.spec.key}: ${checked.problem}`);
        return undefined;
      }
      warnOnce(`${signal}: dropped attribute ${field.spec.key}: ${checked.problem}`);
      continue;
    }
    if (checked !== undefined) attributes[field.spec.key] = checked;
  }
  return attributes;
}

/** The checked value of one field of a typed attribute object, or undefined (missing or dropped). */
function fieldValue(field: AttributeField, source: Record<string, unknown>, signal: string): AttributeValue | undefined {
  const value = source[field.property];
  if (value === undefined || value === null) {
    if (field.required) warnOnce(`${signal}: required attribute ${field.spec.key} is missing`);
    return undefined;
  }
  return checkedValue(field.spec, value, signal);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (Array.isArray(value)) return 'an array of other values';
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : `a value of type ${typeof value}`;
}
