/**
 * Pieces of the semantic-convention model that both file formats share:
 * attribute types, enum members, requirement levels, deprecation, stability,
 * annotations, and the attribute entries of a group or signal.
 */
import {
  ATTRIBUTE_ROLES,
  BODY_TYPES,
  type BodyField,
  PRIMITIVE_TYPES,
  REQUIREMENT_LEVELS,
  STABILITY_LEVELS,
  type AttributeType,
  type Deprecation,
  type EnumMember,
  type EnumType,
  type PrimitiveType,
  type RequirementLevel,
  type Stability,
} from './model.ts';
import type { Problems } from './problems.ts';
import { IMPORT_KINDS, type RawAttributeDefinition, type RawAttributeEntry, type RawAttributeRef, type RawImport, type Refinements } from './raw.ts';
import { get, isMap, isScalar, MapReader, nameOf, type Node, type YamlFile } from './yaml-reader.ts';

const MEMBER_KEYS = ['id', 'value', 'brief', 'note', 'stability', 'deprecated', 'annotations'];
/** `allow_custom_values` is legacy syntax the standard ignores: enums are open either way. */
const ENUM_KEYS = ['members', 'allow_custom_values'];
const DEPRECATED_KEYS = ['reason', 'renamed_to', 'note'];
const DEPRECATION_REASONS = ['renamed', 'obsoleted', 'uncategorized', 'unspecified'];
const TEMPLATE = /^template\[(.+)\]$/;

/** An empty note says nothing; the model allows it. */
export function emptyAsUndefined(text: string | undefined): string | undefined {
  const trimmed = text?.trim();
  return trimmed === '' ? undefined : trimmed;
}

export function isDefined<T>(value: T | undefined): value is T {
  return value !== undefined;
}

/** The v1 `experimental` is an alias of `development`, as in Weaver. */
export function parseStability(reader: MapReader): Stability | undefined {
  if (reader.has('stability') && reader.string('stability') === 'experimental') return 'development';
  return reader.choice('stability', STABILITY_LEVELS, 'unknown-stability', false);
}

export function parseAnnotations(reader: MapReader, problems: Problems): Record<string, unknown> {
  const node = reader.valueNode('annotations');
  if (node === undefined) return {};
  if (!isMap(node)) {
    problems.add(reader.locationOf('annotations'), 'wrong-type', `"annotations" of ${reader.what} must be a mapping`);
    return {};
  }
  return reader.file.toJS(node) as Record<string, unknown>;
}

export function parseExamples(reader: MapReader): unknown[] | undefined {
  const examples = reader.plain('examples');
  if (examples === undefined) return undefined;
  return Array.isArray(examples) ? examples : [examples];
}

export function parseRequirementLevel(reader: MapReader, problems: Problems): RequirementLevel | undefined {
  const node = reader.valueNode('requirement_level');
  if (node === undefined) return undefined;
  if (isMap(node)) {
    const inner = new MapReader(reader.file, node, `requirement_level of ${reader.what}`, ['conditionally_required', 'recommended', 'opt_in'], problems);
    const level = (['conditionally_required', 'recommended', 'opt_in'] as const).find((key) => inner.has(key));
    if (level === undefined) {
      problems.add(inner.location, 'unknown-requirement-level', 'requirement_level mapping needs "conditionally_required", "recommended" or "opt_in"');
      return undefined;
    }
    return { level, text: inner.string(level)?.trim() };
  }
  const level = reader.choice('requirement_level', REQUIREMENT_LEVELS, 'unknown-requirement-level', false);
  if (level === 'conditionally_required') {
    problems.add(reader.locationOf('requirement_level'), 'unknown-requirement-level', 'conditionally_required needs its condition: `conditionally_required: <when>`');
    return undefined;
  }
  return level === undefined ? undefined : { level };
}

/** The structured form (`reason: renamed`, `renamed_to`, `note`), or the legacy free-text string. */
export function parseDeprecated(reader: MapReader, problems: Problems): Deprecation | undefined {
  const node = reader.valueNode('deprecated');
  if (node === undefined) return undefined;
  if (isScalar(node) && typeof node.value === 'string' && node.value.trim() !== '') return { reason: 'uncategorized', note: node.value.trim() };
  if (!isMap(node)) {
    problems.add(reader.locationOf('deprecated'), 'wrong-type', `"deprecated" of ${reader.what} must be a mapping with a "reason" (renamed, obsoleted, uncategorized); omit it when not deprecated`);
    return undefined;
  }
  const inner = new MapReader(reader.file, node, `deprecated of ${reader.what}`, DEPRECATED_KEYS, problems);
  const reason = inner.choice('reason', DEPRECATION_REASONS, 'unknown-deprecation-reason', true);
  const renamedTo = inner.string('renamed_to');
  if (reason === 'renamed' && renamedTo === undefined) inner.require('renamed_to');
  if (reason === undefined) return undefined;
  return { reason, renamedTo, note: inner.string('note')?.trim() };
}

export function parseAttributeType(reader: MapReader, problems: Problems): AttributeType | undefined {
  const node = reader.valueNode('type');
  if (node === undefined) {
    reader.require('type');
    return undefined;
  }
  if (isMap(node)) return parseEnumType(reader, node, problems);
  const text = reader.string('type');
  if (text === undefined) return undefined;
  const template = TEMPLATE.exec(text)?.[1];
  const base = template ?? text;
  if (!(PRIMITIVE_TYPES as readonly string[]).includes(base)) {
    problems.add(reader.locationOf('type'), 'unknown-type', `"type" of ${reader.what} is "${text}", expected one of: ${PRIMITIVE_TYPES.join(', ')}, template[<type>] or an enum (members)`);
    return undefined;
  }
  return template === undefined ? (base as PrimitiveType) : { template: base as PrimitiveType };
}

function parseEnumType(reader: MapReader, node: Node, problems: Problems): EnumType | undefined {
  const enumReader = new MapReader(reader.file, node, `enum type of ${reader.what}`, ENUM_KEYS, problems);
  enumReader.boolean('allow_custom_values');
  const members = enumReader.sequence('members').map((item) => parseMember(enumReader, item, problems));
  if (members.length === 0) {
    problems.add(enumReader.location, 'empty-enum', `enum type of ${reader.what} has no members`);
    return undefined;
  }
  return { members: members.filter(isDefined), allowCustomValues: true };
}

function parseMember(parent: MapReader, node: Node, problems: Problems): EnumMember | undefined {
  const reader = new MapReader(parent.file, node, `member of ${parent.what}`, MEMBER_KEYS, problems);
  const id = reader.string('id', { required: true });
  const valueNode = reader.valueNode('value');
  const value = isScalar(valueNode) ? valueNode.value : undefined;
  const valid = typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
  if (!valid) {
    const what = value === undefined && !reader.has('value') ? 'needs' : 'has no usable';
    problems.add(reader.locationOf('value'), reader.has('value') ? 'wrong-type' : 'missing-key', `member "${id ?? '?'}" ${what} "value" (a string, a finite number or a boolean)`);
    return undefined;
  }
  parseAnnotations(reader, problems);
  if (id === undefined) return undefined;
  return {
    id,
    value: value as string | number | boolean,
    brief: reader.string('brief')?.trim(),
    note: reader.string('note')?.trim(),
    stability: parseStability(reader),
    deprecated: parseDeprecated(reader, problems),
    location: reader.location,
  };
}

const BODY_KEYS = ['id', 'type', 'brief', 'note', 'stability', 'examples', 'requirement_level', 'fields', 'members'];
/** Nesting of map bodies deeper than this is refused: no registry needs it, and a cycle through aliases would never end. */
const MAX_BODY_DEPTH = 16;

/**
 * An event's `body` (Weaver's AnyValue specification): a typed value with an id, and for a `map`
 * or `map[]` its `fields`, for an `enum` its `members`. Undefined, with the problems said, when it
 * cannot be read.
 */
export function parseBody(file: YamlFile, node: Node, what: string, problems: Problems, depth = 0): BodyField | undefined {
  const reader = new MapReader(file, node, what, BODY_KEYS, problems);
  const id = reader.string('id', { required: true });
  const type = reader.choice('type', BODY_TYPES, 'unknown-type', true);
  if (id === undefined || type === undefined) return undefined;
  const nested = type === 'map' || type === 'map[]';
  if (reader.has('fields') && !nested) problems.add(reader.locationOf('fields'), 'unknown-key', `"fields" of ${what} belong to a map or map[] only, not to a ${type}`);
  if (reader.has('members') && type !== 'enum') problems.add(reader.locationOf('members'), 'unknown-key', `"members" of ${what} belong to an enum only, not to a ${type}`);
  if (nested && depth >= MAX_BODY_DEPTH) {
    problems.add(reader.location, 'wrong-type', `${what} nests maps more than ${MAX_BODY_DEPTH} deep`);
    return undefined;
  }
  const fields = nested ? reader.sequence('fields').map((item) => parseBody(file, item, `field "${nameOf(item, 'id')}" of ${what}`, problems, depth + 1)).filter(isDefined) : undefined;
  const members = type === 'enum' ? reader.sequence('members').map((item) => parseMember(reader, item, problems)).filter(isDefined) : undefined;
  if (type === 'enum' && (members ?? []).length === 0) problems.add(reader.location, 'empty-enum', `${what} is an enum with no members`);
  return {
    id,
    type,
    brief: reader.string('brief', { allowEmpty: true })?.trim(),
    note: emptyAsUndefined(reader.string('note', { allowEmpty: true })),
    stability: parseStability(reader),
    examples: parseExamples(reader),
    // Weaver's default, as for attributes.
    requirementLevel: parseRequirementLevel(reader, problems) ?? { level: 'recommended' },
    fields,
    members,
    location: reader.location,
  };
}

/** The refinable fields, shared by definitions and references. */
function parseRefinements(reader: MapReader, problems: Problems): Refinements {
  const samplingRelevant = reader.boolean('sampling_relevant');
  return {
    brief: reader.string('brief', { allowEmpty: true })?.trim(),
    note: emptyAsUndefined(reader.string('note', { allowEmpty: true })),
    examples: parseExamples(reader),
    requirementLevel: parseRequirementLevel(reader, problems),
    stability: parseStability(reader),
    deprecated: parseDeprecated(reader, problems),
    samplingRelevant,
    role: reader.choice('role', ATTRIBUTE_ROLES, 'unknown-role', false),
    annotations: reader.has('annotations') ? parseAnnotations(reader, problems) : undefined,
  };
}

export interface EntryKeys {
  /** Keys of a definition, or undefined where definitions are not allowed here. */
  readonly definition?: readonly string[];
  readonly reference: readonly string[];
  readonly refGroup: boolean;
  /** The key that names a definition: `id` (v1) or `key` (v2). */
  readonly idKey: 'id' | 'key';
}

export function parseAttributeDefinition(file: YamlFile, node: Node, keys: readonly string[], idKey: 'id' | 'key', problems: Problems): RawAttributeDefinition | undefined {
  const name = nameOf(node, idKey);
  const reader = new MapReader(file, node, `attribute "${name}"`, keys, problems);
  const id = reader.string(idKey, { required: true });
  const type = parseAttributeType(reader, problems);
  const refinements = parseRefinements(reader, problems);
  if (refinements.brief === undefined) reader.require('brief', 'missing-brief');
  if (id === undefined || type === undefined || refinements.brief === undefined) return undefined;
  return {
    ...refinements,
    kind: 'def',
    id,
    type,
    brief: refinements.brief,
    examplesLocation: reader.locationOf('examples'),
    annotationsLocation: reader.locationOf('annotations'),
    location: reader.location,
  };
}

/** One item of a group's or signal's `attributes:` list. */
export function parseEntry(file: YamlFile, node: Node, keys: EntryKeys, problems: Problems): RawAttributeEntry | undefined {
  if (!isMap(node)) {
    problems.add(file.locate(node), 'wrong-type', 'an attribute entry must be a mapping');
    return undefined;
  }
  if (get(node, 'ref_group') !== undefined) {
    if (!keys.refGroup) {
      problems.add(file.locate(node), 'unknown-key', '"ref_group" is only valid in files with `file_format: definition/2`');
      return undefined;
    }
    const reader = new MapReader(file, node, 'attribute group reference', ['ref_group'], problems);
    const refGroup = reader.string('ref_group', { required: true });
    return refGroup === undefined ? undefined : { kind: 'ref_group', refGroup, location: reader.location };
  }
  if (get(node, 'ref') !== undefined) return parseRef(file, node, keys.reference, problems);
  if (keys.definition === undefined) {
    problems.add(file.locate(node), 'missing-ref', 'an attribute entry here needs "ref" (attributes are defined in `attributes:` sections)');
    return undefined;
  }
  return parseAttributeDefinition(file, node, keys.definition, keys.idKey, problems);
}

function parseRef(file: YamlFile, node: Node, keys: readonly string[], problems: Problems): RawAttributeRef | undefined {
  const reader = new MapReader(file, node, `reference to "${nameOf(node, 'ref')}"`, keys, problems);
  const ref = reader.string('ref', { required: true, rule: 'missing-ref' });
  const refinements = parseRefinements(reader, problems);
  if (ref === undefined) return undefined;
  return { ...refinements, kind: 'ref', ref, annotationsLocation: reader.locationOf('annotations'), location: reader.location };
}

/** `imports:` lists wildcards (`gen_ai.*`) of signals to take from dependencies. */
export function parseImports(top: MapReader, problems: Problems): RawImport[] {
  const node = top.valueNode('imports');
  if (node === undefined) return [];
  const reader = new MapReader(top.file, node, 'imports', IMPORT_KINDS, problems);
  const imports: RawImport[] = [];
  for (const kind of IMPORT_KINDS) {
    for (const item of reader.sequence(kind)) {
      if (isScalar(item) && typeof item.value === 'string' && item.value !== '') {
        imports.push({ kind, pattern: item.value, location: top.file.locate(item) });
      } else {
        problems.add(top.file.locate(item), 'wrong-type', `imports.${kind} lists names or wildcards (strings)`);
      }
    }
  }
  return imports;
}
