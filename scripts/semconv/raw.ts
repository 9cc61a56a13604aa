/**
 * What the parsers produce from one registry's files, before references are
 * resolved: attribute definitions, groups in the model's v1 shape (v2 files
 * are read into the same shape, as Weaver does), and imports.
 */
import type {
  BodyField,
  AttributeRole,
  AttributeType,
  Deprecation,
  Instrument,
  RequirementLevel,
  SourceLocation,
  SpanKindName,
  Stability,
} from './model.ts';

export const GROUP_TYPES = ['attribute_group', 'span', 'event', 'metric', 'metric_group', 'entity', 'scope', 'undefined'] as const;
export type GroupType = (typeof GROUP_TYPES)[number];

/** The fields an attribute reference may refine, and an attribute definition may set. */
export interface Refinements {
  readonly brief?: string;
  readonly note?: string;
  readonly examples?: readonly unknown[];
  readonly requirementLevel?: RequirementLevel;
  readonly stability?: Stability;
  readonly deprecated?: Deprecation;
  readonly samplingRelevant?: boolean;
  /** On an entity, whether the attribute identifies or describes it. */
  readonly role?: AttributeRole;
  readonly annotations?: Readonly<Record<string, unknown>>;
}

export interface RawAttributeDefinition extends Refinements {
  readonly kind: 'def';
  readonly id: string;
  readonly type: AttributeType;
  readonly brief: string;
  readonly examplesLocation: SourceLocation;
  readonly annotationsLocation: SourceLocation;
  readonly location: SourceLocation;
}

export interface RawAttributeRef extends Refinements {
  readonly kind: 'ref';
  readonly ref: string;
  readonly annotationsLocation: SourceLocation;
  readonly location: SourceLocation;
}

export interface RawRefGroup {
  readonly kind: 'ref_group';
  readonly refGroup: string;
  readonly location: SourceLocation;
}

export type RawAttributeEntry = RawAttributeDefinition | RawAttributeRef | RawRefGroup;

export interface RawGroup {
  readonly id: string;
  readonly type: GroupType;
  readonly brief?: string;
  readonly note?: string;
  readonly stability?: Stability;
  readonly deprecated?: Deprecation;
  readonly extends?: string;
  /** v2 refinements: the signal they refine, by the group id that signal resolves to. */
  readonly refines?: string;
  readonly referenceLocation: SourceLocation;
  readonly entries: readonly RawAttributeEntry[];
  readonly spanKind?: SpanKindName;
  /** The v2 span name specification, prose. */
  readonly spanNameNote?: string;
  readonly metricName?: string;
  /** Where the metric name is written (`metric_name:`, or `name:` in definition/2). */
  readonly metricNameLocation?: SourceLocation;
  readonly instrument?: Instrument;
  readonly unit?: string;
  /** Where `unit:` is written, for a problem with the unit itself. */
  readonly unitLocation?: SourceLocation;
  /** Event and entity name. */
  readonly name?: string;
  /** An event's body. */
  readonly body?: BodyField;
  readonly annotations: Readonly<Record<string, unknown>>;
  readonly annotationsLocation: SourceLocation;
  /** v2 attribute groups: internal ones only serve `ref_group`. */
  readonly visibility?: 'internal' | 'public';
  readonly isV2: boolean;
  readonly location: SourceLocation;
}

export const IMPORT_KINDS = ['metrics', 'events', 'entities', 'spans', 'attribute_groups'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

export interface RawImport {
  readonly kind: ImportKind;
  readonly pattern: string;
  readonly location: SourceLocation;
}

export interface RawFile {
  readonly groups: readonly RawGroup[];
  /** v2 `attributes:` sections: definitions outside any group. */
  readonly attributes: readonly RawAttributeDefinition[];
  readonly imports: readonly RawImport[];
}
