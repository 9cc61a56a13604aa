/**
 * The resolved, validated registry: what the code and docs generators consume.
 * Field names follow the OpenTelemetry semantic-convention model (groups,
 * `ref`, `requirement_level`, `stability`, `brief`, `note`, `examples`, enum
 * `members`, `metric_name`, `instrument`, `unit`, `span_kind`) in camelCase;
 * the kit's own additions come from `annotations.flo` (see docs/spec-format.md).
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
  'any',
] as const;
export type PrimitiveType = (typeof PRIMITIVE_TYPES)[number];

/** `template[string]`: a family of attributes `<key>.<suffix>` whose values have the inner type. */
export interface TemplateType {
  readonly template: Exclude<PrimitiveType, never>;
}

export const INSTRUMENTS = ['counter', 'updowncounter', 'histogram', 'gauge'] as const;
export type Instrument = (typeof INSTRUMENTS)[number];

export const SPAN_KINDS = ['internal', 'client', 'server', 'producer', 'consumer'] as const;
export type SpanKindName = (typeof SPAN_KINDS)[number];

/** Stability levels of the model; `experimental` is read as its alias `development`. */
export const STABILITY_LEVELS = ['stable', 'release_candidate', 'beta', 'alpha', 'development', 'deprecated'] as const;
export type Stability = (typeof STABILITY_LEVELS)[number];

export const REQUIREMENT_LEVELS = ['required', 'conditionally_required', 'recommended', 'opt_in'] as const;
export type RequirementLevelName = (typeof REQUIREMENT_LEVELS)[number];

/** Which part of a caught error fills the attribute (`annotations.flo.on_error`). */
export const ERROR_SOURCES = ['type', 'message'] as const;
export type ErrorSource = (typeof ERROR_SOURCES)[number];

export const ATTRIBUTE_ROLES = ['identifying', 'descriptive'] as const;
export type AttributeRole = (typeof ATTRIBUTE_ROLES)[number];

export const VALUE_TYPES = ['int', 'double'] as const;
export type ValueType = (typeof VALUE_TYPES)[number];

export interface RequirementLevel {
  readonly level: RequirementLevelName;
  /** The condition of `conditionally_required`, or the advice of `recommended`. */
  readonly text?: string;
}

export interface Deprecation {
  /** `renamed`, `obsoleted`, `uncategorized`, or free text of the legacy string form. */
  readonly reason: string;
  readonly renamedTo?: string;
  readonly note?: string;
}

export interface EnumMember {
  readonly id: string;
  /** What its constant is named after, when not the id (a deprecated twin of a live member). */
  readonly codeName?: string;
  readonly value: string | number | boolean;
  readonly brief?: string;
  readonly note?: string;
  readonly stability?: Stability;
  readonly deprecated?: Deprecation;
  readonly location: SourceLocation;
}

export interface EnumType {
  readonly members: readonly EnumMember[];
  /**
   * Enums of the standard are open: known members plus any other value.
   * False only when the registry closes it (`annotations.flo.closed: true`);
   * then values outside the members fail to compile and are dropped at run time.
   */
  readonly allowCustomValues: boolean;
}

export type AttributeType = PrimitiveType | TemplateType | EnumType;

/** The same information under another convention's key (`annotations.flo.equivalent`). */
export interface Equivalent {
  readonly id: string;
  /** The UCUM unit of the equivalent's values, when the attribute's own differs (`s` for `ms`): values are converted. */
  readonly unit?: string;
}

/** Where a definition comes from: this registry, or a dependency named by its schema URL. */
export interface Origin {
  /** Undefined for the registry being generated; the dependency's schema URL otherwise. */
  readonly dependency?: string;
}

export interface AttributeDefinition extends Origin {
  readonly id: string;
  /**
   * What generated constants and types are named after: the id unless the
   * registry sets `annotations.flo.code_name`, needed when two ids differ only
   * by `.` versus `_` (`agent.name` and flo_ai's flat `agent_name`).
   */
  readonly codeName: string;
  /** The property that carries it in recorder arguments, when not the camelCase id (a renamed deprecated twin). */
  readonly propertyName?: string;
  /** The attribute group that declares it. */
  readonly groupId: string;
  readonly type: AttributeType;
  readonly brief: string;
  readonly note?: string;
  readonly examples: readonly unknown[];
  readonly stability: Stability;
  readonly deprecated?: Deprecation;
  readonly requirementLevel: RequirementLevel;
  readonly onError?: ErrorSource;
  /** The UCUM unit of the attribute's values, where they have one (`annotations.flo.unit`). */
  readonly unit?: string;
  /** The OpenTelemetry GenAI attribute that carries the same value, emitted on spans alongside or instead. */
  readonly equivalent?: Equivalent;
  readonly annotations: Readonly<Record<string, unknown>>;
  readonly location: SourceLocation;
}

/** An attribute as one signal uses it, with the refinements of its reference. */
export interface AttributeUse {
  readonly attribute: AttributeDefinition;
  readonly requirementLevel: RequirementLevel;
  /** A brief refined for this signal, when the reference gives one. */
  readonly brief?: string;
  readonly note?: string;
  readonly examples?: readonly unknown[];
  readonly deprecated?: Deprecation;
  readonly samplingRelevant?: boolean;
  /** On an entity: whether the attribute identifies it or describes it (`role`, or the v2 `identity`/`description` lists). */
  readonly role?: AttributeRole;
  /** Which part of a caught error fills it on this signal (definition or reference annotation). */
  readonly onError?: ErrorSource;
  /**
   * The value this signal always gives it (`annotations.flo.value` of the reference): the generated
   * span helpers write it themselves, so it is no property of their attributes object.
   */
  readonly value?: string | number | boolean;
  readonly location: SourceLocation;
}

interface SignalCommon extends Origin {
  readonly groupId: string;
  /** For a v2 refinement, the id of the signal it refines. */
  readonly refines?: string;
  /** Set when generated names must differ from the usual ones (a deprecated twin of a live signal). */
  readonly codeName?: string;
  readonly brief: string;
  readonly note?: string;
  readonly stability: Stability;
  readonly deprecated?: Deprecation;
  readonly attributes: readonly AttributeUse[];
  readonly annotations: Readonly<Record<string, unknown>>;
  readonly location: SourceLocation;
}

export interface SpanDefinition extends SignalCommon {
  /**
   * The name template (`annotations.flo.span_name`): `llm.{llm.provider}.generate`.
   * Registries that describe the name in prose only (every official span) have
   * none: the span's type (its id without `span.`) stands here, and the
   * generated helpers require the caller's `options.name`.
   */
  readonly spanName: string;
  /** Whether `spanName` came from a template of the registry. */
  readonly hasNameTemplate: boolean;
  /** Where the template stands, for its problems. */
  readonly templateLocation?: SourceLocation;
  readonly spanKind: SpanKindName;
  /** Attribute ids that fill the `{placeholders}` of the name, in order of appearance. */
  readonly nameAttributes: readonly string[];
  /**
   * The GenAI span this one corresponds to (`annotations.flo.equivalent`): when GenAI
   * conventions are emitted the span takes its name template, whose placeholders name
   * attributes of this span or their equivalents (`{gen_ai.request.model}` ← `llm.model`).
   */
  readonly equivalent?: {
    readonly spanId: string;
    readonly spanName: string;
    /** For each placeholder, the attribute of this span that fills it. */
    readonly nameAttributes: readonly string[];
    /**
     * The span's GenAI equivalent under each opt-in (`opt_in.<token>`), as written: resolved against
     * that opt-in's registry when the conventions tables are built (scripts/codegen/conventions.ts).
     */
    readonly optIn?: Readonly<Record<string, unknown>>;
  };
}

export interface MetricDefinition extends SignalCommon {
  readonly metricName: string;
  readonly instrument: Instrument;
  readonly unit: string;
  readonly valueType: ValueType;
  readonly explicitBucketBoundaries?: readonly number[];
}

export interface EventDefinition extends SignalCommon {
  readonly eventName: string;
  /** The body the registry declares (an AnyValue: a map of fields, a string, …); none for most events. */
  readonly body?: BodyField;
  /**
   * The severity the convention names for the event's log records: `annotations.flo.severity` of
   * the registry's own events, else the severity number its note names ("SHOULD set the severity
   * to WARN (severity number 13)"); none when neither names one.
   */
  readonly severity?: Severity;
}

/** A log record severity: its number (1-24, OpenTelemetry's SeverityNumber) and short name (`WARN`, `DEBUG2`). */
export interface Severity {
  readonly number: number;
  readonly text: string;
}

/** The value types of an event body and its fields (Weaver's AnyValue specification). */
export const BODY_TYPES = ['boolean', 'int', 'double', 'string', 'string[]', 'int[]', 'double[]', 'boolean[]', 'map', 'map[]', 'bytes', 'byte[]', 'undefined', 'enum'] as const;
export type BodyType = (typeof BODY_TYPES)[number];

/** An event body, or one field of a map body: `id` is the field's key in the map. */
export interface BodyField {
  readonly id: string;
  readonly type: BodyType;
  readonly brief?: string;
  readonly note?: string;
  readonly stability?: Stability;
  readonly examples?: readonly unknown[];
  readonly requirementLevel: RequirementLevel;
  /** The fields of a `map` or `map[]`. */
  readonly fields?: readonly BodyField[];
  /** The members of an `enum`. */
  readonly members?: readonly EnumMember[];
  readonly location: SourceLocation;
}

/** Entities are read, validated and documented; they describe resources, so no recorder is generated. */
export interface EntityDefinition extends SignalCommon {
  readonly entityType: string;
}

export interface InstrumentationScope {
  readonly name: string;
  readonly version: string;
  readonly schemaUrl?: string;
}

export interface DependencyInfo {
  readonly name?: string;
  readonly schemaUrl: string;
  /** The folder it was read from, as written in the manifest. */
  readonly registryPath: string;
}

export interface Spec {
  readonly scope: InstrumentationScope;
  /** The registry's folder (absolute), which the manifest's relative paths are resolved against. */
  readonly folder?: string;
  /** The manifest's `annotations`: the kit's own (`flo`) describe observations and conventions. */
  readonly annotations?: Readonly<Record<string, unknown>>;
  readonly annotationsLocation?: SourceLocation;
  readonly dependencies: readonly DependencyInfo[];
  /** The registry's own attributes, then those of dependencies that its signals use. */
  readonly attributes: readonly AttributeDefinition[];
  readonly spans: readonly SpanDefinition[];
  readonly metrics: readonly MetricDefinition[];
  readonly events: readonly EventDefinition[];
  readonly entities: readonly EntityDefinition[];
}

export function isEnumType(type: AttributeType): type is EnumType {
  return typeof type === 'object' && 'members' in type;
}

/**
 * The value kind of an enum, from its members: `string`, `boolean`, `int` when every member is a
 * whole number JavaScript holds exactly, `double` otherwise (`1.5`: Weaver accepts fractional
 * members, and the runtime checks an int attribute with Number.isSafeInteger).
 */
export function enumValueKind(type: EnumType): 'string' | 'boolean' | 'int' | 'double' {
  const first = type.members[0]?.value;
  if (typeof first === 'boolean') return 'boolean';
  if (typeof first !== 'number') return 'string';
  return type.members.every((member) => Number.isSafeInteger(member.value)) ? 'int' : 'double';
}

export function isTemplateType(type: AttributeType): type is TemplateType {
  return typeof type === 'object' && 'template' in type;
}

/** Attributes a caller must always pass. */
export function isRequired(use: Pick<AttributeUse, 'requirementLevel'>): boolean {
  return use.requirementLevel.level === 'required';
}

/** How a deprecation reads in docs and JSDoc: `Obsoleted. <note>` or `<note> Use \`x\` instead.` */
export function deprecationText(deprecated: Deprecation): string {
  const replacement = deprecated.renamedTo ? `Use \`${deprecated.renamedTo}\` instead.` : undefined;
  const silent = ['renamed', 'uncategorized', 'unspecified'].includes(deprecated.reason);
  const reason = silent ? undefined : `${deprecated.reason.charAt(0).toUpperCase()}${deprecated.reason.slice(1)}.`;
  return [reason, deprecated.note, replacement].filter(Boolean).join(' ') || 'Deprecated.';
}
