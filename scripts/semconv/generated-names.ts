/**
 * Every name the generated TypeScript declares, derived from the registry in
 * one place: the code generator uses these functions, and the validator
 * checks with them, before anything is written, that no two things get the
 * same name where that would not compile (one module namespace, since
 * index.ts re-exports every file; one interface; one span class) and that no
 * recorder property shadows what every object inherits.
 */
import { InstrumentedSpan } from '../../src/runtime/spans.ts';
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
export const eventAttributesType = (event: EventDefinition): string => `${signalBaseName(event)}EventAttributes`;
export const eventRecorderName = (event: EventDefinition): string => `record${signalBaseName(event)}Event`;
export const eventRecorderVariable = (event: EventDefinition): string => `${camelCase(signalStem(event))}EventRecorder`;
export const eventDescriptorConstant = (event: EventDefinition): string => `${constantCase(signalStem(event))}_EVENT`;
export const spanClass = (span: SpanDefinition): string => `${signalBaseName(span)}Span`;
export const spanAttributesType = (span: SpanDefinition): string => `${signalBaseName(span)}SpanAttributes`;
export const spanDescriptorConstant = (span: SpanDefinition): string => `${constantCase(signalStem(span))}_SPAN`;
export const spanStartFunction = (span: SpanDefinition): string => `start${spanClass(span)}`;
export const spanWithFunction = (span: SpanDefinition): string => `with${spanClass(span)}`;
export const noopSpanConstant = (span: SpanDefinition): string => `NOOP_${constantSuffix(signalStem(span))}_SPAN`;

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

/** Span attributes with a setter: not those that fill the name, nor those filled from an error. */
export function settableUses(span: SpanDefinition): AttributeUse[] {
  return recordableUses(span.attributes).filter((use) => !span.nameAttributes.includes(use.attribute.id) && use.onError === undefined);
}

/** What each generated file imports from the runtime and its siblings, so declarations cannot shadow them. */
export const RUNTIME_IMPORTS = {
  attributes: ['AttributeSpec'],
  metrics: ['metricRecorder', 'MetricDescriptor', 'SCOPE'],
  spans: ['InstrumentedSpan', 'runInSpan', 'scopeTracer', 'startOtelSpan', 'SpanDescriptor', 'SpanStartOptions', 'SCOPE', 'tracer'],
  events: ['eventRecorder', 'EventDescriptor', 'EventRecordOptions'],
} as const;

const INHERITED = new Set(Object.getOwnPropertyNames(Object.prototype));
const SPAN_MEMBERS = new Set(['setChecked', ...Object.getOwnPropertyNames(InstrumentedSpan.prototype)]);

type Named = readonly [name: string, what: string, location: SourceLocation];
const GENERATED: SourceLocation = { file: '(generated)', line: 1, column: 1 };

/** Reports every name the generated code would declare twice, or that would shadow an inherited member. */
export function checkGeneratedNames(spec: Spec, problems: Problems): void {
  const attributeNames = spec.attributes.flatMap(attributeDeclarations);
  const exported: Named[] = [
    ...['SCOPE_NAME', 'SCOPE_VERSION', 'SCHEMA_URL', 'SCOPE', 'ALL_METRICS', 'ALL_SPANS', 'ALL_EVENTS'].map((name): Named => [name, 'a fixed export', GENERATED]),
    ...attributeNames,
    ...spec.metrics.flatMap((m) => metricNames(m, [])),
    ...spec.spans.flatMap((s) => spanNames(s, [])),
    ...spec.events.flatMap((e) => eventNames(e, [])),
  ];
  unique(exported, 'generated export', problems);
  // A file's imports and module-private names share its namespace with its exports.
  const imports = (names: readonly string[]): Named[] => names.map((name) => [name, 'an import of the generated file', GENERATED]);
  const inFile = (file: string, fixed: readonly string[], own: Named[]): void => {
    const taken = new Map(imports(fixed).map((named) => [named[0], named]));
    for (const named of own) {
      const earlier = taken.get(named[0]);
      if (earlier !== undefined) problems.add(named[2], 'name-collision', `name ${named[0]} in ${file} of ${named[1]} is already ${earlier[1]}`);
    }
  };
  inFile('metrics.ts', RUNTIME_IMPORTS.metrics, spec.metrics.flatMap((m) => metricNames(m, [metricRecorderVariable(m)])));
  inFile('spans.ts', RUNTIME_IMPORTS.spans, spec.spans.flatMap((s) => spanNames(s, [noopSpanConstant(s)])));
  inFile('events.ts', RUNTIME_IMPORTS.events, spec.events.flatMap((e) => eventNames(e, [eventRecorderVariable(e)])));
  // Module-private names of one file must differ from each other too.
  unique(spec.metrics.map((m): Named => [metricRecorderVariable(m), `metric "${m.metricName}"`, m.location]), 'private name in metrics.ts', problems);
  unique(spec.spans.map((s): Named => [noopSpanConstant(s), `span "${s.groupId}"`, s.location]), 'private name in spans.ts', problems);
  unique(spec.events.map((e): Named => [eventRecorderVariable(e), `event "${e.eventName}"`, e.location]), 'private name in events.ts', problems);
  for (const signal of [...spec.metrics, ...spec.spans, ...spec.events]) checkProperties(signal, problems);
  for (const span of spec.spans) {
    unique(
      settableUses(span).map((use): Named => [spanSetter(use.attribute), `attribute "${use.attribute.id}"`, use.location]),
      `setter of span "${span.groupId}"`,
      problems,
    );
    for (const use of settableUses(span)) {
      if (SPAN_MEMBERS.has(spanSetter(use.attribute))) {
        problems.add(use.location, 'reserved-name', `attribute "${use.attribute.id}" of span "${span.groupId}" would get the setter ${spanSetter(use.attribute)}, which every span already has`);
      }
    }
  }
}

/** The names a signal's generated code exports, after the module-private ones given. */
function metricNames(m: MetricDefinition, privateNames: readonly string[]): Named[] {
  return [...privateNames, metricConstant(m), metricDescriptorConstant(m), metricAttributesType(m), metricRecorderName(m)].map((name) => [name, `metric "${m.metricName}"`, m.location]);
}

function spanNames(s: SpanDefinition, privateNames: readonly string[]): Named[] {
  return [...privateNames, spanClass(s), spanAttributesType(s), spanDescriptorConstant(s), spanStartFunction(s), spanWithFunction(s)].map((name) => [name, `span "${s.groupId}"`, s.location]);
}

function eventNames(e: EventDefinition, privateNames: readonly string[]): Named[] {
  return [...privateNames, eventAttributesType(e), eventRecorderName(e), eventDescriptorConstant(e)].map((name) => [name, `event "${e.eventName}"`, e.location]);
}

function attributeDeclarations(attribute: AttributeDefinition): Named[] {
  const what = `attribute "${attribute.id}"`;
  const names: Named[] = [[attributeConstant(attribute), what, attribute.location]];
  if (!isTemplateType(attribute.type)) names.push([attributeSpecConstant(attribute), what, attribute.location]);
  if (typeof attribute.type === 'object' && 'members' in attribute.type) {
    names.push([enumValueType(attribute), what, attribute.location]);
    for (const member of attribute.type.members) names.push([enumMemberConstant(attribute, member), `member "${member.id}" of ${what}`, member.location]);
  }
  return names;
}

function checkProperties(signal: Signal, problems: Problems): void {
  const owner = 'metricName' in signal ? `metric "${signal.metricName}"` : 'eventName' in signal ? `event "${signal.eventName}"` : `span "${signal.groupId}"`;
  const uses = recordableUses(signal.attributes);
  unique(uses.map((use): Named => [propertyName(use.attribute), `attribute "${use.attribute.id}"`, use.location]), `property of ${owner}`, problems);
  for (const use of uses) {
    if (INHERITED.has(propertyName(use.attribute))) {
      problems.add(use.location, 'reserved-name', `attribute "${use.attribute.id}" of ${owner} would be the property "${propertyName(use.attribute)}", which every JavaScript object inherits; rename the attribute`);
    }
  }
}

/** Reports each repeated name after its first appearance. */
function unique(names: readonly Named[], what: string, problems: Problems): void {
  const first = new Map<string, Named>();
  // Two things that clash clash in several names (ATTR_ and SPEC_): one report a pair says it.
  const reported = new Set<string>();
  for (const named of names) {
    const [name, owner, location] = named;
    const earlier = first.get(name);
    if (earlier === undefined) {
      first.set(name, named);
      continue;
    }
    const pair = `${owner}@${location.file}:${location.line}|${earlier[1]}@${earlier[2].file}:${earlier[2].line}`;
    if (reported.has(pair)) continue;
    reported.add(pair);
    const where = earlier[2].file === '(generated)' ? earlier[1] : `${earlier[1]} at ${earlier[2].file}:${earlier[2].line}:${earlier[2].column}`;
    const hint = owner.startsWith('attribute') && earlier[1].startsWith('attribute') ? ' (set annotations.flo.code_name on one of the two attributes)' : '';
    problems.add(location, 'name-collision', `${what} ${name} of ${owner} is already the name of ${where}${hint}`);
  }
}
