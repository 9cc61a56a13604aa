/**
 * Reads one registry file: the released `groups:` format (v1) or
 * `file_format: definition/2`, into the same raw groups. Which keys each
 * object may have, and the type of each value, follow Weaver's model; every
 * problem keeps its file, line and column.
 */
import { INSTRUMENTS, SPAN_KINDS } from './model.ts';
import { parseV2File } from './parse-v2.ts';
import {
  isDefined,
  parseAnnotations,
  parseDeprecated,
  parseEntry,
  parseBody,
  parseImports,
  parseStability,
  type EntryKeys,
} from './parse-common.ts';
import type { Problems } from './problems.ts';
import { GROUP_TYPES, type GroupType, type RawFile, type RawGroup } from './raw.ts';
import { get, isMap, isScalar, MapReader, nameOf, type Node, type YamlFile } from './yaml-reader.ts';

export { GROUP_TYPES };

const GROUP_KEYS = [
  'id', 'type', 'brief', 'note', 'prefix', 'extends', 'stability', 'deprecated', 'attributes', 'span_kind', 'events',
  'metric_name', 'instrument', 'unit', 'name', 'display_name', 'body', 'annotations', 'entity_associations',
];
const V1_DEFINITION_KEYS = ['id', 'type', 'brief', 'examples', 'tag', 'requirement_level', 'sampling_relevant', 'note', 'stability', 'deprecated', 'annotations', 'role'];
const V1_REF_KEYS = ['ref', 'brief', 'examples', 'tag', 'requirement_level', 'sampling_relevant', 'note', 'stability', 'deprecated', 'prefix', 'annotations', 'role'];
const V1_ENTRY_KEYS: EntryKeys = { definition: V1_DEFINITION_KEYS, reference: V1_REF_KEYS, refGroup: false, idKey: 'id' };
const FILE_FORMATS = ['definition/1', 'definition/2'];

/** Reads one file of a registry; an empty file holds nothing. */
export function parseRegistryFile(file: YamlFile, problems: Problems): RawFile {
  const empty: RawFile = { groups: [], attributes: [], imports: [] };
  if (file.root === null) return empty;
  if (!isMap(file.root)) {
    problems.add(file.locate(file.root), 'wrong-type', 'a registry file must be a mapping with `groups:` (or `file_format: definition/2`)');
    return empty;
  }
  const formatNode = file.resolve(get(file.root, 'file_format'));
  const format = isScalar(formatNode) ? String(formatNode.value) : undefined;
  if (format !== undefined && !FILE_FORMATS.includes(format)) {
    problems.add(file.locate(formatNode), 'unknown-file-format', `file_format "${format}" is not one of: ${FILE_FORMATS.join(', ')}`);
    return empty;
  }
  if (format === 'definition/2') return parseV2File(file, problems);
  const top = new MapReader(file, file.root, 'the file', ['file_format', 'groups', 'imports'], problems);
  const groups = top.sequence('groups').map((node) => parseGroup(file, node, problems)).filter(isDefined);
  return { groups, attributes: [], imports: parseImports(top, problems) };
}

function parseGroup(file: YamlFile, node: Node, problems: Problems): RawGroup | undefined {
  const type = groupType(file, node, problems);
  if (type === undefined) return undefined;
  const name = nameOf(node, 'id');
  const reader = new MapReader(file, node, `${type} group "${name}"`, GROUP_KEYS, problems);
  const id = reader.string('id', { required: true });
  const entries = reader.sequence('attributes').map((item) => parseEntry(file, item, V1_ENTRY_KEYS, problems));
  if (reader.has('prefix')) problems.add(reader.locationOf('prefix'), 'unknown-key', '"prefix" is no longer part of the model: give attributes their full id');
  if (!reader.has('brief')) reader.require('brief', 'missing-brief');
  if (id === undefined) return undefined;
  if (type === 'span' && !reader.has('span_kind')) reader.require('span_kind');
  return {
    id,
    type,
    brief: reader.string('brief')?.trim(),
    note: reader.string('note')?.trim(),
    stability: parseStability(reader),
    deprecated: parseDeprecated(reader, problems),
    extends: reader.string('extends'),
    referenceLocation: reader.locationOf('extends'),
    entries: entries.filter(isDefined),
    spanKind: reader.choice('span_kind', SPAN_KINDS, 'unknown-span-kind', false),
    metricName: reader.string('metric_name', { required: type === 'metric' }),
    metricNameLocation: reader.locationOf('metric_name'),
    instrument: reader.choice('instrument', INSTRUMENTS, 'unknown-instrument', type === 'metric'),
    unit: reader.string('unit', { required: type === 'metric', rule: 'missing-unit' }),
    unitLocation: reader.locationOf('unit'),
    name: reader.string('name', { required: type === 'event' }),
    body: bodyOf(file, reader, type, problems),
    annotations: parseAnnotations(reader, problems),
    annotationsLocation: reader.locationOf('annotations'),
    isV2: false,
    location: reader.location,
  };
}

/** An event's body; on any other group, a problem. */
function bodyOf(file: YamlFile, reader: MapReader, type: GroupType, problems: Problems) {
  const node = reader.valueNode('body');
  if (node === undefined) return undefined;
  if (type !== 'event') {
    problems.add(reader.locationOf('body'), 'unknown-key', `"body" of ${reader.what} belongs to events only`);
    return undefined;
  }
  return parseBody(file, node, `the body of ${reader.what}`, problems);
}

function groupType(file: YamlFile, node: Node, problems: Problems): GroupType | undefined {
  if (!isMap(node)) {
    problems.add(file.locate(node), 'wrong-type', 'a group must be a mapping');
    return undefined;
  }
  const typeNode = file.resolve(get(node, 'type'));
  const type = isScalar(typeNode) ? String(typeNode.value) : undefined;
  if (type === undefined) {
    problems.add(file.locate(node), 'missing-key', 'a group is missing "type"');
    return undefined;
  }
  const canonical = type === 'resource' ? 'entity' : type;
  if (!(GROUP_TYPES as readonly string[]).includes(canonical)) {
    problems.add(file.locate(typeNode), 'unknown-group-type', `group type "${type}" is not one of: ${GROUP_TYPES.join(', ')}`);
    return undefined;
  }
  return canonical as GroupType;
}
