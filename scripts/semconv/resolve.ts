/**
 * Cross-file rules of the spec: unique ids, references that resolve, span
 * name placeholders backed by required attributes, naming, units, examples.
 * Builds the resolved Spec only when every rule holds.
 */
import {
  isEnumType,
  type AttributeDefinition,
  type AttributeUse,
  type EnumType,
  type InstrumentationScope,
  type MetricDefinition,
  type SourceLocation,
  type Spec,
  type SpanDefinition,
} from './model.ts';
import { fitsKind } from '../../src/runtime/attributes.ts';
import { camelCase, constantCase, isLowercaseDotted, pascalCase } from './names.ts';
import type { RawAttributeDefinition, RawAttributeRef, RawGroup, RawMetricGroup, RawSpanGroup } from './parse.ts';
import type { Problems } from './problems.ts';

const GROUP_ID_PREFIX = { attribute_group: 'registry.', span: 'span.', metric: 'metric.' } as const;
const PLACEHOLDER = /\{([^{}]*)\}/g;

export function resolveSpec(scope: InstrumentationScope, groups: readonly RawGroup[], problems: Problems): Spec {
  checkGroupIds(groups, problems);
  const attributes = collectAttributes(groups, problems);
  // The first definition of an id wins; later ones are reported as duplicates.
  const byId = new Map([...attributes].reverse().map((attribute) => [attribute.id, attribute]));
  checkAttributeEquivalents(groups, byId, problems);
  const spans = groups.filter((g): g is RawSpanGroup => g.type === 'span').map((g) => resolveSpan(g, byId, problems));
  const metrics = groups.filter((g): g is RawMetricGroup => g.type === 'metric').map((g) => resolveMetric(g, byId, problems));
  checkMetricEquivalents(groups, metrics, problems);
  checkUnique(spans.map((span) => [span.spanName, span.location]), 'duplicate-span-name', 'span name', problems);
  checkUnique(metrics.map((metric) => [metric.metricName, metric.location]), 'duplicate-metric-name', 'metric name', problems);
  checkGeneratedNames(spans, metrics, problems);
  return { scope, attributes, spans, metrics };
}

function checkGroupIds(groups: readonly RawGroup[], problems: Problems): void {
  checkUnique(groups.map((group) => [group.id, group.location]), 'duplicate-id', 'group id', problems);
  for (const group of groups) {
    const prefix = GROUP_ID_PREFIX[group.type];
    if (!group.id.startsWith(prefix) || !isLowercaseDotted(group.id)) {
      problems.add(group.location, 'name-format', `${group.type} group id "${group.id}" must be lowercase dotted and start with "${prefix}"`);
    }
  }
}

function collectAttributes(groups: readonly RawGroup[], problems: Problems): AttributeDefinition[] {
  const attributes: AttributeDefinition[] = [];
  for (const group of groups) {
    if (group.type !== 'attribute_group') continue;
    for (const raw of group.attributes) {
      checkAttributeDefinition(raw, problems);
      attributes.push({ ...raw, groupId: group.id });
    }
  }
  checkUnique(attributes.map((attribute) => [attribute.id, attribute.location]), 'duplicate-id', 'attribute id', problems);
  const codeNames = attributes.filter((attribute) => !isDuplicateId(attribute, attributes));
  checkUnique(
    codeNames.map((attribute) => [constantCase(attribute.codeName), attribute.location]),
    'name-collision',
    'generated constant name (set `code_name` on one of the two attributes)',
    problems,
  );
  return attributes;
}

function isDuplicateId(attribute: AttributeDefinition, all: readonly AttributeDefinition[]): boolean {
  return all.find((other) => other.id === attribute.id) !== attribute;
}

/** An equivalent must be a defined attribute whose type can hold the value. */
function checkAttributeEquivalents(groups: readonly RawGroup[], byId: ReadonlyMap<string, AttributeDefinition>, problems: Problems): void {
  for (const group of groups) {
    if (group.type !== 'attribute_group') continue;
    for (const raw of group.attributes) {
      if (raw.equivalent === undefined) continue;
      const target = byId.get(raw.equivalent.id);
      if (target === undefined) {
        problems.add(raw.equivalentLocation, 'undefined-ref', `equivalent "${raw.equivalent.id}" of "${raw.id}" is not a defined attribute`);
      } else if (baseKind(target) !== baseKind(raw)) {
        problems.add(raw.equivalentLocation, 'equivalent-type', `equivalent "${target.id}" (${baseKind(target)}) cannot carry "${raw.id}" (${baseKind(raw)})`);
      }
    }
  }
}

function baseKind(attribute: { type: AttributeDefinition['type'] }): string {
  if (isEnumType(attribute.type)) return typeof attribute.type.members[0]?.value === 'number' ? 'number' : 'string';
  return attribute.type === 'int' || attribute.type === 'double' ? 'number' : attribute.type;
}

function checkMetricEquivalents(groups: readonly RawGroup[], metrics: readonly MetricDefinition[], problems: Problems): void {
  const names = new Set(metrics.map((metric) => metric.metricName));
  for (const group of groups) {
    if (group.type === 'metric' && group.equivalent !== undefined && !names.has(group.equivalent)) {
      problems.add(group.equivalentLocation, 'undefined-ref', `equivalent "${group.equivalent}" of metric "${group.metricName}" is not a metric of the spec`);
    }
  }
}

function checkAttributeDefinition(raw: RawAttributeDefinition, problems: Problems): void {
  if (!isLowercaseDotted(raw.id)) {
    problems.add(raw.location, 'name-format', `attribute id "${raw.id}" is not lowercase dotted (like "llm.request.model")`);
  }
  if (!isLowercaseDotted(raw.codeName)) {
    problems.add(raw.location, 'name-format', `code_name "${raw.codeName}" of "${raw.id}" is not lowercase dotted`);
  }
  if (isEnumType(raw.type)) checkEnum(raw, raw.type, problems);
  for (const example of raw.examples) checkExample(raw, example, problems);
  if (raw.onError !== undefined && raw.type !== 'string') {
    problems.add(raw.location, 'on-error-type', `attribute "${raw.id}" has on_error but is not of type string`);
  }
}

function checkEnum(raw: RawAttributeDefinition, type: EnumType, problems: Problems): void {
  checkUnique(type.members.map((member) => [member.id, member.location]), 'duplicate-id', `member id of "${raw.id}"`, problems);
  checkUnique(type.members.map((member) => [String(member.value), member.location]), 'duplicate-enum-value', `member value of "${raw.id}"`, problems);
  const kinds = new Set(type.members.map((member) => typeof member.value));
  if (kinds.size > 1) problems.add(raw.location, 'mixed-enum-values', `members of "${raw.id}" mix strings and numbers`);
}

function checkExample(raw: RawAttributeDefinition, example: unknown, problems: Problems): void {
  if (isEnumType(raw.type)) {
    const allowed = raw.type.members.map((member) => member.value);
    if (!raw.type.allowCustomValues && !allowed.includes(example as string | number)) {
      problems.add(raw.examplesLocation, 'enum-example', `example ${JSON.stringify(example)} of "${raw.id}" is not one of its members (${allowed.join(', ')})`);
    }
    return;
  }
  if (!fitsKind(example, raw.type)) {
    problems.add(raw.examplesLocation, 'example-type', `example ${JSON.stringify(example)} of "${raw.id}" is not of type ${raw.type}`);
  }
}

function resolveUses(
  refs: readonly RawAttributeRef[],
  byId: ReadonlyMap<string, AttributeDefinition>,
  owner: string,
  problems: Problems,
): AttributeUse[] {
  const uses: AttributeUse[] = [];
  for (const ref of refs) {
    const attribute = byId.get(ref.ref);
    if (attribute === undefined) {
      problems.add(ref.location, 'undefined-ref', `${owner} refers to attribute "${ref.ref}", which no attribute group defines${suggest(ref.ref, byId)}`);
      continue;
    }
    uses.push({ attribute, requirementLevel: ref.requirementLevel ?? attribute.requirementLevel, note: ref.note, location: ref.location });
  }
  checkUnique(uses.map((use) => [use.attribute.id, use.location]), 'duplicate-ref', `attribute of ${owner}`, problems);
  checkUnique(uses.map((use) => [camelCase(use.attribute.id), use.location]), 'name-collision', `parameter name of ${owner}`, problems);
  return uses;
}

function suggest(id: string, byId: ReadonlyMap<string, AttributeDefinition>): string {
  const last = id.split('.').pop() ?? id;
  const near = [...byId.keys()].find((candidate) => candidate.endsWith(`.${last}`) || candidate === last);
  return near === undefined ? '' : ` (did you mean "${near}"?)`;
}

function resolveSpan(group: RawSpanGroup, byId: ReadonlyMap<string, AttributeDefinition>, problems: Problems): SpanDefinition {
  const owner = `span "${group.id}"`;
  const attributes = resolveUses(group.attributes, byId, owner, problems);
  const nameAttributes = [...group.spanName.matchAll(PLACEHOLDER)].map((match) => match[1] ?? '');
  for (const placeholder of nameAttributes) {
    const use = attributes.find((candidate) => candidate.attribute.id === placeholder);
    if (use === undefined) {
      problems.add(group.spanNameLocation, 'placeholder-without-attribute', `placeholder {${placeholder}} in span name "${group.spanName}" is not an attribute of ${owner}`);
    } else if (use.requirementLevel.level !== 'required') {
      problems.add(group.spanNameLocation, 'placeholder-not-required', `placeholder {${placeholder}} in span name "${group.spanName}" must be a required attribute of ${owner}`);
    }
  }
  if (!isLowercaseDotted(group.spanName.replace(PLACEHOLDER, 'x'))) {
    problems.add(group.spanNameLocation, 'name-format', `span name "${group.spanName}" is not lowercase dotted (placeholders aside)`);
  }
  return { ...pickCommon(group), attributes, spanName: group.spanName, spanKind: group.spanKind, nameAttributes };
}

function resolveMetric(group: RawMetricGroup, byId: ReadonlyMap<string, AttributeDefinition>, problems: Problems): MetricDefinition {
  const attributes = resolveUses(group.attributes, byId, `metric "${group.metricName}"`, problems);
  if (!isLowercaseDotted(group.metricName)) {
    problems.add(group.metricNameLocation, 'name-format', `metric name "${group.metricName}" is not lowercase dotted (like "llm.request.duration")`);
  }
  checkUnit(group, problems);
  checkAdvice(group, problems);
  return {
    ...pickCommon(group),
    attributes,
    metricName: group.metricName,
    equivalent: group.equivalent,
    instrument: group.instrument,
    unit: group.unit,
    valueType: group.valueType,
    explicitBucketBoundaries: group.explicitBucketBoundaries,
  };
}

/** UCUM case-sensitive units: no spaces, annotations in balanced braces. */
function checkUnit(group: RawMetricGroup, problems: Problems): void {
  const withoutAnnotations = group.unit.replace(/\{[^{}\s]+\}/g, '');
  if (/\s|[{}]/.test(withoutAnnotations)) {
    problems.add(group.location, 'unit-format', `unit "${group.unit}" of metric "${group.metricName}" is not a UCUM unit (like "ms", "s" or "{token}")`);
  }
}

function checkAdvice(group: RawMetricGroup, problems: Problems): void {
  const boundaries = group.explicitBucketBoundaries;
  if (boundaries === undefined) return;
  if (group.instrument !== 'histogram') {
    problems.add(group.adviceLocation, 'advice-on-non-histogram', `bucket advice on metric "${group.metricName}", which is a ${group.instrument}, not a histogram`);
  }
  if (boundaries.some((value, index) => index > 0 && value <= (boundaries[index - 1] ?? value))) {
    problems.add(group.adviceLocation, 'bucket-order', `bucket boundaries of metric "${group.metricName}" must strictly increase`);
  }
}

/** Two signals must not generate the same function or type name. */
function checkGeneratedNames(spans: readonly SpanDefinition[], metrics: readonly MetricDefinition[], problems: Problems): void {
  const names: Array<[string, SourceLocation]> = [
    ...spans.map((span): [string, SourceLocation] => [`${pascalCase(span.groupId.replace(/^span\./, ''))}Span`, span.location]),
    ...metrics.map((metric): [string, SourceLocation] => [pascalCase(metric.metricName), metric.location]),
  ];
  checkUnique(names, 'name-collision', 'generated TypeScript name', problems);
}

function pickCommon(group: RawSpanGroup | RawMetricGroup) {
  return {
    groupId: group.id,
    brief: group.brief,
    note: group.note,
    stability: group.stability,
    deprecated: group.deprecated,
    location: group.location,
  };
}

/** Reports every repeat of a key after its first appearance. */
function checkUnique(entries: ReadonlyArray<readonly [string, SourceLocation]>, rule: string, what: string, problems: Problems): void {
  const first = new Map<string, SourceLocation>();
  for (const [key, location] of entries) {
    const earlier = first.get(key);
    if (earlier === undefined) {
      first.set(key, location);
      continue;
    }
    problems.add(location, rule, `${what} "${key}" is already defined at ${earlier.file}:${earlier.line}:${earlier.column}`);
  }
}
