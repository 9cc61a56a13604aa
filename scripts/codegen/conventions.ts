/**
 * The conventions tables, built from the spec before anything is generated: for each conventions
 * selection (src/runtime/rules.ts, SELECTIONS: `flo`, `gen_ai`, `both`, and `gen_ai`/`both` under
 * each GenAI opt-in), under which keys each span attribute is written, what each span is named and
 * whether it is emitted at all, and which metrics each observation of the instrumentation is
 * recorded in, with the value scaled from the observation's unit to the metric's.
 *
 * The rule of which keys a span attribute is written under lives here and nowhere else
 * (`spanWrites`); the runtime only applies the tables generated from it.
 *
 * What the spec says, in `annotations.flo` (docs/spec-format.md, "Observations and conventions"):
 * - the manifest declares the `observations` the instrumentation makes (name, unit, brief), the
 *   GenAI metrics of the dependency that record them (`gen_ai.metrics`), and each GenAI opt-in
 *   (`gen_ai.opt_in.<token>`): its registry, the metrics that record the observations under it,
 *   and the attributes of the dependency it names otherwise (`attributes`);
 * - each of the spec's own metrics says what it records (`records`);
 * - each span says which GenAI span it corresponds to (`equivalent`), and under each opt-in
 *   (`equivalent.opt_in.<token>`);
 * - each of the spec's own attributes names the GenAI attribute that carries its value
 *   (`equivalent`) and, where values have units, the units of both (`unit`).
 */
import { resolve } from 'node:path';
import { GEN_AI_OPT_INS, SELECTIONS, type ConventionsSelection } from '../../src/runtime/rules.ts';
import { boundariesOf } from '../semconv/annotations.ts';
import { propertyName, recordableUses } from '../semconv/generated-names.ts';
import { loadSpec } from '../semconv/load.ts';
import { isEnumType, isRequired, type AttributeDefinition, type AttributeUse, type EventDefinition, type MetricDefinition, type SourceLocation, type Spec, type SpanDefinition } from '../semconv/model.ts';
import { camelCase } from '../semconv/names.ts';
import { Problems, SpecError } from '../semconv/problems.ts';
import { checkUnit, unitScale } from '../semconv/units.ts';

/** Something the instrumentation observes (`annotations.flo.observations` of the manifest). */
export interface Observation {
  readonly name: string;
  /** The UCUM unit of its value; an observation without one is only counted. */
  readonly unit?: string;
  readonly brief: string;
  /** The emitter method that reports it: `llmRequest` for `llm.request`. */
  readonly method: string;
}

/** One metric recording one observation. */
export interface Recording {
  readonly metric: MetricDefinition;
  /** Where the metric's recorder is generated: the spec's own modules, or the opt-in's. */
  readonly optIn?: string;
  readonly observation: Observation;
  /** Records 1 for each observation instead of its value. */
  readonly count: boolean;
  /** Recorded only when the observation's fact has this value (`where: { status: error }`). */
  readonly where?: { readonly attribute: AttributeDefinition; readonly value: string | number | boolean };
  /** A value of 0 is not recorded. */
  readonly skipZero: boolean;
  /** An observation without a value records 0 (else nothing). */
  readonly missingAsZero: boolean;
  /** Attributes of the metric with a value of their own, instead of the observation's facts. */
  readonly fixed: readonly { readonly attribute: AttributeDefinition; readonly value: string | number | boolean }[];
  /** Multiplies the observed value into the metric's unit (`ms` to `s`: 0.001); undefined for 1. */
  readonly scale?: number;
}

/**
 * One event recording one observation: each observation of it emits the event (a log record), its
 * attributes read from the observation's facts.
 */
export interface EventRecording {
  readonly event: EventDefinition;
  /** Where the event's recorder is generated: the spec's own modules, or the opt-in's. */
  readonly optIn?: string;
  readonly observation: Observation;
  /**
   * Attributes of the event the opt-in names otherwise than the dependency, by the event's key:
   * they are read from the fact of the dependency's attribute (`gen_ai.usage.cache_write.input_tokens`
   * from the fact of `gen_ai.usage.cache_creation.input_tokens`).
   */
  readonly renamed: readonly { readonly attribute: AttributeDefinition; readonly from: AttributeDefinition }[];
}

/** The GenAI conventions of one target: the dependency's (no `token`), or an opt-in's. */
export interface GenAiTarget {
  readonly token?: string;
  readonly brief: string;
  /** Where the names come from: the spec itself (its dependency's are imported into it), or the opt-in's registry. */
  readonly spec: Spec;
  readonly schemaUrl?: string;
  readonly recordings: readonly Recording[];
  readonly events: readonly EventRecording[];
  /** Attributes of the dependency under another key in this target. Null: not written under it. */
  readonly renames: ReadonlyMap<string, string | null>;
}

/** A key a span attribute is written under, and the factor its value is converted by. */
export interface SpanWrite {
  readonly key: string;
  readonly scale?: number;
}

/** What one selection does with one span. */
export interface SpanTable {
  readonly emitted: boolean;
  /** The GenAI name template, or undefined for the span's own name. */
  readonly equivalentName?: { readonly template: string; readonly nameAttributes: readonly string[] };
  /** For each recordable attribute of the span, in order: the keys it is written under (none: not written). */
  readonly writes: readonly (readonly SpanWrite[])[];
}

/** The facts an observation's emitter method takes: every attribute a recording reads from them. */
export interface Fact {
  readonly attribute: AttributeDefinition;
  readonly required: boolean;
}

export interface ConventionsModel {
  readonly observations: readonly Observation[];
  readonly own: readonly Recording[];
  /** The spec's own events that record observations (`annotations.flo.records` of an event). */
  readonly ownEvents: readonly EventRecording[];
  /** The dependency's GenAI conventions first, then each opt-in's. */
  readonly targets: readonly GenAiTarget[];
  /** One table per selection (SELECTIONS order) for each span. */
  readonly spans: ReadonlyMap<SpanDefinition, readonly SpanTable[]>;
  /** The recordings of each selection, metrics and events, in SELECTIONS order. */
  readonly selections: readonly { readonly selection: ConventionsSelection; readonly recordings: readonly Recording[]; readonly events: readonly EventRecording[] }[];
  readonly facts: ReadonlyMap<Observation, readonly Fact[]>;
}

/** The spec with the bucket advice of the conventions applied to the imported GenAI metrics, and the tables. */
export interface Conventions {
  readonly spec: Spec;
  readonly model: ConventionsModel | undefined;
  /** The opt-ins' metrics the recordings use, to generate beside the spec (with their attributes). */
  readonly optInSpecs: readonly { readonly token: string; readonly spec: Spec }[];
}

type Json = Record<string, unknown>;
const isMap = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const CONVENTIONS_KEYS = ['observations', 'gen_ai'];
const OBSERVATION_KEYS = ['unit', 'brief'];
const GEN_AI_KEYS = ['metrics', 'events', 'opt_in'];
const OPT_IN_KEYS = ['brief', 'schema_url', 'registry_path', 'attributes', 'metrics', 'events'];
const EVENT_ROW_KEYS = ['event', 'records'];
const ROW_KEYS = ['metric', 'records', 'attributes', 'explicit_bucket_boundaries'];
const ENTRY_KEYS = ['observation', 'where', 'value', 'skip_zero', 'missing', 'attributes'];

/**
 * Reads the spec's observations and conventions and builds every table; throws SpecError listing
 * every problem. A spec that declares no observations gets tables too (its spans' keys), but no
 * emitter.
 */
export function buildConventions(spec: Spec): Conventions {
  const problems = new Problems();
  const location = spec.annotationsLocation ?? { file: 'manifest.yaml', line: 1, column: 1 };
  const kit = spec.annotations?.flo;
  if (kit !== undefined && !isMap(kit)) problems.add(location, 'wrong-type', 'annotations.flo of the manifest must be a mapping');
  const flo = isMap(kit) ? kit : {};
  unknownKeys(flo, CONVENTIONS_KEYS, 'annotations.flo of the manifest', location, problems);
  const observations = readObservations(flo.observations, location, problems);
  const byName = new Map(observations.map((observation) => [observation.name, observation]));
  const genAi = isMap(flo.gen_ai) ? flo.gen_ai : {};
  if (flo.gen_ai !== undefined && !isMap(flo.gen_ai)) problems.add(location, 'wrong-type', 'annotations.flo.gen_ai of the manifest must be a mapping');
  unknownKeys(genAi, GEN_AI_KEYS, 'annotations.flo.gen_ai of the manifest', location, problems);

  const advice = new Map<MetricDefinition, readonly number[]>();
  const lookup = attributesOf(spec);
  const own = spec.metrics
    .filter((metric) => metric.dependency === undefined)
    .flatMap((metric) => readEntries(kitAnnotation(metric.annotations, 'records'), {}, metric, undefined, { observations: byName, lookup }, `"records" of metric "${metric.metricName}"`, metric.location, problems));
  const ownEvents = spec.events
    .filter((event) => event.dependency === undefined)
    .flatMap((event) => readEventEntries(kitAnnotation(event.annotations, 'records'), event, undefined, new Map(), byName, `"records" of event "${event.eventName}"`, event.location, problems));
  const dependencyTarget: GenAiTarget = {
    brief: `The GenAI conventions of the spec's dependency${spec.dependencies[0] === undefined ? '' : ` (${spec.dependencies[0].schemaUrl})`}.`,
    spec,
    schemaUrl: spec.dependencies[0]?.schemaUrl,
    recordings: readRows(genAi.metrics, spec, undefined, byName, advice, 'annotations.flo.gen_ai.metrics', location, problems),
    events: readEventRows(genAi.events, spec, undefined, new Map(), spec, byName, 'annotations.flo.gen_ai.events', location, problems),
    renames: new Map(),
  };
  const optIns = readOptIns(genAi.opt_in, spec, byName, advice, location, problems);
  const targets = [dependencyTarget, ...optIns.map((optIn) => optIn.target)];
  checkOptInEquivalents(spec, optIns, problems);
  checkBucketAdvice(targets, advice, location, problems);
  for (const span of spec.spans) for (const target of targets) checkRequirementLevels(span, target, problems);

  const spans = new Map(spec.spans.map((span) => [span, SELECTIONS.map((selection) => spanTable(span, selection, targets, problems))]));
  const selections = SELECTIONS.map((selection) => ({ selection, recordings: recordingsOf(selection, own, targets), events: eventRecordingsOf(selection, ownEvents, targets) }));
  const allEvents = [...ownEvents, ...targets.flatMap((target) => target.events)];
  const facts = new Map(
    observations.map((observation) => [observation, [...factsOf(observation, [...own, ...targets.flatMap((target) => target.recordings)], problems), ...eventFactsOf(observation, allEvents)]] as const),
  );
  checkFacts(facts, problems, location);
  if (problems.hasErrors) throw new SpecError(problems.sorted());

  const adviced = spec.metrics.map((metric) => (advice.has(metric) && metric.explicitBucketBoundaries === undefined ? { ...metric, explicitBucketBoundaries: advice.get(metric) } : metric));
  const optInSpecs = optIns.map(({ target, token }) => ({ token, spec: optInSpec(spec, target, advice) }));
  return { spec: { ...spec, metrics: adviced }, model: { observations, own, ownEvents, targets, spans, selections, facts }, optInSpecs };
}

/** Where `where` and the like find an attribute by id: among the registry's attributes. */
type AttributeLookup = (id: string) => AttributeDefinition | undefined;

function attributesOf(spec: Spec): AttributeLookup {
  const byId = new Map(spec.attributes.map((attribute) => [attribute.id, attribute]));
  return (id) => byId.get(id);
}

interface EntryContext {
  readonly observations: ReadonlyMap<string, Observation>;
  readonly lookup: AttributeLookup;
}

// ---------------------------------------------------------------- reading

function unknownKeys(value: Json, allowed: readonly string[], what: string, location: SourceLocation, problems: Problems): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) problems.add(location, 'unknown-key', `unknown key "${key}" in ${what} (allowed: ${allowed.join(', ')})`);
  }
}

function kitAnnotation(annotations: Readonly<Record<string, unknown>>, key: string): unknown {
  const flo = annotations.flo;
  return isMap(flo) ? flo[key] : undefined;
}

function readObservations(value: unknown, location: SourceLocation, problems: Problems): Observation[] {
  if (value === undefined) return [];
  if (!isMap(value)) {
    problems.add(location, 'wrong-type', 'annotations.flo.observations of the manifest must map observation names to { unit, brief }');
    return [];
  }
  const observations: Observation[] = [];
  const methods = new Map<string, string>();
  for (const [name, spec] of Object.entries(value)) {
    const what = `observation "${name}"`;
    if (!/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/.test(name)) problems.add(location, 'name-format', `${what} is not lowercase dotted (like "llm.request")`);
    if (!isMap(spec) || typeof spec.brief !== 'string' || spec.brief.trim() === '') {
      problems.add(location, 'missing-brief', `${what} needs a "brief"`);
      continue;
    }
    unknownKeys(spec, OBSERVATION_KEYS, what, location, problems);
    if (spec.unit !== undefined && typeof spec.unit !== 'string') problems.add(location, 'wrong-type', `"unit" of ${what} must be a UCUM unit`);
    const unit = typeof spec.unit === 'string' ? spec.unit : undefined;
    if (unit !== undefined) checkUnit(unit, what, location, problems);
    const method = camelCase(name);
    const earlier = methods.get(method);
    if (earlier !== undefined) problems.add(location, 'name-collision', `${what} would get the emitter method ${method} of observation "${earlier}"`);
    methods.set(method, name);
    observations.push({ name, unit, brief: spec.brief.trim(), method });
  }
  return observations;
}

/** `records` of a metric: one entry or a list, each an observation name or `{ observation, where, value, skip_zero, missing, attributes }`. */
function readEntries(
  value: unknown,
  rowAttributes: Json,
  metric: MetricDefinition,
  optIn: string | undefined,
  context: EntryContext,
  what: string,
  location: SourceLocation,
  problems: Problems,
): Recording[] {
  if (value === undefined) return [];
  const { observations, lookup } = context;
  const entries = Array.isArray(value) ? value : [value];
  const recordings: Recording[] = [];
  for (const entry of entries) {
    const fields: Json = typeof entry === 'string' ? { observation: entry } : isMap(entry) ? entry : {};
    if (typeof entry !== 'string' && !isMap(entry)) {
      problems.add(location, 'wrong-type', `${what}: an entry must be an observation name or { observation, where, value, skip_zero, missing, attributes }`);
      continue;
    }
    unknownKeys(fields, ENTRY_KEYS, what, location, problems);
    const observation = typeof fields.observation === 'string' ? observations.get(fields.observation) : undefined;
    if (observation === undefined) {
      problems.add(location, 'undefined-ref', `${what}: ${JSON.stringify(fields.observation)} is not an observation of the manifest (annotations.flo.observations)`);
      continue;
    }
    if (fields.value !== undefined && fields.value !== 'count') problems.add(location, 'wrong-type', `${what}: "value" can only be "count" (record 1 for each observation)`);
    if (fields.missing !== undefined && fields.missing !== 'zero') problems.add(location, 'wrong-type', `${what}: "missing" can only be "zero" (an observation without a value records 0)`);
    if (fields.skip_zero !== undefined && typeof fields.skip_zero !== 'boolean') problems.add(location, 'wrong-type', `${what}: "skip_zero" must be true or false`);
    const count = fields.value === 'count';
    const scale = count ? 1 : observationScale(observation, metric, what, location, problems);
    recordings.push({
      metric,
      optIn,
      observation,
      count,
      where: readWhere(fields.where, metric, lookup, what, location, problems),
      skipZero: fields.skip_zero === true,
      missingAsZero: fields.missing === 'zero',
      fixed: readFixed({ ...rowAttributes, ...(isMap(fields.attributes) ? fields.attributes : {}) }, metric, what, location, problems),
      scale: scale === 1 ? undefined : scale,
    });
  }
  return recordings;
}

/** What an observed value is multiplied by in the metric's unit; problems for a unit that does not convert. */
function observationScale(observation: Observation, metric: MetricDefinition, what: string, location: SourceLocation, problems: Problems): number | undefined {
  if (observation.unit === undefined) {
    problems.add(location, 'unit-mismatch', `${what}: observation "${observation.name}" has no value (no unit), so metric "${metric.metricName}" can only count it (value: count)`);
    return undefined;
  }
  const scale = unitScale(observation.unit, metric.unit);
  if (scale === undefined) problems.add(location, 'unit-mismatch', `${what}: observation "${observation.name}" is in "${observation.unit}", which does not convert to "${metric.unit}" of metric "${metric.metricName}"`);
  return scale;
}

/** `where: { status: error }`: a fact the observation carries, by attribute id. Checked against the facts once they are known. */
function readWhere(value: unknown, metric: MetricDefinition, lookup: AttributeLookup, what: string, location: SourceLocation, problems: Problems): Recording['where'] {
  if (value === undefined) return undefined;
  if (!isMap(value) || Object.keys(value).length !== 1) {
    problems.add(location, 'wrong-type', `${what}: "where" must name one attribute and its value, like { status: error }`);
    return undefined;
  }
  const [[id, wanted]] = Object.entries(value) as [[string, unknown]];
  const attribute = metric.attributes.find((use) => use.attribute.id === id)?.attribute ?? lookup(id);
  if (attribute === undefined) {
    problems.add(location, 'undefined-ref', `${what}: "where" names "${id}", which is not an attribute of the spec`);
    return undefined;
  }
  if (!fitsAttribute(attribute, wanted)) {
    problems.add(location, 'wrong-type', `${what}: "where" value ${JSON.stringify(wanted)} does not fit attribute "${id}"`);
    return undefined;
  }
  return { attribute, value: wanted as string | number | boolean };
}

/** Attribute values a recording sets itself; each must be an attribute of the metric and fit it. */
function readFixed(value: Json, metric: MetricDefinition, what: string, location: SourceLocation, problems: Problems): Recording['fixed'] {
  const fixed: { attribute: AttributeDefinition; value: string | number | boolean }[] = [];
  for (const [id, wanted] of Object.entries(value)) {
    const use = metric.attributes.find((candidate) => candidate.attribute.id === id);
    if (use === undefined) {
      problems.add(location, 'undefined-ref', `${what}: "attributes" sets "${id}", which is not an attribute of metric "${metric.metricName}"`);
      continue;
    }
    if (!fitsAttribute(use.attribute, wanted)) {
      problems.add(location, 'wrong-type', `${what}: ${JSON.stringify(wanted)} does not fit attribute "${id}" of metric "${metric.metricName}"`);
      continue;
    }
    fixed.push({ attribute: use.attribute, value: wanted as string | number | boolean });
  }
  return fixed;
}

function fitsAttribute(attribute: AttributeDefinition, value: unknown): boolean {
  const type = attribute.type;
  if (isEnumType(type)) {
    const members = type.members.map((member) => member.value);
    return type.allowCustomValues ? typeof value === typeof members[0] : members.includes(value as string | number | boolean);
  }
  if (type === 'string') return typeof value === 'string';
  if (type === 'boolean') return typeof value === 'boolean';
  if (type === 'int') return Number.isSafeInteger(value);
  if (type === 'double') return typeof value === 'number' && Number.isFinite(value);
  return false;
}

/** `metrics:` of a GenAI target: `{ metric, records, attributes, explicit_bucket_boundaries }` rows. */
function readRows(
  value: unknown,
  source: Spec,
  optIn: string | undefined,
  observations: ReadonlyMap<string, Observation>,
  advice: Map<MetricDefinition, readonly number[]>,
  what: string,
  location: SourceLocation,
  problems: Problems,
): Recording[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    problems.add(location, 'wrong-type', `${what} must be a list of { metric, records, attributes, explicit_bucket_boundaries }`);
    return [];
  }
  const context = { observations, lookup: attributesOf(source) };
  const recordings: Recording[] = [];
  for (const row of value) {
    if (!isMap(row) || typeof row.metric !== 'string') {
      problems.add(location, 'wrong-type', `${what}: each row needs "metric", the name of a metric`);
      continue;
    }
    unknownKeys(row, ROW_KEYS, `the row of ${what} for "${row.metric}"`, location, problems);
    const rowWhat = `the row of ${what} for metric "${row.metric}"`;
    const metric = source.metrics.find((candidate) => candidate.metricName === row.metric && candidate.refines === undefined);
    if (metric === undefined) {
      const hint = optIn === undefined ? ' (import it from the dependency in the spec, `imports: metrics:`)' : ` of the ${optIn} registry`;
      problems.add(location, 'undefined-ref', `${rowWhat}: no such metric${hint}`);
      continue;
    }
    const boundaries = boundariesOf(row.explicit_bucket_boundaries, 'explicit_bucket_boundaries', rowWhat, location, problems);
    if (boundaries !== undefined) {
      if (metric.instrument !== 'histogram') problems.add(location, 'advice-on-non-histogram', `${rowWhat}: bucket advice for a ${metric.instrument}`);
      const earlier = advice.get(metric);
      if (earlier !== undefined && JSON.stringify(earlier) !== JSON.stringify(boundaries)) {
        problems.add(location, 'equivalent-advice-conflict', `${rowWhat}: its bucket advice differs from that of another row for the same metric`);
      }
      advice.set(metric, boundaries);
    }
    if (row.records === undefined) problems.add(location, 'missing-key', `${rowWhat}: "records" names the observations it records`);
    recordings.push(...readEntries(row.records, isMap(row.attributes) ? row.attributes : {}, metric, optIn, context, rowWhat, location, problems));
  }
  return recordings;
}

/** `events:` of a GenAI target: `{ event, records }` rows, the event by its name in the target's registry. */
function readEventRows(
  value: unknown,
  source: Spec,
  optIn: string | undefined,
  renames: ReadonlyMap<string, string | null>,
  spec: Spec,
  observations: ReadonlyMap<string, Observation>,
  what: string,
  location: SourceLocation,
  problems: Problems,
): EventRecording[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    problems.add(location, 'wrong-type', `${what} must be a list of { event, records }`);
    return [];
  }
  const recordings: EventRecording[] = [];
  for (const row of value) {
    if (!isMap(row) || typeof row.event !== 'string') {
      problems.add(location, 'wrong-type', `${what}: each row needs "event", the name of an event`);
      continue;
    }
    const rowWhat = `the row of ${what} for event "${row.event}"`;
    unknownKeys(row, EVENT_ROW_KEYS, rowWhat, location, problems);
    const event = source.events.find((candidate) => candidate.eventName === row.event && candidate.refines === undefined);
    if (event === undefined) {
      const hint = optIn === undefined ? ' (import it from the dependency in the spec, `imports: events:`)' : ` of the ${optIn} registry`;
      problems.add(location, 'undefined-ref', `${rowWhat}: no such event${hint}`);
      continue;
    }
    if (row.records === undefined) problems.add(location, 'missing-key', `${rowWhat}: "records" names the observations it records`);
    recordings.push(...readEventEntries(row.records, event, optIn, renames, observations, rowWhat, location, problems, spec));
  }
  return recordings;
}

/** `records` of an event: an observation name, or a list of them. Events record every observation they are given, so nothing else is said. */
function readEventEntries(
  value: unknown,
  event: EventDefinition,
  optIn: string | undefined,
  renames: ReadonlyMap<string, string | null>,
  observations: ReadonlyMap<string, Observation>,
  what: string,
  location: SourceLocation,
  problems: Problems,
  spec?: Spec,
): EventRecording[] {
  if (value === undefined) return [];
  const recordings: EventRecording[] = [];
  for (const entry of Array.isArray(value) ? value : [value]) {
    const observation = typeof entry === 'string' ? observations.get(entry) : undefined;
    if (observation === undefined) {
      problems.add(location, typeof entry === 'string' ? 'undefined-ref' : 'wrong-type', `${what}: ${JSON.stringify(entry)} is not an observation of the manifest (annotations.flo.observations)`);
      continue;
    }
    recordings.push({ event, optIn, observation, renamed: renamedAttributes(event, renames, spec) });
  }
  return recordings;
}

/** The attributes of an opt-in's event that the opt-in renamed from the dependency's: read from the facts of the dependency's. */
function renamedAttributes(event: EventDefinition, renames: ReadonlyMap<string, string | null>, spec: Spec | undefined): EventRecording['renamed'] {
  if (spec === undefined || renames.size === 0) return [];
  return recordableUses(event.attributes).flatMap((use) => {
    const original = [...renames].find(([, to]) => to === use.attribute.id)?.[0];
    const from = original === undefined ? undefined : spec.attributes.find((attribute) => attribute.id === original);
    return from === undefined ? [] : [{ attribute: use.attribute, from }];
  });
}

interface OptIn {
  readonly token: string;
  readonly target: GenAiTarget;
}

/** `gen_ai.opt_in.<token>`: each opt-in's registry (loaded here), renamed attributes and recordings. */
function readOptIns(
  value: unknown,
  spec: Spec,
  observations: ReadonlyMap<string, Observation>,
  advice: Map<MetricDefinition, readonly number[]>,
  location: SourceLocation,
  problems: Problems,
): OptIn[] {
  if (value === undefined) return [];
  if (!isMap(value)) {
    problems.add(location, 'wrong-type', 'annotations.flo.gen_ai.opt_in must map opt-in names to { registry_path, schema_url, attributes, metrics }');
    return [];
  }
  const optIns: OptIn[] = [];
  for (const [token, config] of Object.entries(value)) {
    const what = `annotations.flo.gen_ai.opt_in.${token}`;
    if (!(GEN_AI_OPT_INS as readonly string[]).includes(token)) {
      problems.add(location, 'unknown-opt-in', `${what}: the runtime knows the GenAI opt-ins ${GEN_AI_OPT_INS.join(', ')} only (OTEL_SEMCONV_STABILITY_OPT_IN)`);
      continue;
    }
    if (!isMap(config) || typeof config.registry_path !== 'string') {
      problems.add(location, 'missing-key', `${what} needs "registry_path", the folder of the opt-in's registry`);
      continue;
    }
    unknownKeys(config, OPT_IN_KEYS, what, location, problems);
    const folder = resolve(spec.folder ?? '.', config.registry_path);
    let registry: Spec;
    try {
      registry = loadSpec(folder);
    } catch (error) {
      problems.add(location, 'missing-dependency', `${what}: its registry ${folder} does not load: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    const renames = new Map<string, string | null>();
    for (const [from, to] of Object.entries(isMap(config.attributes) ? config.attributes : {})) {
      if (to !== null && typeof to !== 'string') {
        problems.add(location, 'wrong-type', `${what}.attributes: "${from}" must map to an attribute of the opt-in's registry, or null`);
        continue;
      }
      if (to !== null && !registry.attributes.some((attribute) => attribute.id === to)) problems.add(location, 'undefined-ref', `${what}.attributes: "${to}" is not an attribute of the opt-in's registry`);
      renames.set(from, to);
    }
    const recordings = readRows(config.metrics, registry, token, observations, advice, `${what}.metrics`, location, problems);
    const events = readEventRows(config.events, registry, token, renames, spec, observations, `${what}.events`, location, problems);
    optIns.push({
      token,
      target: {
        token,
        brief: typeof config.brief === 'string' ? config.brief : `GenAI conventions under ${token}.`,
        spec: registry,
        schemaUrl: typeof config.schema_url === 'string' ? config.schema_url : undefined,
        recordings,
        events,
        renames,
      },
    });
  }
  return optIns;
}

/**
 * Every GenAI histogram the helpers record has bucket advice: the conventions advise boundaries for
 * each (in their docs, which their YAML does not carry), and without advice the SDK's default ones
 * ([0, 5, 10, …, 10000]) would put every duration in seconds in the first bucket.
 */
function checkBucketAdvice(targets: readonly GenAiTarget[], advice: ReadonlyMap<MetricDefinition, readonly number[]>, location: SourceLocation, problems: Problems): void {
  const reported = new Set<MetricDefinition>();
  for (const target of targets) {
    for (const { metric } of target.recordings) {
      if (metric.instrument !== 'histogram' || metric.explicitBucketBoundaries !== undefined || advice.has(metric) || reported.has(metric)) continue;
      reported.add(metric);
      const where = target.token === undefined ? 'annotations.flo.gen_ai.metrics' : `annotations.flo.gen_ai.opt_in.${target.token}.metrics`;
      problems.add(
        location,
        'missing-bucket-advice',
        `histogram "${metric.metricName}" is recorded (${where}) without bucket advice: give its row the conventions' explicit_bucket_boundaries, or the SDK's default boundaries apply`,
      );
    }
  }
}

const LEVEL_RANK = { opt_in: 0, recommended: 1, conditionally_required: 2, required: 3 } as const;

/**
 * A span with a GenAI equivalent is that GenAI span when GenAI names are emitted, so it must not
 * lower a requirement level the GenAI span's definition sets: each attribute the definition lists is
 * declared on the span (under its key or as a kit attribute's `equivalent`) at least as strictly,
 * and each one it requires is declared at all. Otherwise a required attribute could be silently
 * missing while the kit's own conformance check, reading the kit's registry, reports nothing.
 */
function checkRequirementLevels(span: SpanDefinition, target: GenAiTarget, problems: Problems): void {
  const spanId = target.token === undefined ? span.equivalent?.spanId : equivalentSpanId(span.equivalent?.optIn?.[target.token]);
  const definition = spanId === undefined ? undefined : target.spec.spans.find((candidate) => candidate.groupId === spanId);
  if (definition === undefined) return;
  const declared = new Map<string, AttributeUse>();
  for (const use of span.attributes) {
    const id = use.attribute.dependency === undefined ? use.attribute.equivalent?.id : use.attribute.id;
    const key = id === undefined ? null : targetKey(id, target);
    if (key !== null) declared.set(key, use);
  }
  const registry = target.token === undefined ? 'the dependency' : `the ${target.token} registry`;
  for (const upstream of definition.attributes) {
    const level = upstream.requirementLevel.level;
    const own = declared.get(upstream.attribute.id);
    if (own === undefined) {
      if (level === 'required') {
        problems.add(span.location, 'requirement-level-lowered', `span "${span.groupId}" lacks "${upstream.attribute.id}", which its GenAI equivalent "${spanId}" (${registry}) requires`);
      }
      continue;
    }
    if (LEVEL_RANK[own.requirementLevel.level] < LEVEL_RANK[level]) {
      problems.add(
        own.location,
        'requirement-level-lowered',
        `span "${span.groupId}" declares "${own.attribute.id}" ${own.requirementLevel.level}, but its GenAI equivalent "${spanId}" (${registry}) makes "${upstream.attribute.id}" ${level}: the spec may not lower it`,
      );
    }
  }
}

function equivalentSpanId(given: unknown): string | undefined {
  return typeof given === 'object' && given !== null && typeof (given as { span?: unknown }).span === 'string' ? (given as { span: string }).span : undefined;
}

/** Each span's `equivalent.opt_in` names an opt-in the manifest declares. */
function checkOptInEquivalents(spec: Spec, optIns: readonly OptIn[], problems: Problems): void {
  for (const span of spec.spans) {
    for (const token of Object.keys(span.equivalent?.optIn ?? {})) {
      if (!optIns.some((optIn) => optIn.token === token)) {
        problems.add(span.location, 'undefined-ref', `equivalent.opt_in.${token} of span "${span.groupId}": the manifest declares no such opt-in (annotations.flo.gen_ai.opt_in)`);
      }
    }
  }
}

// ---------------------------------------------------------------- spans

/** The span's GenAI equivalent under the target, if it has one there. */
function equivalentIn(span: SpanDefinition, target: GenAiTarget | undefined, problems: Problems): { spanId: string; template: string } | undefined {
  if (target === undefined || span.equivalent === undefined) return undefined;
  if (target.token === undefined) return { spanId: span.equivalent.spanId, template: span.equivalent.spanName };
  const given = span.equivalent.optIn?.[target.token];
  if (given === undefined) return undefined;
  if (!isMap(given) || typeof given.span !== 'string' || typeof given.span_name !== 'string' || Object.keys(given).some((key) => key !== 'span' && key !== 'span_name')) {
    problems.add(span.location, 'wrong-type', `equivalent.opt_in.${target.token} of span "${span.groupId}" must be { span, span_name }`);
    return undefined;
  }
  if (!target.spec.spans.some((candidate) => candidate.groupId === given.span)) {
    problems.add(span.location, 'undefined-ref', `equivalent.opt_in.${target.token} of span "${span.groupId}": "${given.span}" is not a span of the opt-in's registry`);
  }
  return { spanId: given.span, template: given.span_name };
}

/** Whether the span has a GenAI equivalent in any target: then its attributes are split into the two vocabularies. */
const hasAnyEquivalent = (span: SpanDefinition): boolean => span.equivalent !== undefined;

/**
 * THE key rule: the keys one attribute of a span is written under in one selection.
 *
 * A span with no GenAI equivalent writes every attribute under its own key, in every selection
 * that emits it. A span with one has two vocabularies: the spec's own (its own attributes, and
 * those filled from caught errors, such as `error.type`), written when the selection includes
 * flo_ai's names; and the GenAI one (its own attributes' `equivalent` keys, converted between
 * their units, and the attributes it takes from the dependency, under the name the target gives
 * them), written when the selection includes GenAI names.
 */
function spanWrites(span: SpanDefinition, use: AttributeUse, selection: ConventionsSelection, target: GenAiTarget | undefined, equivalent: boolean, problems: Problems): SpanWrite[] {
  const attribute = use.attribute;
  if (!hasAnyEquivalent(span)) return [{ key: attribute.id }];
  const writes: SpanWrite[] = [];
  const ownVocabulary = attribute.dependency === undefined || use.onError !== undefined;
  if (selection.conventions !== 'gen_ai' && ownVocabulary) writes.push({ key: attribute.id });
  if (target !== undefined && equivalent) {
    const genAi = genAiWrite(span, attribute, target, problems);
    if (genAi !== undefined && !writes.some((write) => write.key === genAi.key)) writes.push(genAi);
  }
  return writes;
}

/** The GenAI key of an attribute in a target, and the factor between its units; undefined when it has none. */
function genAiWrite(span: SpanDefinition, attribute: AttributeDefinition, target: GenAiTarget, problems: Problems): SpanWrite | undefined {
  const own = attribute.dependency === undefined;
  if (own && attribute.equivalent === undefined) return undefined;
  const id = own ? (attribute.equivalent?.id as string) : attribute.id;
  const key = targetKey(id, target);
  if (key === null) return undefined;
  if (target.token !== undefined && !target.spec.attributes.some((candidate) => candidate.id === key)) {
    problems.add(span.location, 'undefined-ref', `attribute "${id}" of span "${span.groupId}" is not in the ${target.token} registry: name its key there under annotations.flo.gen_ai.opt_in.${target.token}.attributes (or null to leave it out)`);
    return undefined;
  }
  if (!own || attribute.equivalent?.unit === undefined) return { key };
  if (attribute.unit === undefined) {
    problems.add(attribute.location, 'unit-mismatch', `the equivalent of "${attribute.id}" is in "${attribute.equivalent.unit}", but the attribute names no unit of its own (annotations.flo.unit)`);
    return { key };
  }
  const scale = unitScale(attribute.unit, attribute.equivalent.unit);
  if (scale === undefined) problems.add(attribute.location, 'unit-mismatch', `"${attribute.id}" is in "${attribute.unit}", which does not convert to "${attribute.equivalent.unit}" of its equivalent "${id}"`);
  return scale === undefined || scale === 1 ? { key } : { key, scale };
}

function targetKey(id: string, target: GenAiTarget): string | null {
  const renamed = target.renames.get(id);
  return renamed === undefined ? id : renamed;
}

function spanTable(span: SpanDefinition, selection: ConventionsSelection, targets: readonly GenAiTarget[], problems: Problems): SpanTable {
  const target = selection.conventions === 'flo' ? undefined : targets.find((candidate) => candidate.token === selection.genAiOptIn);
  const equivalent = equivalentIn(span, target, problems);
  const uses = recordableUses(span.attributes);
  return {
    // In `gen_ai` only GenAI names: the spec's own spans without a GenAI equivalent are left out
    // (their children hang from the parent); the dependency's own spans are GenAI names already.
    emitted: selection.conventions !== 'gen_ai' || equivalent !== undefined || span.dependency !== undefined,
    equivalentName: equivalent === undefined ? undefined : { template: equivalent.template, nameAttributes: nameAttributes(span, equivalent.template, target as GenAiTarget, problems) },
    writes: uses.map((use) => spanWrites(span, use, selection, target, equivalent !== undefined, problems)),
  };
}

/** Each placeholder of a GenAI name template, filled by the span attribute written under that key in the target. */
function nameAttributes(span: SpanDefinition, template: string, target: GenAiTarget, problems: Problems): string[] {
  const found: string[] = [];
  for (const [, placeholder = ''] of template.matchAll(/\{([^{}]*)\}/g)) {
    const use = span.attributes.find((candidate) => {
      const attribute = candidate.attribute;
      const id = attribute.dependency === undefined ? attribute.equivalent?.id : attribute.id;
      return attribute.id === placeholder || (id !== undefined && targetKey(id, target) === placeholder);
    });
    if (use === undefined) {
      problems.add(span.location, 'placeholder-without-attribute', `placeholder {${placeholder}} in the GenAI span name "${template}" of span "${span.groupId}" is neither an attribute of the span nor the equivalent of one`);
      continue;
    }
    found.push(use.attribute.id);
  }
  return found;
}

// ---------------------------------------------------------------- recordings and facts

function recordingsOf(selection: ConventionsSelection, own: readonly Recording[], targets: readonly GenAiTarget[]): Recording[] {
  const target = selection.conventions === 'flo' ? undefined : targets.find((candidate) => candidate.token === selection.genAiOptIn);
  return [...(selection.conventions === 'gen_ai' ? [] : own), ...(target?.recordings ?? [])];
}

function eventRecordingsOf(selection: ConventionsSelection, own: readonly EventRecording[], targets: readonly GenAiTarget[]): EventRecording[] {
  const target = selection.conventions === 'flo' ? undefined : targets.find((candidate) => candidate.token === selection.genAiOptIn);
  return [...(selection.conventions === 'gen_ai' ? [] : own), ...(target?.events ?? [])];
}

/** The facts the events recording an observation read: each event attribute (a renamed one under its dependency's name); required where an event requires it. */
function eventFactsOf(observation: Observation, recordings: readonly EventRecording[]): Fact[] {
  const facts = new Map<string, Fact>();
  for (const recording of recordings.filter((candidate) => candidate.observation === observation)) {
    for (const use of recordableUses(recording.event.attributes)) {
      const attribute = recording.renamed.find((renamed) => renamed.attribute === use.attribute)?.from ?? use.attribute;
      const key = propertyName(attribute);
      const earlier = facts.get(key);
      facts.set(key, { attribute: earlier?.attribute ?? attribute, required: (earlier?.required ?? false) || isRequired(use) });
    }
  }
  return [...facts.values()];
}

/** An observation's facts of metrics and of events, one per property: the same property twice would not compile. */
function checkFacts(facts: ReadonlyMap<Observation, readonly Fact[]>, problems: Problems, location: SourceLocation): void {
  for (const [observation, list] of facts) {
    const seen = new Map<string, Fact>();
    for (const fact of list) {
      const earlier = seen.get(propertyName(fact.attribute));
      if (earlier !== undefined && earlier.attribute.id !== fact.attribute.id) {
        problems.add(location, 'name-collision', `observation "${observation.name}" carries "${earlier.attribute.id}" and "${fact.attribute.id}" as the same fact ${propertyName(fact.attribute)}`);
      }
      seen.set(propertyName(fact.attribute), fact);
    }
  }
}

/** The facts an observation carries: each attribute a recording reads from them, or filters on. */
function factsOf(observation: Observation, recordings: readonly Recording[], problems: Problems): Fact[] {
  const facts = new Map<string, { attribute: AttributeDefinition; required: boolean }>();
  const mine = recordings.filter((recording) => recording.observation === observation);
  for (const recording of mine) {
    for (const use of recordableUses(recording.metric.attributes)) {
      if (recording.fixed.some((fixed) => fixed.attribute.id === use.attribute.id)) continue;
      const key = propertyName(use.attribute);
      const required = isRequired(use) && recording.where === undefined;
      const earlier = facts.get(key);
      facts.set(key, { attribute: earlier?.attribute ?? use.attribute, required: (earlier?.required ?? false) || required });
    }
  }
  for (const recording of mine) {
    const where = recording.where;
    if (where !== undefined && !facts.has(propertyName(where.attribute))) {
      problems.add(recording.metric.location, 'undefined-ref', `a recording of "${observation.name}" in metric "${recording.metric.metricName}" filters on "${where.attribute.id}", which no metric recording "${observation.name}" carries`);
    }
  }
  return [...facts.values()];
}

// ---------------------------------------------------------------- what the opt-ins generate

/** The part of an opt-in's registry the recordings use: their metrics and those metrics' attributes, under the spec's scope. */
function optInSpec(spec: Spec, target: GenAiTarget, advice: ReadonlyMap<MetricDefinition, readonly number[]>): Spec {
  const metrics = [...new Set(target.recordings.map((recording) => recording.metric))].map((metric) =>
    advice.has(metric) && metric.explicitBucketBoundaries === undefined ? { ...metric, explicitBucketBoundaries: advice.get(metric) } : metric,
  );
  const events = [...new Set(target.events.map((recording) => recording.event))];
  const used = new Set([...metrics, ...events].flatMap((signal) => signal.attributes.map((use) => use.attribute.id)));
  return {
    scope: spec.scope,
    dependencies: target.spec.dependencies,
    attributes: target.spec.attributes.filter((attribute) => used.has(attribute.id)),
    spans: [],
    metrics,
    events,
    entities: [],
  };
}

/** The folder an opt-in's generated modules go in: its token. */
export const optInFolder = (token: string): string => token;
