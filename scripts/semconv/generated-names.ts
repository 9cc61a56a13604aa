/**
 * Every name the generated TypeScript declares, derived from the registry in
 * one place: the code generator uses these functions, and the validator
 * checks with them, before anything is written, that no two things get the
 * same name where that would not compile (one module namespace, since
 * index.ts re-exports every file; one interface; one span class) and that no
 * recorder property shadows what every object inherits.
 */
import { SELECTIONS, selectionName, SPAN_BASE_MEMBERS } from '../../src/runtime/rules.ts';
import {
  isTemplateType,
  type AttributeDefinition,
  type AttributeUse,
  type EnumMember,
  type EventDefinition,
  type MetricDefinition,
  type SourceLocation,
  type Spec,
  type SpanDefinition,
} from './model.ts';
import { camelCase, constantCase, constantSuffix, pascalCase } from './names.ts';
import type { Problems } from './problems.ts';

type Signal = SpanDefinition | MetricDefinition | EventDefinition;

/** The dotted stem a signal's generated names derive from: its metric or event name, else its group id. */
export function signalStem(signal: Signal): string {
  if (signal.codeName !== undefined) return signal.codeName;
  if ('metricName' in signal) return signal.groupId === `metric.${signal.metricName}` ? signal.metricName : signal.groupId;
  if ('eventName' in signal) return signal.groupId === `event.${signal.eventName}` ? signal.eventName : signal.groupId;
  return signal.groupId.replace(/^span\./, '');
}

/** The PascalCase stem of a signal's generated names. */
export const signalBaseName = (signal: Signal): string => pascalCase(signalStem(signal));

export const attributeConstant = (attribute: AttributeDefinition): string => `ATTR_${constantCase(attribute.codeName)}`;
export const attributeSpecConstant = (attribute: AttributeDefinition): string => `SPEC_${constantCase(attribute.codeName)}`;
export const enumValueType = (attribute: AttributeDefinition): string => `${pascalCase(attribute.codeName)}Value`;
export const enumMemberConstant = (attribute: AttributeDefinition, member: EnumMember): string =>
  `${constantCase(attribute.codeName)}_VALUE_${constantSuffix(member.codeName ?? member.id)}`;
export const metricConstant = (metric: MetricDefinition): string => `METRIC_${constantSuffix(signalStem(metric))}`;
export const metricDescriptorConstant = (metric: MetricDefinition): string => `${constantCase(signalStem(metric))}_METRIC`;
export const metricAttributesType = (metric: MetricDefinition): string => `${signalBaseName(metric)}Attributes`;
export const metricRecorderName = (metric: MetricDefinition): string => `record${signalBaseName(metric)}`;
export const metricRecorderVariable = (metric: MetricDefinition): string => `${camelCase(signalStem(metric))}Recorder`;
export const metricSameValuesFunction = (metric: MetricDefinition): string => `same${signalBaseName(metric)}Values`;
export const eventAttributesType = (event: EventDefinition): string => `${signalBaseName(event)}EventAttributes`;
export const eventRecorderName = (event: EventDefinition): string => `record${signalBaseName(event)}Event`;
export const eventRecorderVariable = (event: EventDefinition): string => `${camelCase(signalStem(event))}EventRecorder`;
export const eventDescriptorConstant = (event: EventDefinition): string => `${constantCase(signalStem(event))}_EVENT`;
/** `EVENT_GEN_AI_EVALUATION_RESULT`: the event name's constant, as Weaver's JavaScript templates name it. */
export const eventConstant = (event: EventDefinition): string => `EVENT_${constantSuffix(signalStem(event))}`;
export const eventBodyType = (event: EventDefinition): string => `${signalBaseName(event)}EventBody`;
export const spanClass = (span: SpanDefinition): string => `${signalBaseName(span)}Span`;
export const spanAttributesType = (span: SpanDefinition): string => `${signalBaseName(span)}SpanAttributes`;
export const spanDescriptorConstant = (span: SpanDefinition): string => `${constantCase(signalStem(span))}_SPAN`;
export const spanStartFunction = (span: SpanDefinition): string => `start${spanClass(span)}`;
export const spanWithFunction = (span: SpanDefinition): string => `with${spanClass(span)}`;
export const noopSpanConstant = (span: SpanDefinition): string => `NOOP_${constantSuffix(signalStem(span))}_SPAN`;
/** The writes of a span in some selections (`suffix` names the first of them when they differ), and the start attribute builder of those writes. */
export const spanWritesConstant = (span: SpanDefinition, suffix = ''): string => `${constantCase(signalStem(span))}_SPAN_WRITES${suffix === '' ? '' : `_${constantCase(suffix)}`}`;
export const spanBuilderFunction = (span: SpanDefinition, suffix = ''): string => `build${spanClass(span)}Attributes${suffix}`;

/** The property of recorder arguments that carries an attribute. */
export function propertyName(attribute: AttributeDefinition): string {
  return attribute.propertyName ?? camelCase(attribute.id);
}

export const spanSetter = (attribute: AttributeDefinition): string => {
  const property = propertyName(attribute);
  return `set${property.charAt(0).toUpperCase()}${property.slice(1)}`;
};

/**
 * The uses a recorder takes as properties. Template attributes (`http.request.header.<key>`)
 * name a family of keys rather than one, so recorders leave them to the span's own API.
 */
export function recordableUses(uses: readonly AttributeUse[]): AttributeUse[] {
  return uses.filter((use) => !isTemplateType(use.attribute.type));
}

/** Span attributes with a setter: not those that fill the name, nor those filled from an error, nor those of a fixed value. */
export function settableUses(span: SpanDefinition): AttributeUse[] {
  return recordableUses(span.attributes).filter((use) => !span.nameAttributes.includes(use.attribute.id) && use.onError === undefined && use.value === undefined);
}

/** What a caller passes when a span starts: its recordable attributes but those of a fixed value, which the helpers write. */
export function startAttributeUses(span: SpanDefinition): AttributeUse[] {
  return recordableUses(span.attributes).filter((use) => use.value === undefined);
}

/** What each generated file imports from the runtime and its siblings, so declarations cannot shadow them. */
export const RUNTIME_IMPORTS = {
  attributes: ['AttributeSpec'],
  metrics: ['bindingGeneration', 'metricRecorder', 'MetricDescriptor', 'Counter', 'Gauge', 'Histogram', 'UpDownCounter', 'SCOPE'],
  spans: ['InstrumentedSpan', 'runInSpan', 'scopeTracer', 'startOtelSpan', 'putSpanAttribute', 'unnamedSpanName', 'Attributes', 'AttributeField', 'SpanWrite', 'SpanConventions', 'SpanDescriptor', 'SpanStartOptions', 'SCOPE', 'tracer'],
  events: ['eventRecorder', 'EventBodyOptions', 'EventDescriptor', 'EventRecordOptions', 'SCOPE'],
} as const;

const INHERITED = new Set(Object.getOwnPropertyNames(Object.prototype));
const SPAN_MEMBERS = new Set(SPAN_BASE_MEMBERS);
/** `Flo`, `GenAiGenAiLatestExperimental`: the suffixes of a span's per-selection constants. */
export const SELECTION_SUFFIXES: readonly string[] = SELECTIONS.map((selection) => pascalCase(selectionName(selection)));

/** Who declares a name; described only when a clash is reported, so checking a large registry builds no text per name. */
interface Owner {
  readonly what: () => string;
  readonly location: SourceLocation;
}

const GENERATED: SourceLocation = { file: '(generated)', line: 1, column: 1 };
const FIXED_EXPORT: Owner = { what: () => 'a fixed export', location: GENERATED };
const AN_IMPORT: Owner = { what: () => 'an import of the generated file', location: GENERATED };
const FIXED_EXPORTS = ['SCOPE_NAME', 'SCOPE_VERSION', 'SCHEMA_URL', 'SCOPE', 'ALL_METRICS', 'ALL_SPANS', 'ALL_EVENTS'];

const attributeOwner = (attribute: AttributeDefinition): Owner => ({ what: () => `attribute "${attribute.id}"`, location: attribute.location });
const memberOwner = (attribute: AttributeDefinition, member: EnumMember): Owner => ({ what: () => `member "${member.id}" of attribute "${attribute.id}"`, location: member.location });
const metricOwner = (m: MetricDefinition): Owner => ({ what: () => `metric "${m.metricName}"`, location: m.location });
const spanOwner = (s: SpanDefinition): Owner => ({ what: () => `span "${s.groupId}"`, location: s.location });
const eventOwner = (e: EventDefinition): Owner => ({ what: () => `event "${e.eventName}"`, location: e.location });

/** Reports every name the generated code would declare twice, or that would shadow an inherited member. */
export function checkGeneratedNames(spec: Spec, problems: Problems): void {
  const exported = new Namespace('generated export', problems);
  for (const name of FIXED_EXPORTS) exported.claim(name, FIXED_EXPORT);
  for (const attribute of spec.attributes) claimAttributeDeclarations(exported, attribute);
  for (const m of spec.metrics) exported.claimAll(metricNames(m), metricOwner(m));
  for (const s of spec.spans) exported.claimAll(spanNames(s), spanOwner(s));
  for (const e of spec.events) exported.claimAll(eventNames(e), eventOwner(e));
  // A file's imports and module-private names share its namespace with its exports.
  const inFile = <T>(file: string, fixed: readonly string[], signals: readonly T[], names: (signal: T) => string[], owner: (signal: T) => Owner): void => {
    const imports = new Set(fixed);
    for (const signal of signals) {
      for (const name of names(signal)) {
        if (imports.has(name)) problems.add(owner(signal).location, 'name-collision', `name ${name} in ${file} of ${owner(signal).what()} is already ${AN_IMPORT.what()}`);
      }
    }
  };
  inFile('metrics.ts', RUNTIME_IMPORTS.metrics, spec.metrics, (m) => [metricRecorderVariable(m), metricSameValuesFunction(m), ...metricNames(m)], metricOwner);
  inFile('spans.ts', RUNTIME_IMPORTS.spans, spec.spans, (s) => [noopSpanConstant(s), spanWritesConstant(s), spanBuilderFunction(s), ...spanNames(s)], spanOwner);
  inFile('events.ts', RUNTIME_IMPORTS.events, spec.events, (e) => [eventRecorderVariable(e), ...eventNames(e)], eventOwner);
  // Module-private names of one file must differ from each other too.
  const metricPrivates = new Namespace('private name in metrics.ts', problems);
  for (const m of spec.metrics) {
    metricPrivates.claim(metricRecorderVariable(m), metricOwner(m));
    metricPrivates.claim(metricSameValuesFunction(m), metricOwner(m));
  }
  const spanPrivates = new Namespace('private name in spans.ts', problems);
  for (const s of spec.spans) {
    spanPrivates.claim(noopSpanConstant(s), spanOwner(s));
    // Every name a span's conventions tables may get: one set of writes, or one for each selection.
    for (const suffix of ['', ...SELECTION_SUFFIXES]) spanPrivates.claimAll([spanWritesConstant(s, suffix), spanBuilderFunction(s, suffix)], spanOwner(s));
  }
  const eventPrivates = new Namespace('private name in events.ts', problems);
  for (const e of spec.events) eventPrivates.claim(eventRecorderVariable(e), eventOwner(e));
  for (const signal of [...spec.metrics, ...spec.spans, ...spec.events]) checkProperties(signal, problems);
  for (const span of spec.spans) {
    const setters = new Namespace(`setter of span "${span.groupId}"`, problems);
    for (const use of settableUses(span)) {
      const setter = spanSetter(use.attribute);
      setters.claim(setter, { what: () => `attribute "${use.attribute.id}"`, location: use.location });
      if (SPAN_MEMBERS.has(setter)) {
        problems.add(use.location, 'reserved-name', `attribute "${use.attribute.id}" of span "${span.groupId}" would get the setter ${setter}, which every span already has`);
      }
    }
  }
}

/** The names a signal's generated code exports. */
function metricNames(m: MetricDefinition): string[] {
  return [metricConstant(m), metricDescriptorConstant(m), metricAttributesType(m), metricRecorderName(m)];
}

function spanNames(s: SpanDefinition): string[] {
  return [spanClass(s), spanAttributesType(s), spanDescriptorConstant(s), spanStartFunction(s), spanWithFunction(s)];
}

function eventNames(e: EventDefinition): string[] {
  return [eventConstant(e), eventAttributesType(e), eventRecorderName(e), eventDescriptorConstant(e), ...(e.body === undefined ? [] : [eventBodyType(e)])];
}

function claimAttributeDeclarations(names: Namespace, attribute: AttributeDefinition): void {
  const owner = attributeOwner(attribute);
  names.claim(attributeConstant(attribute), owner);
  if (!isTemplateType(attribute.type)) names.claim(attributeSpecConstant(attribute), owner);
  if (typeof attribute.type === 'object' && 'members' in attribute.type) {
    names.claim(enumValueType(attribute), owner);
    for (const member of attribute.type.members) names.claim(enumMemberConstant(attribute, member), memberOwner(attribute, member));
  }
}

function checkProperties(signal: Signal, problems: Problems): void {
  const owner = 'metricName' in signal ? `metric "${signal.metricName}"` : 'eventName' in signal ? `event "${signal.eventName}"` : `span "${signal.groupId}"`;
  const properties = new Namespace(`property of ${owner}`, problems);
  for (const use of recordableUses(signal.attributes)) {
    const property = propertyName(use.attribute);
    properties.claim(property, { what: () => `attribute "${use.attribute.id}"`, location: use.location });
    if (INHERITED.has(property)) {
      problems.add(use.location, 'reserved-name', `attribute "${use.attribute.id}" of ${owner} would be the property "${property}", which every JavaScript object inherits; rename the attribute`);
    }
  }
}

/** Names that must differ from each other; each repeat is reported after its first appearance. */
class Namespace {
  private readonly what: string;
  private readonly problems: Problems;
  private readonly first = new Map<string, Owner>();
  // Two things that clash clash in several names (ATTR_ and SPEC_): one report a pair says it.
  private readonly reported = new Set<string>();

  constructor(what: string, problems: Problems) {
    this.what = what;
    this.problems = problems;
  }

  claimAll(names: readonly string[], owner: Owner): void {
    for (const name of names) this.claim(name, owner);
  }

  claim(name: string, owner: Owner): void {
    const earlier = this.first.get(name);
    if (earlier === undefined) {
      this.first.set(name, owner);
      return;
    }
    const [what, earlierWhat] = [owner.what(), earlier.what()];
    const { location } = owner;
    const pair = `${what}@${location.file}:${location.line}|${earlierWhat}@${earlier.location.file}:${earlier.location.line}`;
    if (this.reported.has(pair)) return;
    this.reported.add(pair);
    const where = earlier.location.file === '(generated)' ? earlierWhat : `${earlierWhat} at ${earlier.location.file}:${earlier.location.line}:${earlier.location.column}`;
    const hint = what.startsWith('attribute') && earlierWhat.startsWith('attribute') ? ' (set annotations.flo.code_name on one of the two attributes)' : '';
    this.problems.add(location, 'name-collision', `${this.what} ${name} of ${what} is already the name of ${where}${hint}`);
  }
}
