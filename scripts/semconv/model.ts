/**
 * The resolved, validated spec: what the code and docs generators consume.
 * Field names follow the OpenTelemetry semantic-conventions model
 * (groups, `ref`, `requirement_level`, `stability`, `brief`, `note`,
 * `examples`, enum `members`, `metric_name`, `instrument`, `unit`,
 * `span_kind`) in camelCase.
 */

/** Where a YAML node stands, for error messages. Lines and columns count from 1. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export const PRIMITIVE_TYPES = [
  'string',
  'int',
  'double',
  'boolean',
  'string[]',
  'int[]',
  'double[]',
  'boolean[]',
] as const;
export type PrimitiveType = (typeof PRIMITIVE_TYPES)[number];

export const INSTRUMENTS = ['counter', 'updowncounter', 'histogram', 'gauge'] as const;
export type Instrument = (typeof INSTRUMENTS)[number];

export const SPAN_KINDS = ['internal', 'client', 'server', 'producer', 'consumer'] as const;
export type SpanKindName = (typeof SPAN_KINDS)[number];

export const STABILITY_LEVELS = ['stable', 'release_candidate', 'development', 'deprecated'] as const;
export type Stability = (typeof STABILITY_LEVELS)[number];

export const REQUIREMENT_LEVELS = ['required', 'conditionally_required', 'recommended', 'opt_in'] as const;
export type RequirementLevelName = (typeof REQUIREMENT_LEVELS)[number];

/** Which part of a caught error fills the attribute (an extension of the model). */
export const ERROR_SOURCES = ['type', 'message'] as const;
export type ErrorSource = (typeof ERROR_SOURCES)[number];

export const VALUE_TYPES = ['int', 'double'] as const;
export type ValueType = (typeof VALUE_TYPES)[number];

export interface RequirementLevel {
  readonly level: RequirementLevelName;
  /** The condition of `conditionally_required`, or the advice of `recommended`. */
  readonly text?: string;
}

export interface EnumMember {
  readonly id: string;
  readonly value: string | number;
  readonly brief?: string;
  readonly location: SourceLocation;
}

export interface EnumType {
  readonly members: readonly EnumMember[];
  /** Closed unless the spec says otherwise: values outside the members fail to compile. */
  readonly allowCustomValues: boolean;
}

export interface Deprecation {
  readonly reason: string;
  readonly renamedTo?: string;
}

/** The same information under another convention's key (an extension of the model). */
export interface Equivalent {
  readonly id: string;
  /** Multiplies the value on the way, for unit changes such as milliseconds to seconds. */
  readonly scale?: number;
}

export interface AttributeDefinition {
  readonly id: string;
  /**
   * What generated constants and types are named after (an extension of the
   * model): the id unless the spec sets `code_name`, needed when two ids
   * differ only by `.` versus `_` (`agent.name` and flo_ai's flat `agent_name`).
   */
  readonly codeName: string;
  /** The attribute group that declares it. */
  readonly groupId: string;
  readonly type: PrimitiveType | EnumType;
  readonly brief: string;
  readonly note?: string;
  readonly examples: readonly unknown[];
  readonly stability: Stability;
  readonly deprecated?: Deprecation;
  readonly requirementLevel: RequirementLevel;
  readonly onError?: ErrorSource;
  /** The OpenTelemetry GenAI attribute that carries the same value, emitted on spans alongside or instead. */
  readonly equivalent?: Equivalent;
  readonly location: SourceLocation;
}

/** An attribute as one span or metric uses it. */
export interface AttributeUse {
  readonly attribute: AttributeDefinition;
  readonly requirementLevel: RequirementLevel;
  readonly note?: string;
  readonly location: SourceLocation;
}

interface SignalCommon {
  readonly groupId: string;
  readonly brief: string;
  readonly note?: string;
  readonly stability: Stability;
  readonly deprecated?: Deprecation;
  readonly attributes: readonly AttributeUse[];
  readonly location: SourceLocation;
}

export interface SpanDefinition extends SignalCommon {
  /** The name template: `llm.{llm.provider}.generate`. */
  readonly spanName: string;
  readonly spanKind: SpanKindName;
  /** Attribute ids that fill the `{placeholders}` of the name, in order of appearance. */
  readonly nameAttributes: readonly string[];
}

export interface MetricDefinition extends SignalCommon {
  readonly metricName: string;
  /** The OpenTelemetry GenAI metric that carries the same measurement, for the docs and the instrumentation. */
  readonly equivalent?: string;
  readonly instrument: Instrument;
  readonly unit: string;
  readonly valueType: ValueType;
  readonly explicitBucketBoundaries?: readonly number[];
}

export interface InstrumentationScope {
  readonly name: string;
  readonly version: string;
  readonly schemaUrl?: string;
}

export interface Spec {
  readonly scope: InstrumentationScope;
  readonly attributes: readonly AttributeDefinition[];
  readonly spans: readonly SpanDefinition[];
  readonly metrics: readonly MetricDefinition[];
}

export function isEnumType(type: PrimitiveType | EnumType): type is EnumType {
  return typeof type === 'object';
}

/** Attributes a caller must always pass. */
export function isRequired(use: AttributeUse): boolean {
  return use.requirementLevel.level === 'required';
}
