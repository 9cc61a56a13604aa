/**
 * Turns a resolved registry into the Spec the generators consume: the
 * registry's own spans, metrics, events and entities, the signals it imports
 * from its dependencies, and every attribute they use. Then checks what the
 * standard leaves open but generated code relies on: span name templates,
 * units, bucket advice, equivalents, enum values, examples, and that no two
 * things generate the same TypeScript name.
 */
import { fitsKind, type AttributeKind } from '../../src/runtime/rules.ts';
import { eventAnnotations, metricAnnotations, spanEquivalent, spanNameTemplate } from './annotations.ts';
import {
  isEnumType,
  isTemplateType,
  type AttributeDefinition,
  type AttributeUse,
  type EntityDefinition,
  type EnumMember,
  type EventDefinition,
  type InstrumentationScope,
  type MetricDefinition,
  type SourceLocation,
  type Spec,
  type SpanDefinition,
  type DependencyInfo,
} from './model.ts';
import { checkGeneratedNames, signalBaseName, signalStem } from './generated-names.ts';
import { camelCase, constantCase, followsNamingRule, hasWord, INSTRUMENT_NAME_RULE, isInstrumentName, SEMCONV_NAME_RULE } from './names.ts';
import type { Problems } from './problems.ts';
import type { RawGroup, RawImport } from './raw.ts';
import { at, Registry } from './registry.ts';
import { severityInNote } from './severity.ts';
import { checkUnit } from './units.ts';

const PLACEHOLDER = /\{([^{}]*)\}/g;
const SPAN_NAME_TEXT = /^[a-z0-9_.\- ]*$/;

interface Signals {
  spans: SpanDefinition[];
  metrics: MetricDefinition[];
  events: EventDefinition[];
  entities: EntityDefinition[];
}

export function resolveSpec(scope: InstrumentationScope, dependencies: readonly DependencyInfo[], root: Registry, problems: Problems): Spec {
  const signals: Signals = { spans: [], metrics: [], events: [], entities: [] };
  // Every group is resolved, used or not, so that each one's problems are reported in this run.
  for (const group of root.groups.values()) root.uses(group);
  for (const group of root.groups.values()) addSignal(group, root, signals, problems);
  for (const { group, registry } of importedGroups(root, problems)) addSignal(group, registry, signals, problems);
  checkSpanEquivalents(signals.spans, problems);
  renameDeprecatedTwins(signals);
  const attributes = renameDeprecatedAttributeTwins(usedAttributes(root, signals));
  checkAttributes(attributes, problems);
  checkAttributeEquivalents(root, problems);
  for (const span of signals.spans) checkSpanName(span, problems);
  checkFixedValues(signals, problems);
  checkUnique(
    signals.metrics.filter((metric) => metric.refines === undefined).map((metric) => [metric.metricName, metric.location]),
    'duplicate-metric-name',
    'metric name',
    problems,
  );
  const spec = { scope, dependencies, attributes, ...signals };
  checkGeneratedNames(spec, problems);
  return spec;
}

// ---------------------------------------------------------------- signals

function addSignal(group: RawGroup, registry: Registry, signals: Signals, problems: Problems): void {
  if (group.type === 'span') signals.spans.push(spanOf(group, registry, problems));
  else if (group.type === 'metric') {
    const metric = metricOf(group, registry, problems);
    if (metric !== undefined) signals.metrics.push(metric);
  } else if (group.type === 'event') signals.events.push(eventOf(group, registry, problems));
  else if (group.type === 'entity') signals.entities.push({ ...commonOf(group, registry), entityType: inherited(group, registry, (g) => g.name) ?? group.id.replace(/^entity\./, '') });
}

/** A field of the group, or of the signal it refines or extends. */
function inherited<T>(group: RawGroup, registry: Registry, field: (group: RawGroup) => T | undefined): T | undefined {
  const own = field(group);
  if (own !== undefined) return own;
  const parent = registry.parentOf(group);
  return parent === undefined ? undefined : inherited(parent.group, parent.registry, field);
}

function commonOf(group: RawGroup, registry: Registry) {
  return {
    groupId: group.id,
    brief: inherited(group, registry, (g) => g.brief) ?? '',
    note: group.note ?? (group.refines !== undefined ? inherited(group, registry, (g) => g.note) : undefined),
    stability: inherited(group, registry, (g) => g.stability) ?? (group.deprecated ? ('deprecated' as const) : ('development' as const)),
    deprecated: group.deprecated,
    refines: group.refines,
    attributes: registry.uses(group),
    annotations: group.annotations,
    dependency: registry.dependency,
    location: group.location,
  };
}

function eventOf(group: RawGroup, registry: Registry, problems: Problems): EventDefinition {
  const common = commonOf(group, registry);
  // The registry's own events may name their severity; the conventions name it in the note.
  const annotated = registry.dependency === undefined ? eventAnnotations(group.annotations, `event "${group.id}"`, group.annotationsLocation, problems).severity : undefined;
  return {
    ...common,
    eventName: inherited(group, registry, (g) => g.name) ?? group.id.replace(/^event\./, ''),
    body: inherited(group, registry, (g) => g.body),
    severity: annotated ?? severityInNote(common.note),
  };
}

function spanOf(group: RawGroup, registry: Registry, problems: Problems): SpanDefinition {
  const what = `span "${group.id}"`;
  const template = registry.dependency === undefined ? spanNameTemplate(group.annotations, what, group.annotationsLocation, problems) : undefined;
  const equivalent = registry.dependency === undefined ? spanEquivalent(group.annotations, what, group.annotationsLocation, problems) : undefined;
  const spanName = template ?? group.id.replace(/^span\./, '');
  const common = commonOf(group, registry);
  return {
    ...common,
    equivalent: equivalent === undefined ? undefined : { ...resolveSpanEquivalent(equivalent, common.attributes, what, group.annotationsLocation, problems), optIn: equivalent.optIn },
    spanName,
    hasNameTemplate: template !== undefined,
    templateLocation: template === undefined ? undefined : group.annotationsLocation,
    spanKind: inherited(group, registry, (g) => g.spanKind) ?? 'internal',
    nameAttributes: template === undefined ? [] : [...template.matchAll(PLACEHOLDER)].map((match) => match[1] ?? ''),
  };
}

/** Each placeholder of the GenAI name template filled by an attribute of the span, or by one whose equivalent it names. */
function resolveSpanEquivalent(
  equivalent: { span: string; spanName: string },
  uses: readonly AttributeUse[],
  what: string,
  location: SourceLocation,
  problems: Problems,
): { spanId: string; spanName: string; nameAttributes: string[] } {
  const nameAttributes: string[] = [];
  for (const [, placeholder = ''] of equivalent.spanName.matchAll(PLACEHOLDER)) {
    const use = uses.find((candidate) => candidate.attribute.id === placeholder) ?? uses.find((candidate) => candidate.attribute.equivalent?.id === placeholder);
    if (use === undefined) {
      problems.add(location, 'placeholder-without-attribute', `placeholder {${placeholder}} in the GenAI span name "${equivalent.spanName}" of ${what} is neither an attribute of the span nor the equivalent of one`);
      continue;
    }
    nameAttributes.push(use.attribute.id);
  }
  return { spanId: equivalent.span, spanName: equivalent.spanName, nameAttributes };
}

function metricOf(group: RawGroup, registry: Registry, problems: Problems): MetricDefinition | undefined {
  const metricName = inherited(group, registry, (g) => g.metricName);
  const instrument = inherited(group, registry, (g) => g.instrument);
  const unit = inherited(group, registry, (g) => g.unit);
  if (metricName === undefined || instrument === undefined || unit === undefined) return undefined;
  const what = `metric "${metricName}"`;
  const kit = metricAnnotations(inheritedAnnotations(group, registry), what, group.annotationsLocation, problems);
  if (kit.explicitBucketBoundaries !== undefined && instrument !== 'histogram') {
    problems.add(group.annotationsLocation, 'advice-on-non-histogram', `bucket advice on ${what}, which is a ${instrument}, not a histogram`);
  }
  // A dependency's names and units are its own business; the registry's own are checked where they are written.
  if (registry.dependency === undefined && group.unit !== undefined) checkUnit(group.unit, what, group.unitLocation ?? group.location, problems);
  if (registry.dependency === undefined && group.metricName !== undefined) checkMetricName(group.metricName, group.metricNameLocation ?? group.location, problems);
  return {
    ...commonOf(group, registry),
    metricName,
    instrument,
    unit,
    valueType: kit.valueType ?? (instrument === 'counter' || instrument === 'updowncounter' ? 'int' : 'double'),
    explicitBucketBoundaries: kit.explicitBucketBoundaries,
  };
}

/**
 * A metric name must be one the OpenTelemetry API takes as an instrument name; one that breaks
 * the semantic conventions' naming rule as well is only warned about (Weaver accepts it).
 */
function checkMetricName(name: string, location: SourceLocation, problems: Problems): void {
  if (!isInstrumentName(name)) {
    problems.add(location, 'instrument-name', `metric name "${name}" is not an OpenTelemetry instrument name (${INSTRUMENT_NAME_RULE}), so SDKs refuse or warn about its instrument`);
  } else if (!followsNamingRule(name)) {
    problems.warn(location, 'name-format', `metric name "${name}" does not follow the semantic conventions' naming rule: ${SEMCONV_NAME_RULE}`);
  }
}

/** Refinements inherit the refined signal's annotations, their own keys winning. */
function inheritedAnnotations(group: RawGroup, registry: Registry): Readonly<Record<string, unknown>> {
  const parent = group.refines !== undefined ? registry.parentOf(group) : undefined;
  return parent === undefined ? group.annotations : { ...inheritedAnnotations(parent.group, parent.registry), ...group.annotations };
}

function checkSpanEquivalents(spans: readonly SpanDefinition[], problems: Problems): void {
  const ids = new Set(spans.map((span) => span.groupId));
  for (const span of spans) {
    if (span.equivalent !== undefined && !ids.has(span.equivalent.spanId)) {
      problems.add(span.templateLocation ?? span.location, 'undefined-ref', `equivalent span "${span.equivalent.spanId}" of span "${span.groupId}" is not a span of the registry (import it from the dependency)`);
    }
  }
}

// ---------------------------------------------------------------- imports

function importedGroups(root: Registry, problems: Problems): Array<{ group: RawGroup; registry: Registry }> {
  const found: Array<{ group: RawGroup; registry: Registry }> = [];
  const seen = new Set<string>();
  for (const item of root.imports) {
    const pattern = globToRegExp(item.pattern);
    let matched = false;
    for (const registry of allDependencies(root)) {
      for (const group of registry.groups.values()) {
        if (!importMatches(item, pattern, group)) continue;
        matched = true;
        if (seen.has(group.id) || root.groups.has(group.id)) continue;
        seen.add(group.id);
        found.push({ group, registry });
      }
    }
    if (!matched) {
      const unread = root.unreadDependencies.length === 0 ? '' : `; ${root.unreadDependencies.join(', ')} could not be read (see the first error)`;
      problems.add(item.location, 'unmatched-import', `imports.${item.kind} "${item.pattern}" matches nothing in the registry's dependencies${unread}`);
    }
  }
  return found;
}

function* allDependencies(registry: Registry): Generator<Registry> {
  for (const dependency of registry.dependencies) {
    yield dependency;
    yield* allDependencies(dependency);
  }
}

/** Weaver's rules: v1 spans by id, metrics by metric name, events and entities by name; v2 also by id without its prefix. */
function importMatches(item: RawImport, pattern: RegExp, group: RawGroup): boolean {
  const kinds: Record<RawImport['kind'], RawGroup['type'][]> = {
    metrics: ['metric'],
    events: ['event'],
    entities: ['entity'],
    spans: ['span'],
    attribute_groups: ['attribute_group'],
  };
  if (!kinds[item.kind].includes(group.type)) return false;
  const candidates = group.isV2
    ? [group.id, group.name, group.metricName, group.id.replace(/^(span|metric|event|entity|registry|attribute_group)\./, '')]
    : item.kind === 'metrics'
      ? [group.metricName]
      : item.kind === 'events' || item.kind === 'entities'
        ? [group.name]
        : [group.id];
  return candidates.some((candidate) => candidate !== undefined && pattern.test(candidate));
}

function globToRegExp(glob: string): RegExp {
  const source = glob.replace(/[.+^$()|\\]/g, '\\$&').replace(/\*+/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`);
}

// ---------------------------------------------------------------- attributes

/** The registry's own attributes, then the dependencies' ones its signals and its own attribute groups use, by id. */
function usedAttributes(root: Registry, signals: Signals): AttributeDefinition[] {
  const own = [...root.attributes.values()];
  const fromDependencies = new Map<string, AttributeDefinition>();
  const all = [...signals.spans, ...signals.metrics, ...signals.events, ...signals.entities];
  // An attribute group of the registry that refs a dependency's attribute says the registry uses it (a resource it sets).
  const groups = [...root.groups.values()].filter((group) => group.type === 'attribute_group').map((group) => root.uses(group));
  for (const use of [...all.flatMap((signal) => signal.attributes), ...groups.flat()]) {
    if (use.attribute.dependency !== undefined) fromDependencies.set(use.attribute.id, use.attribute);
  }
  for (const attribute of own) {
    const target = attribute.equivalent === undefined ? undefined : root.lookupAttribute(attribute.equivalent.id);
    if (target?.dependency !== undefined) fromDependencies.set(target.id, target);
  }
  return [...own, ...[...fromDependencies.values()].sort((a, b) => a.id.localeCompare(b.id))];
}

function checkAttributes(attributes: readonly AttributeDefinition[], problems: Problems): void {
  for (const attribute of attributes) {
    if (attribute.dependency === undefined) checkOwnAttribute(attribute, problems);
    if (isEnumType(attribute.type)) checkEnum(attribute, problems);
  }
}

function checkOwnAttribute(attribute: AttributeDefinition, problems: Problems): void {
  if (!hasWord(attribute.id)) {
    problems.add(attribute.location, 'name-format', `attribute id "${attribute.id}" has no letter or digit to name its generated constants and properties after: set annotations.flo.code_name`);
  } else if (!followsNamingRule(attribute.id)) {
    problems.warn(attribute.location, 'name-format', `attribute id "${attribute.id}" does not follow the semantic conventions' naming rule: ${SEMCONV_NAME_RULE}`);
  }
  if (attribute.codeName !== attribute.id && !followsNamingRule(attribute.codeName)) {
    problems.add(attribute.location, 'name-format', `code_name "${attribute.codeName}" of "${attribute.id}" does not follow the naming rule code names are held to: ${SEMCONV_NAME_RULE}`);
  }
  for (const example of attribute.examples) checkExample(attribute, example, problems);
  if (attribute.onError !== undefined && attribute.type !== 'string') {
    problems.add(attribute.location, 'on-error-type', `attribute "${attribute.id}" has on_error but is not of type string`);
  }
}

function checkEnum(attribute: AttributeDefinition, problems: Problems): void {
  if (!isEnumType(attribute.type)) return;
  const members = attribute.type.members;
  checkUnique(members.map((member) => [member.id, member.location]), 'duplicate-id', `member id of "${attribute.id}"`, problems);
  // A deprecated alias may share its value with the member that replaces it; two live members
  // of one value generate (two constants of one value) and Weaver accepts them: a warning.
  const live = members.filter((member) => member.deprecated === undefined);
  checkUnique(live.map((member) => [String(member.value), member.location]), 'duplicate-enum-value', `member value of "${attribute.id}"`, problems, 'warning');
  const kinds = new Set(members.map((member) => typeof member.value));
  if (kinds.size > 1) problems.add(attribute.location, 'mixed-enum-values', `members of "${attribute.id}" mix ${[...kinds].join(' and ')} values`);
}

function checkExample(attribute: AttributeDefinition, example: unknown, problems: Problems): void {
  const type = attribute.type;
  if (isEnumType(type)) {
    const allowed = type.members.map((member) => member.value);
    if (!type.allowCustomValues && !allowed.includes(example as string | number | boolean)) {
      problems.add(attribute.location, 'enum-example', `example ${JSON.stringify(example)} of "${attribute.id}" is not one of its members (${allowed.join(', ')})`);
    }
    return;
  }
  if (type === 'any' || isTemplateType(type)) return;
  // A list attribute's examples may be whole lists or single items, as in the official registries.
  const fits = fitsKind(example, type as AttributeKind) || (type.endsWith('[]') && fitsKind(example, type.slice(0, -2) as AttributeKind));
  if (!fits) problems.add(attribute.location, 'example-type', `example ${JSON.stringify(example)} of "${attribute.id}" is not of type ${type}`);
}

/** An equivalent must be a known attribute whose type can hold the value. */
function checkAttributeEquivalents(root: Registry, problems: Problems): void {
  for (const attribute of root.attributes.values()) {
    if (attribute.equivalent === undefined) continue;
    const target = root.lookupAttribute(attribute.equivalent.id);
    if (target === undefined) {
      problems.add(attribute.location, 'undefined-ref', `equivalent "${attribute.equivalent.id}" of "${attribute.id}" is not an attribute of the registry or its dependencies`);
    } else if (baseKind(target) !== baseKind(attribute)) {
      problems.add(attribute.location, 'equivalent-type', `equivalent "${target.id}" (${baseKind(target)}) cannot carry "${attribute.id}" (${baseKind(attribute)})`);
    }
  }
}

function baseKind(attribute: AttributeDefinition): string {
  const type = attribute.type;
  if (isEnumType(type)) return typeof type.members[0]?.value === 'number' ? 'number' : typeof type.members[0]?.value === 'boolean' ? 'boolean' : 'string';
  if (isTemplateType(type)) return `template[${type.template}]`;
  return type === 'int' || type === 'double' ? 'number' : type;
}

/**
 * `annotations.flo.value` of a reference: on a span's own attribute reference, a value that fits the
 * attribute (its type, a closed enum's members). The generated span helpers write it; recorders of
 * metrics and events have no such helper, so it is refused there.
 */
function checkFixedValues(signals: Signals, problems: Problems): void {
  for (const span of signals.spans) {
    for (const use of span.attributes) {
      if (use.value === undefined) continue;
      const attribute = use.attribute;
      const type = attribute.type;
      const fits = isEnumType(type)
        ? type.allowCustomValues
          ? typeof use.value === typeof type.members[0]?.value
          : type.members.some((member) => member.value === use.value)
        : type !== 'any' && !isTemplateType(type) && !type.endsWith('[]') && fitsKind(use.value, type as AttributeKind);
      if (!fits) problems.add(use.location, 'fixed-value-type', `annotations.flo.value ${JSON.stringify(use.value)} of "${attribute.id}" on span "${span.groupId}" does not fit the attribute (${baseKind(attribute)})`);
    }
  }
  for (const signal of [...signals.metrics, ...signals.events, ...signals.entities]) {
    for (const use of signal.attributes) {
      if (use.value !== undefined) problems.add(use.location, 'fixed-value-type', `annotations.flo.value of "${use.attribute.id}" on "${signal.groupId}": only span attributes take a fixed value`);
    }
  }
}

// ---------------------------------------------------------------- spans

function checkSpanName(span: SpanDefinition, problems: Problems): void {
  if (!span.hasNameTemplate) return;
  const owner = `span "${span.groupId}"`;
  const location = span.templateLocation ?? span.location;
  for (const placeholder of span.nameAttributes) {
    const use = span.attributes.find((candidate) => candidate.attribute.id === placeholder);
    if (use === undefined) {
      problems.add(location, 'placeholder-without-attribute', `placeholder {${placeholder}} in span name "${span.spanName}" is not an attribute of ${owner}`);
    } else if (use.requirementLevel.level !== 'required') {
      problems.add(location, 'placeholder-not-required', `placeholder {${placeholder}} in span name "${span.spanName}" must be a required attribute of ${owner}`);
    }
  }
  if (!SPAN_NAME_TEXT.test(span.spanName.replace(PLACEHOLDER, 'x'))) {
    problems.add(location, 'name-format', `span name "${span.spanName}" may hold lowercase letters, digits, ".", "_", "-", spaces and {placeholders} only`);
  }
}

// ---------------------------------------------------------------- names

/**
 * Registries keep deprecated names beside the ones that replace them, and
 * some differ only by `.` versus `_` (`feature_flag.provider_name`,
 * `feature_flag.provider.name`): the deprecated one's generated names get a
 * `Deprecated` suffix. Collisions between two live names stay errors.
 */
function renameDeprecatedAttributeTwins(attributes: AttributeDefinition[]): AttributeDefinition[] {
  const live = new Set(attributes.filter((a) => a.deprecated === undefined).map((a) => constantCase(a.codeName)));
  return attributes.map((a) => {
    const renamed = a.deprecated !== undefined && live.has(constantCase(a.codeName)) ? { ...a, codeName: `${a.codeName}.deprecated`, propertyName: camelCase(`${a.id}.deprecated`) } : a;
    return isEnumType(renamed.type) ? { ...renamed, type: { ...renamed.type, members: renameDeprecatedMembers(renamed.type.members) } } : renamed;
  });
}

function renameDeprecatedMembers(members: readonly EnumMember[]): EnumMember[] {
  const live = new Set(members.filter((m) => m.deprecated === undefined).map((m) => constantCase(m.id)));
  return members.map((m) => (m.deprecated !== undefined && live.has(constantCase(m.id)) ? { ...m, codeName: `${m.id}_deprecated` } : m));
}

function renameDeprecatedTwins(signals: Signals): void {
  const rename = <T extends SpanDefinition | MetricDefinition | EventDefinition>(items: T[]): T[] => {
    const live = new Set(items.filter((item) => item.deprecated === undefined).map(signalBaseName));
    return items.map((item) => (item.deprecated !== undefined && live.has(signalBaseName(item)) ? { ...item, codeName: `${signalStem(item)}.deprecated` } : item));
  };
  signals.spans = rename(signals.spans);
  signals.metrics = rename(signals.metrics);
  signals.events = rename(signals.events);
}

/** Reports every repeat of a key after its first appearance. */
export function checkUnique(entries: ReadonlyArray<readonly [string, SourceLocation]>, rule: string, what: string, problems: Problems, severity: 'error' | 'warning' = 'error'): void {
  const first = new Map<string, SourceLocation>();
  for (const [key, location] of entries) {
    const earlier = first.get(key);
    if (earlier === undefined) first.set(key, location);
    else if (severity === 'warning') problems.warn(location, rule, `${what} "${key}" is already defined at ${at(earlier)}`);
    else problems.add(location, rule, `${what} "${key}" is already defined at ${at(earlier)}`);
  }
}
