/**
 * Reads a `file_format: definition/2` file into the same raw groups as the
 * v1 format, with the ids Weaver gives them: `span.<type>`, `metric.<name>`,
 * `event.<name>`, `entity.<type>`; refinements keep their own id and point at
 * the signal they refine.
 */
import { INSTRUMENTS, SPAN_KINDS, type AttributeRole } from './model.ts';
import {
  isDefined,
  parseAnnotations,
  parseAttributeDefinition,
  parseBody,
  parseDeprecated,
  parseEntry,
  parseImports,
  parseStability,
  type EntryKeys,
} from './parse-common.ts';
import type { Problems } from './problems.ts';
import type { GroupType, RawAttributeEntry, RawFile, RawGroup } from './raw.ts';
import { MapReader, nameOf, type Node, type YamlFile } from './yaml-reader.ts';

const SECTIONS = [
  'file_format', 'attributes', 'attribute_groups', 'spans', 'span_refinements', 'metrics', 'metric_refinements',
  'events', 'event_refinements', 'entities', 'entity_refinements', 'imports',
];
const DEFINITION_KEYS = ['key', 'type', 'brief', 'note', 'stability', 'deprecated', 'annotations', 'examples'];
const REF_KEYS = ['ref', 'brief', 'note', 'examples', 'annotations', 'stability', 'deprecated', 'requirement_level'];
const SPAN_REF_KEYS = [...REF_KEYS, 'sampling_relevant'];
const ENTRIES: EntryKeys = { reference: REF_KEYS, refGroup: true, idKey: 'key' };
const SPAN_ENTRIES: EntryKeys = { reference: SPAN_REF_KEYS, refGroup: true, idKey: 'key' };
const SIGNAL_KEYS = ['brief', 'note', 'stability', 'requirement_level', 'deprecated', 'attributes', 'entity_associations', 'annotations'];
const REFINEMENT_KEYS = ['id', 'ref', 'brief', 'note', 'stability', 'deprecated', 'attributes', 'entity_associations', 'annotations'];

interface SectionShape {
  readonly type: GroupType;
  /** The key naming the signal, and the prefix of the id it resolves to. */
  readonly nameKey: 'type' | 'name' | 'id';
  readonly idPrefix: string;
  readonly keys: readonly string[];
  readonly entries: EntryKeys;
  /** For refinements: the prefix of the refined signal's id. */
  readonly refines?: string;
}

const SHAPES: Record<string, SectionShape> = {
  spans: { type: 'span', nameKey: 'type', idPrefix: 'span.', keys: ['type', 'kind', 'name', ...SIGNAL_KEYS], entries: SPAN_ENTRIES },
  span_refinements: { type: 'span', nameKey: 'id', idPrefix: '', keys: [...REFINEMENT_KEYS, 'name'], entries: SPAN_ENTRIES, refines: 'span.' },
  metrics: { type: 'metric', nameKey: 'name', idPrefix: 'metric.', keys: ['name', 'instrument', 'unit', ...SIGNAL_KEYS], entries: ENTRIES },
  metric_refinements: { type: 'metric', nameKey: 'id', idPrefix: '', keys: REFINEMENT_KEYS, entries: ENTRIES, refines: 'metric.' },
  events: { type: 'event', nameKey: 'name', idPrefix: 'event.', keys: ['name', 'body', ...SIGNAL_KEYS], entries: ENTRIES },
  event_refinements: { type: 'event', nameKey: 'id', idPrefix: '', keys: REFINEMENT_KEYS, entries: ENTRIES, refines: 'event.' },
  entities: { type: 'entity', nameKey: 'type', idPrefix: 'entity.', keys: ['type', 'identity', 'description', ...SIGNAL_KEYS.filter((k) => k !== 'attributes')], entries: ENTRIES },
  entity_refinements: { type: 'entity', nameKey: 'id', idPrefix: '', keys: [...REFINEMENT_KEYS.filter((k) => k !== 'attributes'), 'identity', 'description'], entries: ENTRIES, refines: 'entity.' },
};

export function parseV2File(file: YamlFile, problems: Problems): RawFile {
  const top = new MapReader(file, file.root as Node, 'the file', SECTIONS, problems);
  const attributes = top
    .sequence('attributes')
    .map((node) => parseAttributeDefinition(file, node, DEFINITION_KEYS, 'key', problems))
    .filter(isDefined);
  const groups: RawGroup[] = top.sequence('attribute_groups').map((node) => parseAttributeGroup(file, node, problems)).filter(isDefined);
  for (const [section, shape] of Object.entries(SHAPES)) {
    for (const node of top.sequence(section)) {
      const group = parseSignal(file, node, shape, problems);
      if (group !== undefined) groups.push(group);
    }
  }
  return { groups, attributes, imports: parseImports(top, problems) };
}

function parseAttributeGroup(file: YamlFile, node: Node, problems: Problems): RawGroup | undefined {
  const name = nameOf(node, 'id');
  const reader = new MapReader(file, node, `attribute group "${name}"`, ['id', 'visibility', 'brief', 'note', 'stability', 'deprecated', 'attributes', 'annotations'], problems);
  const id = reader.string('id', { required: true });
  const visibility = reader.choice('visibility', ['internal', 'public'] as const, 'unknown-visibility', true);
  const entries = entriesOf(reader, 'attributes', ENTRIES, problems);
  if (id === undefined) return undefined;
  return {
    ...common(reader, problems),
    id,
    type: 'attribute_group',
    entries,
    visibility: visibility ?? 'internal',
    referenceLocation: reader.location,
  };
}

function parseSignal(file: YamlFile, node: Node, shape: SectionShape, problems: Problems): RawGroup | undefined {
  const name = nameOf(node, shape.nameKey);
  const reader = new MapReader(file, node, `${shape.type}${shape.refines ? ' refinement' : ''} "${name}"`, shape.keys, problems);
  const signalName = reader.string(shape.nameKey, { required: true });
  const refined = shape.refines === undefined ? undefined : reader.string('ref', { required: true, rule: 'missing-ref' });
  const entries =
    shape.type === 'entity'
      ? [...withRole(entriesOf(reader, 'identity', shape.entries, problems), 'identifying'), ...withRole(entriesOf(reader, 'description', shape.entries, problems), 'descriptive')]
      : entriesOf(reader, 'attributes', shape.entries, problems);
  if (shape.refines === undefined && reader.string('brief') === undefined) reader.require('brief', 'missing-brief');
  if (signalName === undefined || (shape.refines !== undefined && refined === undefined)) return undefined;
  return {
    ...common(reader, problems),
    id: `${shape.idPrefix}${signalName}`,
    type: shape.type,
    refines: refined === undefined ? undefined : `${shape.refines}${refined}`,
    referenceLocation: reader.locationOf('ref'),
    entries,
    spanKind: reader.choice('kind', SPAN_KINDS, 'unknown-span-kind', shape.type === 'span' && shape.refines === undefined),
    spanNameNote: shape.type === 'span' ? spanNameNote(reader, problems) : undefined,
    metricName: shape.type === 'metric' && shape.refines === undefined ? signalName : undefined,
    metricNameLocation: reader.locationOf(shape.nameKey),
    instrument: reader.choice('instrument', INSTRUMENTS, 'unknown-instrument', shape.type === 'metric' && shape.refines === undefined),
    unit: reader.string('unit', { required: shape.type === 'metric' && shape.refines === undefined, rule: 'missing-unit' }),
    unitLocation: reader.locationOf('unit'),
    name: shape.type === 'event' || shape.type === 'entity' ? (shape.refines === undefined ? signalName : undefined) : undefined,
    body: shape.type === 'event' && reader.has('body') ? parseBody(file, reader.valueNode('body') as Node, `the body of ${reader.what}`, problems) : undefined,
  };
}

function common(reader: MapReader, problems: Problems) {
  return {
    brief: reader.string('brief')?.trim(),
    note: reader.string('note')?.trim(),
    stability: parseStability(reader),
    deprecated: parseDeprecated(reader, problems),
    annotations: parseAnnotations(reader, problems),
    annotationsLocation: reader.locationOf('annotations'),
    isV2: true,
    location: reader.location,
  };
}

function entriesOf(reader: MapReader, key: string, keys: EntryKeys, problems: Problems): RawAttributeEntry[] {
  return reader
    .sequence(key)
    .map((item) => parseEntry(reader.file, item, keys, problems))
    .filter(isDefined);
}

/** An entity's `identity` and `description` lists say the role of each attribute in them. */
function withRole(entries: RawAttributeEntry[], role: AttributeRole): RawAttributeEntry[] {
  return entries.map((entry) => (entry.kind === 'ref_group' ? entry : { ...entry, role }));
}

function spanNameNote(reader: MapReader, problems: Problems): string | undefined {
  const node = reader.valueNode('name');
  if (node === undefined) return undefined;
  const inner = new MapReader(reader.file, node, `name of ${reader.what}`, ['note'], problems);
  return inner.string('note', { required: true })?.trim();
}
