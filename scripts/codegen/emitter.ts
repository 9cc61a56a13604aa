/**
 * Renders `conventions.ts`: the emitters the instrumentation reports its observations to, one for
 * each conventions selection (src/runtime/rules.ts, SELECTIONS), generated from the conventions
 * model (conventions.ts). An emitter has one method per observation of the spec; each method
 * records exactly the recordings its selection has for that observation, as straight-line calls of
 * the generated recorders with the value converted to each metric's unit and the attributes each
 * metric takes. Which selection a session uses is decided once, when telemetry is configured.
 */
import { scaleSource, SELECTIONS, selectionName } from '../../src/runtime/rules.ts';
import { eventAttributesType, eventRecorderName, metricAttributesType, metricRecorderName, propertyName } from '../semconv/generated-names.ts';
import { enumValueType } from '../semconv/generated-names.ts';
import { isEnumType, isTemplateType, type AttributeDefinition, type MetricDefinition, type Spec } from '../semconv/model.ts';
import { constantCase, pascalCase } from '../semconv/names.ts';
import type { ConventionsModel, EventRecording, Fact, Observation, Recording } from './conventions.ts';
import { docText, stringLiteral } from './escape.ts';

export interface EmitterOptions {
  /** Module specifier of the runtime support the generated code imports. */
  readonly runtimeImport: string;
  /** `./metrics.ts`, `./gen_ai_latest_experimental/metrics.ts`: how conventions.ts imports a sibling module. */
  readonly sibling: (path: string) => string;
}

/** The emitter interface's name, and the type of the emitters table. */
export const EMITTER_TYPE = 'ConventionsEmitter';

/** The statements of conventions.ts, as text, one group at a time. */
export function* emitterStatements(spec: Spec, model: ConventionsModel, options: EmitterOptions): Generator<string[]> {
  yield imports(spec, model, options);
  for (const observation of model.observations) yield [factsInterface(observation, model.facts.get(observation) ?? [], spec)];
  yield [emitterInterface(model)];
  for (const [index, { selection, recordings, events }] of model.selections.entries()) {
    yield [emitterObject(model, recordings, events, emitterConstant(index), `The ${selectionName(selection)} selection: ${describeSelection(index)}.`)];
  }
  yield [
    `/** The emitter of each conventions selection, in the order of SELECTIONS (src/runtime/rules.ts). */\nexport const EMITTERS: readonly ${EMITTER_TYPE}[] = [${model.selections.map((_, index) => emitterConstant(index)).join(', ')}];`,
  ];
  const optIns = model.targets.flatMap((target) => (target.token === undefined ? [] : [target.token]));
  yield [
    `/** The metrics of the GenAI opt-ins (generated beside this file), for checking what a session under one of them emits. */\nexport const OPT_IN_METRICS: readonly MetricDescriptor[] = [${optIns.map((token) => `...${aliased('ALL_METRICS', token)}`).join(', ')}];`,
    `/** The events of the GenAI opt-ins, likewise. */\nexport const OPT_IN_EVENTS: readonly EventDescriptor[] = [${optIns.map((token) => `...${aliased('ALL_EVENTS', token)}`).join(', ')}];`,
  ];
}

function describeSelection(index: number): string {
  const selection = SELECTIONS[index];
  if (selection === undefined) return '';
  const genAi = selection.genAiOptIn === undefined ? "the GenAI conventions of the spec's dependency" : `the GenAI conventions of ${selection.genAiOptIn}`;
  if (selection.conventions === 'flo') return "the spec's own metrics";
  return selection.conventions === 'gen_ai' ? `${genAi} only` : `the spec's own metrics and ${genAi}`;
}

const emitterConstant = (index: number): string => constantCase(selectionName(SELECTIONS[index] as (typeof SELECTIONS)[number]));

/** The alias an opt-in's generated name is imported under, so it cannot clash with the spec's own. */
const aliased = (name: string, optIn: string | undefined): string => (optIn === undefined ? name : `${name}${pascalCase(optIn)}`);

function recorderOf(recording: Recording): string {
  return aliased(metricRecorderName(recording.metric), recording.optIn);
}

function attributesTypeOf(recording: Recording): string {
  return aliased(metricAttributesType(recording.metric), recording.optIn);
}

function imports(spec: Spec, model: ConventionsModel, options: EmitterOptions): string[] {
  const all = [...model.own, ...model.targets.flatMap((target) => target.recordings)];
  const byModule = new Map<string | undefined, Map<string, string>>();
  for (const recording of all) {
    const names = byModule.get(recording.optIn) ?? new Map<string, string>();
    names.set(metricRecorderName(recording.metric), recorderOf(recording));
    names.set(`type ${metricAttributesType(recording.metric)}`, `type ${attributesTypeOf(recording)}`);
    byModule.set(recording.optIn, names);
  }
  // Event recorders come from the events module beside each metrics module.
  const eventModules = new Map<string | undefined, Map<string, string>>();
  for (const recording of allEventRecordings(model)) {
    const names = eventModules.get(recording.optIn) ?? new Map<string, string>();
    names.set(eventRecorderName(recording.event), eventRecorderOf(recording));
    names.set(`type ${eventAttributesType(recording.event)}`, `type ${eventAttributesTypeOf(recording)}`);
    eventModules.set(recording.optIn, names);
  }
  const runtimeTypes = ['EventDescriptor', 'MetricDescriptor', ...(eventModules.size > 0 ? ['EventRecordOptions'] : [])];
  const lines: string[] = [`import type { ${runtimeTypes.join(', ')} } from '${options.runtimeImport}';`];
  for (const target of model.targets) {
    if (target.token === undefined) continue;
    lines.push(`import { ALL_METRICS as ${aliased('ALL_METRICS', target.token)} } from '${options.sibling(`${target.token}/metrics`)}';`);
    lines.push(`import { ALL_EVENTS as ${aliased('ALL_EVENTS', target.token)} } from '${options.sibling(`${target.token}/events`)}';`);
  }
  const enums = [...new Set([...model.facts.values()].flat().map((fact) => closedEnumType(fact.attribute, spec)).filter((name): name is string => name !== undefined))].sort();
  if (enums.length > 0) lines.push(`import { ${enums.map((name) => `type ${name}`).join(', ')} } from '${options.sibling('attributes')}';`);
  for (const [optIn, names] of [...byModule].sort(([a], [b]) => (a ?? '').localeCompare(b ?? ''))) {
    const specifiers = [...names].sort(([a], [b]) => a.replace(/^type /, '').localeCompare(b.replace(/^type /, ''))).map(([name, alias]) => (name === alias ? name : `${name} as ${alias.replace(/^type /, '')}`));
    lines.push(`import { ${specifiers.join(', ')} } from '${options.sibling(optIn === undefined ? 'metrics' : `${optIn}/metrics`)}';`);
  }
  for (const [optIn, names] of [...eventModules].sort(([a], [b]) => (a ?? '').localeCompare(b ?? ''))) {
    lines.push(`import { ${importSpecifiers(names).join(', ')} } from '${options.sibling(optIn === undefined ? 'events' : `${optIn}/events`)}';`);
  }
  return [lines.join('\n')];
}

/** `name` or `name as alias`, sorted by name, types marked. */
function importSpecifiers(names: ReadonlyMap<string, string>): string[] {
  return [...names]
    .sort(([a], [b]) => a.replace(/^type /, '').localeCompare(b.replace(/^type /, '')))
    .map(([name, alias]) => (name === alias ? name : `${name} as ${alias.replace(/^type /, '')}`));
}

function allEventRecordings(model: ConventionsModel): EventRecording[] {
  return [...model.ownEvents, ...model.targets.flatMap((target) => target.events)];
}

function eventRecorderOf(recording: EventRecording): string {
  return aliased(eventRecorderName(recording.event), recording.optIn);
}

function eventAttributesTypeOf(recording: EventRecording): string {
  return aliased(eventAttributesType(recording.event), recording.optIn);
}

/** Whether any selection records the observation in an event: its method then takes the event options. */
function hasEvents(model: ConventionsModel, observation: Observation): boolean {
  return allEventRecordings(model).some((recording) => recording.observation === observation);
}

/** The enum value type of a closed enum of the spec (a fact must hold one of its members); undefined for any other attribute. */
function closedEnumType(attribute: AttributeDefinition, spec: Spec): string | undefined {
  if (!isEnumType(attribute.type) || attribute.type.allowCustomValues) return undefined;
  return spec.attributes.some((candidate) => candidate.id === attribute.id && candidate.dependency === attribute.dependency) ? enumValueType(attribute) : undefined;
}

function baseType(attribute: AttributeDefinition, spec: Spec): string {
  const closed = closedEnumType(attribute, spec);
  if (closed !== undefined) return closed;
  const type = attribute.type;
  if (isTemplateType(type)) return 'never';
  if (isEnumType(type)) return typeof type.members[0]?.value === 'number' ? 'number' : typeof type.members[0]?.value === 'boolean' ? 'boolean' : 'string';
  switch (type) {
    case 'string':
      return 'string';
    case 'int':
    case 'double':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'any':
      return 'unknown';
    default:
      return `readonly ${type === 'string[]' ? 'string' : type === 'boolean[]' ? 'boolean' : 'number'}[]`;
  }
}

const factsType = (observation: Observation): string => `${pascalCase(observation.name)}Facts`;

function factsInterface(observation: Observation, facts: readonly Fact[], spec: Spec): string {
  const unit = observation.unit === undefined ? 'Counted only: it has no value.' : `Its value is in \`${observation.unit}\`.`;
  const properties = facts.map((fact) => `  /** \`${docText(fact.attribute.id)}\`. */\n  readonly ${propertyName(fact.attribute)}${fact.required ? '' : '?'}: ${baseType(fact.attribute, spec)};`);
  return `/**\n * What the observation \`${docText(observation.name)}\` carries besides its value: ${docText(observation.brief)} ${unit}\n */\nexport interface ${factsType(observation)} {\n${properties.join('\n')}\n}`;
}

function emitterInterface(model: ConventionsModel): string {
  const methods = model.observations.map((observation) => {
    const events = hasEvents(model, observation);
    const parameters = [...(observation.unit === undefined ? [] : ['value: number | undefined']), `facts: ${factsType(observation)}`, ...(events ? ['options?: EventRecordOptions'] : [])].join(', ');
    const value = observation.unit === undefined ? '' : ` \`value\` in \`${observation.unit}\`, undefined when it is not known.`;
    const context = events ? ' Events are emitted in `options.context` (the span they belong to), else the active context.' : '';
    return `  /** \`${docText(observation.name)}\`: ${docText(observation.brief)}${value}${context} */\n  ${observation.method}(${parameters}): void;`;
  });
  const records = `  /**\n   * Whether the method of each observation records anything in this selection: a helper whose span is not\n   * emitted either can skip the work of observing it (a workflow node when only GenAI names are emitted).\n   */\n  readonly records: { readonly [observation in ${model.observations.map((observation) => stringLiteral(observation.method)).join(' | ') || 'never'}]: boolean };`;
  return `/**\n * What the instrumentation observes, one method per observation of the spec. Each conventions\n * selection has its own (EMITTERS), recording exactly the metrics the spec maps the observation\n * to in that selection; the runtime picks one for a session when telemetry is configured.\n */\nexport interface ${EMITTER_TYPE} {\n${records}\n${methods.join('\n')}\n}`;
}

function emitterObject(model: ConventionsModel, recordings: readonly Recording[], events: readonly EventRecording[], name: string, description: string): string {
  const mine = (observation: Observation) => recordings.filter((recording) => recording.observation === observation);
  const mineEvents = (observation: Observation) => events.filter((recording) => recording.observation === observation);
  const records = `records: { ${model.observations.map((observation) => `${observation.method}: ${mine(observation).length + mineEvents(observation).length > 0}`).join(', ')} },`;
  const methods = model.observations.map((observation) => emitterMethod(observation, mine(observation), mineEvents(observation)));
  return `/** ${docText(description)} */\nconst ${name}: ${EMITTER_TYPE} = {\n${[records, ...methods].map((method) => indent(method)).join('\n')}\n};`;
}

function emitterMethod(observation: Observation, recordings: readonly Recording[], events: readonly EventRecording[]): string {
  const calls = [...recordings.map(recordingCall), ...events.map(eventCall)];
  const usesValue = recordings.some((recording) => !recording.count);
  const usesFacts = recordings.length + events.length > 0;
  const parameters = [
    ...(observation.unit === undefined ? [] : usesValue || usesFacts ? [usesValue ? 'value' : '_value'] : []),
    ...(usesFacts ? ['facts'] : []),
    ...(events.length > 0 ? ['options'] : []),
  ].join(', ');
  if (calls.length === 0) return `${observation.method}(${parameters}) {},`;
  return `${observation.method}(${parameters}) {\n${calls.map((call) => indent(call)).join('\n')}\n},`;
}

/** One event: the facts as its attributes (a renamed attribute from the fact of the dependency's name), in the given context. */
function eventCall(recording: EventRecording): string {
  const type = eventAttributesTypeOf(recording);
  const renamed = recording.renamed.map(({ attribute, from }) => `${propertyName(attribute)}: facts.${propertyName(from)}`);
  const attributes = renamed.length === 0 ? `facts as ${type}` : `{ ...facts, ${renamed.join(', ')} } as ${type}`;
  return `${eventRecorderOf(recording)}(${attributes}, options);`;
}

/** One recording: its conditions, its value in the metric's unit, and its attributes (the facts themselves when it sets none). */
function recordingCall(recording: Recording): string {
  const conditions: string[] = [];
  let value: string;
  if (recording.count) value = '1';
  else if (recording.missingAsZero) value = '(value ?? 0)';
  else {
    conditions.push('value !== undefined');
    value = 'value';
  }
  if (recording.skipZero && !recording.count) conditions.push(recording.missingAsZero ? '(value ?? 0) !== 0' : 'value !== 0');
  if (recording.where !== undefined) conditions.push(`facts.${propertyName(recording.where.attribute)} === ${literal(recording.where.value)}`);
  const scaled = recording.scale === undefined ? value : scaleSource(value, recording.scale);
  const call = `${recorderOf(recording)}(${scaled}, ${attributesOf(recording)});`;
  return conditions.length === 0 ? call : `if (${conditions.join(' && ')}) ${call}`;
}

function attributesOf(recording: Recording): string {
  const type = attributesTypeOf(recording);
  if (recording.fixed.length === 0) return `facts as ${type}`;
  const properties = recording.metric.attributes
    .filter((use) => !isTemplateType(use.attribute.type))
    .map((use) => {
      const fixed = recording.fixed.find((candidate) => candidate.attribute.id === use.attribute.id);
      const property = propertyName(use.attribute);
      return fixed === undefined ? `${property}: facts.${property}` : `${property}: ${literal(fixed.value)}`;
    });
  return `{ ${properties.join(', ')} } as ${type}`;
}

function literal(value: string | number | boolean): string {
  return typeof value === 'string' ? stringLiteral(value) : String(value);
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => (line === '' ? line : `  ${line}`))
    .join('\n');
}

/** The metrics whose recorders conventions.ts imports from an opt-in's module. */
export function optInMetrics(model: ConventionsModel, token: string): MetricDefinition[] {
  return [...new Set(model.targets.flatMap((target) => target.recordings).filter((recording) => recording.optIn === token).map((recording) => recording.metric))];
}
