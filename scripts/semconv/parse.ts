/**
 * Shape of the spec files: which keys each kind of object may have and what
 * type each value is. Produces raw groups with positions; references between
 * them are checked later by resolve.ts.
 */
import type { Node } from 'yaml';
import {
  ERROR_SOURCES,
  INSTRUMENTS,
  PRIMITIVE_TYPES,
  REQUIREMENT_LEVELS,
  SPAN_KINDS,
  STABILITY_LEVELS,
  VALUE_TYPES,
  type Deprecation,
  type EnumMember,
  type Equivalent,
  type EnumType,
  type ErrorSource,
  type Instrument,
  type PrimitiveType,
  type RequirementLevel,
  type SourceLocation,
  type SpanKindName,
  type Stability,
  type ValueType,
} from './model.ts';
import type { Problems } from './problems.ts';
import { isMap, isScalar, MapReader, type YamlFile } from './yaml-reader.ts';

export const GROUP_TYPES = ['attribute_group', 'span', 'metric'] as const;
type GroupType = (typeof GROUP_TYPES)[number];

const COMMON_GROUP_KEYS = ['id', 'type', 'brief', 'note', 'stability', 'deprecated'];
const GROUP_KEYS: Record<GroupType, readonly string[]> = {
  attribute_group: [...COMMON_GROUP_KEYS, 'attributes'],
  span: [...COMMON_GROUP_KEYS, 'span_name', 'span_kind', 'attributes'],
  metric: [...COMMON_GROUP_KEYS, 'metric_name', 'instrument', 'unit', 'value_type', 'advice', 'attributes', 'equivalent'],
};
const ATTRIBUTE_DEFINITION_KEYS = [
  'id',
  'type',
  'brief',
  'note',
  'examples',
  'stability',
  'deprecated',
  'requirement_level',
  'on_error',
  'code_name',
  'equivalent',
];
const EQUIVALENT_KEYS = ['id', 'scale'];
const ATTRIBUTE_REF_KEYS = ['ref', 'requirement_level', 'note'];
const ENUM_KEYS = ['members', 'allow_custom_values'];
const MEMBER_KEYS = ['id', 'value', 'brief', 'note', 'stability', 'deprecated'];
const DEPRECATED_KEYS = ['reason', 'renamed_to', 'note'];
const ADVICE_KEYS = ['explicit_bucket_boundaries'];
export const MANIFEST_KEYS = ['name', 'description', 'version', 'schema_url'];

export interface RawAttributeDefinition {
  readonly id: string;
  readonly codeName: string;
  readonly type: PrimitiveType | EnumType;
  readonly brief: string;
  readonly note?: string;
  readonly examples: readonly unknown[];
  readonly examplesLocation: SourceLocation;
  readonly stability: Stability;
  readonly deprecated?: Deprecation;
  readonly requirementLevel: RequirementLevel;
  readonly onError?: ErrorSource;
  readonly equivalent?: Equivalent;
  readonly equivalentLocation: SourceLocation;
  readonly location: SourceLocation;
}

export interface RawAttributeRef {
  readonly ref: string;
  readonly requirementLevel?: RequirementLevel;
  readonly note?: string;
  readonly location: SourceLocation;
}

interface RawGroupCommon {
  readonly id: string;
  readonly brief: string;
  readonly note?: string;
  readonly stability: Stability;
  readonly deprecated?: Deprecation;
  readonly location: SourceLocation;
}

export interface RawAttributeGroup extends RawGroupCommon {
  readonly type: 'attribute_group';
  readonly attributes: readonly RawAttributeDefinition[];
}

export interface RawSpanGroup extends RawGroupCommon {
  readonly type: 'span';
  readonly spanName: string;
  readonly spanNameLocation: SourceLocation;
  readonly spanKind: SpanKindName;
  readonly attributes: readonly RawAttributeRef[];
}

export interface RawMetricGroup extends RawGroupCommon {
  readonly type: 'metric';
  readonly metricName: string;
  readonly metricNameLocation: SourceLocation;
  readonly equivalent?: string;
  readonly equivalentLocation: SourceLocation;
  readonly instrument: Instrument;
  readonly unit: string;
  readonly valueType: ValueType;
  readonly explicitBucketBoundaries?: readonly number[];
  readonly adviceLocation: SourceLocation;
  readonly attributes: readonly RawAttributeRef[];
}

export type RawGroup = RawAttributeGroup | RawSpanGroup | RawMetricGroup;

/** Reads the `groups:` list of one spec file. */
export function parseGroups(file: YamlFile, problems: Problems): RawGroup[] {
  if (file.root === null) return [];
  const top = new MapReader(file, file.root, 'the file', ['groups'], problems);
  const groups: RawGroup[] = [];
  for (const node of top.sequence('groups')) {
    const group = parseGroup(file, node, problems);
    if (group !== undefined) groups.push(group);
  }
  return groups;
}

function parseGroup(file: YamlFile, node: Node, problems: Problems): RawGroup | undefined {
  const type = groupType(file, node, problems);
  if (type === undefined) return undefined;
  const id = isMap(node) ? String(node.get('id') ?? '?') : '?';
  const reader = new MapReader(file, node, `${type} group "${id}"`, GROUP_KEYS[type], problems);
  const common = parseCommon(reader, problems);
  if (common === undefined) return undefined;
  if (type === 'attribute_group') {
    const attributes = reader.sequence('attributes').map((item) => parseAttributeDefinition(file, item, problems));
    return { ...common, type, attributes: attributes.filter(isDefined) };
  }
  const attributes = reader.sequence('attributes').map((item) => parseAttributeRef(file, item, problems));
  if (type === 'span') return parseSpanGroup(reader, common, attributes.filter(isDefined));
  return parseMetricGroup(reader, common, attributes.filter(isDefined), problems);
}

function groupType(file: YamlFile, node: Node, problems: Problems): GroupType | undefined {
  if (!isMap(node)) {
    problems.add(file.locate(node), 'wrong-type', 'a group must be a mapping');
    return undefined;
  }
  const typeNode = node.get('type', true) as Node | undefined;
  const type = isScalar(typeNode) ? String(typeNode.value) : undefined;
  if (type === undefined) {
    problems.add(file.locate(node), 'missing-key', 'a group is missing "type"');
    return undefined;
  }
  if (!(GROUP_TYPES as readonly string[]).includes(type)) {
    problems.add(file.locate(typeNode), 'unknown-group-type', `group type "${type}" is not one of: ${GROUP_TYPES.join(', ')}`);
    return undefined;
  }
  return type as GroupType;
}

function parseCommon(reader: MapReader, problems: Problems): RawGroupCommon | undefined {
  const id = reader.string('id', { required: true });
  const brief = reader.string('brief', { required: true, rule: 'missing-brief' });
  if (id === undefined || brief === undefined) return undefined;
  return {
    id,
    brief: brief.trim(),
    note: reader.string('note')?.trim(),
    stability: reader.choice('stability', STABILITY_LEVELS, 'unknown-stability', false) ?? 'development',
    deprecated: parseDeprecated(reader, problems),
    location: reader.location,
  };
}

function parseSpanGroup(reader: MapReader, common: RawGroupCommon, attributes: RawAttributeRef[]): RawSpanGroup | undefined {
  const spanName = reader.string('span_name', { required: true });
  const spanKind = reader.choice('span_kind', SPAN_KINDS, 'unknown-span-kind', true);
  if (spanName === undefined || spanKind === undefined) return undefined;
  return { ...common, type: 'span', spanName, spanNameLocation: reader.locationOf('span_name'), spanKind, attributes };
}

function parseMetricGroup(
  reader: MapReader,
  common: RawGroupCommon,
  attributes: RawAttributeRef[],
  problems: Problems,
): RawMetricGroup | undefined {
  const metricName = reader.string('metric_name', { required: true });
  const instrument = reader.choice('instrument', INSTRUMENTS, 'unknown-instrument', true);
  const unit = reader.string('unit', { required: true, rule: 'missing-unit' });
  if (metricName === undefined || instrument === undefined || unit === undefined) return undefined;
  const defaultValueType: ValueType = instrument === 'counter' || instrument === 'updowncounter' ? 'int' : 'double';
  return {
    ...common,
    type: 'metric',
    metricName,
    metricNameLocation: reader.locationOf('metric_name'),
    equivalent: reader.string('equivalent'),
    equivalentLocation: reader.locationOf('equivalent'),
    instrument,
    unit,
    valueType: reader.choice('value_type', VALUE_TYPES, 'unknown-value-type', false) ?? defaultValueType,
    explicitBucketBoundaries: parseAdvice(reader, problems),
    adviceLocation: reader.locationOf('advice'),
    attributes,
  };
}

function parseAdvice(reader: MapReader, problems: Problems): number[] | undefined {
  const node = reader.valueNode('advice');
  if (node === undefined) return undefined;
  const advice = new MapReader(reader.file, node, `advice of ${reader.what}`, ADVICE_KEYS, problems);
  const boundaries = advice.plain('explicit_bucket_boundaries');
  if (boundaries === undefined) return undefined;
  if (!Array.isArray(boundaries) || !boundaries.every((value) => typeof value === 'number' && Number.isFinite(value))) {
    problems.add(advice.locationOf('explicit_bucket_boundaries'), 'wrong-type', 'explicit_bucket_boundaries must be a list of numbers');
    return undefined;
  }
  return boundaries as number[];
}

function parseAttributeDefinition(file: YamlFile, node: Node, problems: Problems): RawAttributeDefinition | undefined {
  const id = isMap(node) ? String(node.get('id') ?? node.get('ref') ?? '?') : '?';
  const reader = new MapReader(file, node, `attribute "${id}"`, ATTRIBUTE_DEFINITION_KEYS, problems);
  const attributeId = reader.string('id', { required: true });
  const type = parseAttributeType(reader, problems);
  const brief = reader.string('brief', { required: true, rule: 'missing-brief' });
  if (attributeId === undefined || type === undefined || brief === undefined) return undefined;
  const examples = reader.plain('examples');
  return {
    id: attributeId,
    codeName: reader.string('code_name') ?? attributeId,
    type,
    brief: brief.trim(),
    note: reader.string('note')?.trim(),
    examples: examples === undefined ? [] : Array.isArray(examples) ? examples : [examples],
    examplesLocation: reader.locationOf('examples'),
    stability: reader.choice('stability', STABILITY_LEVELS, 'unknown-stability', false) ?? 'development',
    deprecated: parseDeprecated(reader, problems),
    requirementLevel: parseRequirementLevel(reader, problems) ?? { level: 'recommended' },
    onError: reader.choice('on_error', ERROR_SOURCES, 'unknown-error-source', false),
    equivalent: parseEquivalent(reader, problems),
    equivalentLocation: reader.locationOf('equivalent'),
    location: reader.location,
  };
}

/** `equivalent: gen_ai.request.model`, or `{ id, scale }` when the unit differs. */
function parseEquivalent(reader: MapReader, problems: Problems): Equivalent | undefined {
  const node = reader.valueNode('equivalent');
  if (node === undefined) return undefined;
  if (!isMap(node)) {
    const id = reader.string('equivalent');
    return id === undefined ? undefined : { id };
  }
  const inner = new MapReader(reader.file, node, `equivalent of ${reader.what}`, EQUIVALENT_KEYS, problems);
  const id = inner.string('id', { required: true });
  const scale = inner.plain('scale');
  if (scale !== undefined && (typeof scale !== 'number' || !Number.isFinite(scale) || scale === 0)) {
    problems.add(inner.locationOf('scale'), 'wrong-type', 'scale must be a non-zero number');
    return undefined;
  }
  return id === undefined ? undefined : { id, scale: scale as number | undefined };
}

function parseAttributeRef(file: YamlFile, node: Node, problems: Problems): RawAttributeRef | undefined {
  const reader = new MapReader(file, node, 'attribute reference', ATTRIBUTE_REF_KEYS, problems);
  const ref = reader.string('ref', { required: true, rule: 'missing-ref' });
  if (ref === undefined) return undefined;
  return {
    ref,
    requirementLevel: parseRequirementLevel(reader, problems),
    note: reader.string('note')?.trim(),
    location: reader.location,
  };
}

function parseAttributeType(reader: MapReader, problems: Problems): PrimitiveType | EnumType | undefined {
  const node = reader.valueNode('type');
  if (node === undefined) {
    reader.require('type');
    return undefined;
  }
  if (isMap(node)) return parseEnumType(reader, node, problems);
  return reader.choice('type', PRIMITIVE_TYPES, 'unknown-type', true);
}

function parseEnumType(reader: MapReader, node: Node, problems: Problems): EnumType | undefined {
  const enumReader = new MapReader(reader.file, node, `enum type of ${reader.what}`, ENUM_KEYS, problems);
  const members = enumReader.sequence('members').map((item) => parseMember(enumReader, item, problems));
  if (members.length === 0) {
    problems.add(enumReader.location, 'empty-enum', `enum type of ${reader.what} has no members`);
    return undefined;
  }
  const allowCustom = enumReader.plain('allow_custom_values');
  if (allowCustom !== undefined && typeof allowCustom !== 'boolean') {
    problems.add(enumReader.locationOf('allow_custom_values'), 'wrong-type', 'allow_custom_values must be true or false');
  }
  return { members: members.filter(isDefined), allowCustomValues: allowCustom === true };
}

function parseMember(parent: MapReader, node: Node, problems: Problems): EnumMember | undefined {
  const reader = new MapReader(parent.file, node, `member of ${parent.what}`, MEMBER_KEYS, problems);
  const id = reader.string('id', { required: true });
  const value = reader.plain('value');
  if (typeof value !== 'string' && typeof value !== 'number') {
    problems.add(reader.locationOf('value'), value === undefined ? 'missing-key' : 'wrong-type', `member "${id ?? '?'}" needs a string or number "value"`);
    return undefined;
  }
  if (id === undefined) return undefined;
  return { id, value, brief: reader.string('brief')?.trim(), location: reader.location };
}

function parseRequirementLevel(reader: MapReader, problems: Problems): RequirementLevel | undefined {
  const node = reader.valueNode('requirement_level');
  if (node === undefined) return undefined;
  if (isMap(node)) {
    const inner = new MapReader(reader.file, node, `requirement_level of ${reader.what}`, ['conditionally_required', 'recommended'], problems);
    const level = inner.has('conditionally_required') ? 'conditionally_required' : inner.has('recommended') ? 'recommended' : undefined;
    if (level === undefined) {
      problems.add(inner.location, 'unknown-requirement-level', 'requirement_level mapping needs "conditionally_required" or "recommended"');
      return undefined;
    }
    return { level, text: inner.string(level)?.trim() };
  }
  const level = reader.choice('requirement_level', REQUIREMENT_LEVELS, 'unknown-requirement-level', false);
  return level === undefined ? undefined : { level };
}

function parseDeprecated(reader: MapReader, problems: Problems): Deprecation | undefined {
  const node = reader.valueNode('deprecated');
  if (node === undefined) return undefined;
  if (isScalar(node)) return { reason: String(node.value) };
  const inner = new MapReader(reader.file, node, `deprecated of ${reader.what}`, DEPRECATED_KEYS, problems);
  const reason = inner.string('reason', { required: true }) ?? 'deprecated';
  return { reason, renamedTo: inner.string('renamed_to') };
}

function isDefined<T>(value: T | undefined): value is T {
  return value !== undefined;
}
