/**
 * Conformance checking, the kit's answer to weaver's live-check: given spans,
 * metrics and events (log records with an event name) that were actually
 * exported (in memory, or read back from a backend), list every way they
 * deviate from the spec.
 */
import type { AttributeField, SpanWrite } from '../runtime/attributes.ts';
import { fitsKind, type AttributeKind } from '../runtime/rules.ts';
import type { EventDescriptor } from '../runtime/events.ts';
import type { InstrumentKind, MetricDescriptor } from '../runtime/metrics.ts';
import type { SpanDescriptor, SpanKindName } from '../runtime/spans.ts';
import { ALL_EVENTS, ALL_METRICS, ALL_SPANS, SCOPE_NAME } from '../generated/index.ts';
import { OPT_IN_EVENTS, OPT_IN_METRICS } from '../generated/conventions.ts';

/** A span as observed, whatever exported it. */
export interface ObservedSpan {
  readonly name: string;
  readonly kind?: SpanKindName;
  /** Instrumentation scope name; spans of other scopes are not checked. */
  readonly scope?: string;
  readonly attributes: Readonly<Record<string, unknown>>;
}

/** A metric as observed: its descriptor and the attributes of each data point. */
export interface ObservedMetric {
  readonly name: string;
  readonly unit?: string;
  readonly instrument?: InstrumentKind;
  readonly scope?: string;
  readonly points: ReadonlyArray<Readonly<Record<string, unknown>>>;
}

/** An event as observed: a log record with an event name, its attributes and severity. */
export interface ObservedEvent {
  readonly name: string;
  readonly scope?: string;
  /** The severity number of the record (OpenTelemetry's SeverityNumber); undefined when it has none. */
  readonly severityNumber?: number;
  readonly attributes: Readonly<Record<string, unknown>>;
  /** Whether the record has a body. */
  readonly hasBody?: boolean;
}

export interface Telemetry {
  readonly spans?: readonly ObservedSpan[];
  readonly metrics?: readonly ObservedMetric[];
  readonly events?: readonly ObservedEvent[];
}

/** What a spec declares; the kit's own generated spec unless another is given. */
export interface Registry {
  readonly scopeName?: string;
  readonly spans: readonly SpanDescriptor<never>[];
  readonly metrics: readonly MetricDescriptor[];
  /** None given: every observed event is undeclared. */
  readonly events?: readonly EventDescriptor[];
}

/** The kit's spec, with the metrics and events its GenAI opt-ins record. */
export const KIT_REGISTRY: Registry = { scopeName: SCOPE_NAME, spans: ALL_SPANS, metrics: [...ALL_METRICS, ...OPT_IN_METRICS], events: [...ALL_EVENTS, ...OPT_IN_EVENTS] };

export type DeviationRule =
  | 'undeclared-span'
  | 'undeclared-metric'
  | 'span-name-mismatch'
  | 'wrong-span-kind'
  | 'wrong-unit'
  | 'wrong-instrument'
  | 'undeclared-event'
  | 'wrong-severity'
  | 'undeclared-body'
  | 'missing-required-attribute'
  | 'undeclared-attribute'
  | 'wrong-attribute-type'
  | 'value-outside-enum';

export interface Deviation {
  readonly signal: 'span' | 'metric' | 'event';
  readonly name: string;
  readonly rule: DeviationRule;
  readonly message: string;
}

/** Every deviation of the observed telemetry from the registry; empty when it conforms. */
export function checkConformance(telemetry: Telemetry, registry: Registry = KIT_REGISTRY): Deviation[] {
  const ours = <T extends { scope?: string }>(item: T) => item.scope === undefined || registry.scopeName === undefined || item.scope === registry.scopeName;
  return [
    ...(telemetry.spans ?? []).filter(ours).flatMap((span) => checkSpan(span, registry)),
    ...(telemetry.metrics ?? []).filter(ours).flatMap((metric) => checkMetric(metric, registry)),
    ...(telemetry.events ?? []).filter(ours).flatMap((event) => checkEvent(event, registry)),
  ];
}

/**
 * An event against the events of its name: one of them (the spec's own, or an opt-in's of the same
 * name with other attributes) must take its attributes, and it must carry the severity that one
 * names. The deviations of the closest are reported when none fits.
 */
function checkEvent(event: ObservedEvent, registry: Registry): Deviation[] {
  const deviation = (rule: DeviationRule, message: string): Deviation => ({ signal: 'event', name: event.name, rule, message });
  const candidates = (registry.events ?? []).filter((candidate) => candidate.name === event.name);
  if (candidates.length === 0) return [deviation('undeclared-event', `event "${event.name}" is not in the spec`)];
  const each = candidates.map((descriptor) => {
    const found = checkAttributes(event.attributes, descriptor.fields, `event "${event.name}"`).map(({ rule, message }) => deviation(rule, message));
    if (descriptor.severityNumber !== undefined && event.severityNumber !== descriptor.severityNumber) {
      found.push(deviation('wrong-severity', `event "${event.name}" has severity ${event.severityNumber ?? 'none'}, the spec says ${descriptor.severityNumber} (${descriptor.severityText ?? ''})`));
    }
    if (event.hasBody === true && descriptor.body === undefined) found.push(deviation('undeclared-body', `event "${event.name}" has a body, which the spec does not declare for it`));
    return found;
  });
  return each.reduce((best, next) => (next.length < best.length ? next : best));
}

function checkSpan(span: ObservedSpan, registry: Registry): Deviation[] {
  const deviation = (rule: DeviationRule, message: string): Deviation => ({ signal: 'span', name: span.name, rule, message });
  const match = bestTemplateMatch(span, registry.spans);
  if (match === undefined) {
    return [deviation('undeclared-span', `span "${span.name}" matches no span name of the spec`)];
  }
  const { descriptor, values, template } = match;
  const found: Deviation[] = [];
  if (span.kind !== undefined && span.kind !== descriptor.kind) {
    found.push(deviation('wrong-span-kind', `span "${span.name}" has kind ${span.kind}, the spec says ${descriptor.kind}`));
  }
  for (const [key, value] of Object.entries(values)) {
    if (span.attributes[key] !== undefined && String(span.attributes[key]) !== value) {
      found.push(deviation('span-name-mismatch', `span "${span.name}" is named after ${key}="${value}" but carries ${key}=${JSON.stringify(span.attributes[key])}`));
    }
  }
  const attributes = checkAttributes(span.attributes, descriptor.fields, `span "${span.name}"`, spanKeys(descriptor), writtenWhereNamed(descriptor, template));
  return [...found, ...attributes.map(({ rule, message }) => deviation(rule, message))];
}

function checkMetric(metric: ObservedMetric, registry: Registry): Deviation[] {
  const deviation = (rule: DeviationRule, message: string): Deviation => ({ signal: 'metric', name: metric.name, rule, message });
  const descriptor = registry.metrics.find((candidate) => candidate.name === metric.name);
  if (descriptor === undefined) return [deviation('undeclared-metric', `metric "${metric.name}" is not in the spec`)];
  const found: Deviation[] = [];
  if (metric.unit !== undefined && metric.unit !== descriptor.unit) {
    found.push(deviation('wrong-unit', `metric "${metric.name}" has unit "${metric.unit}", the spec says "${descriptor.unit}"`));
  }
  if (metric.instrument !== undefined && metric.instrument !== descriptor.instrument) {
    found.push(deviation('wrong-instrument', `metric "${metric.name}" is a ${metric.instrument}, the spec says ${descriptor.instrument}`));
  }
  for (const point of metric.points) {
    found.push(...checkAttributes(point, descriptor.fields, `a data point of "${metric.name}"`).map(({ rule, message }) => deviation(rule, message)));
  }
  return found;
}

/**
 * The span descriptor whose name template fits the span. Names such as
 * `workflow.{workflow.name}` also match `workflow.node.classify`, so a match
 * whose placeholders agree with the span's attributes wins, then the most
 * specific template (the most literal text).
 */
function bestTemplateMatch(span: ObservedSpan, descriptors: readonly SpanDescriptor<never>[]) {
  const literalLength = (template: string) => template.replace(/\{[^{}]+\}/g, '').length;
  // A span is named by its own template, or by its GenAI equivalent's in the conventions that name it so.
  const templates = descriptors.flatMap((descriptor) =>
    [...new Set([descriptor.nameTemplate, ...(descriptor.conventions ?? []).map((table) => table.nameTemplate)])]
      .filter((template): template is string => template !== undefined)
      .map((template) => ({ descriptor, template })),
  );
  const candidates = templates
    .map(({ descriptor, template }) => ({ descriptor, template, values: matchTemplate(template, span.name) }))
    .filter((candidate): candidate is { descriptor: SpanDescriptor<never>; template: string; values: Record<string, string> } => candidate.values !== undefined)
    .sort((a, b) => literalLength(b.template) - literalLength(a.template));
  const agrees = (values: Record<string, string>) => Object.entries(values).every(([key, value]) => String(span.attributes[key]) === value);
  // Spans that share a GenAI name (a whole and a streamed LLM call) are told apart by their attributes.
  const undeclared = (descriptor: SpanDescriptor<never>) => {
    const keys = new Set(spanKeys(descriptor).flatMap((writes) => writes.map((write) => write.key)));
    return Object.keys(span.attributes).filter((key) => !keys.has(key)).length;
  };
  const scored = candidates.filter((candidate) => agrees(candidate.values)).map((candidate) => ({ candidate, undeclared: undeclared(candidate.descriptor) }));
  const best = scored.reduce<(typeof scored)[number] | undefined>((chosen, next) => (chosen === undefined || next.undeclared < chosen.undeclared ? next : chosen), undefined);
  return best?.candidate ?? candidates[0];
}

/** `llm.{llm.provider}.generate` against `llm.openai.generate` → `{ 'llm.provider': 'openai' }`, or undefined. */
export function matchTemplate(template: string, name: string): Record<string, string> | undefined {
  const keys: string[] = [];
  const pattern = template
    .split(/\{([^{}]+)\}/)
    .map((part, index) => {
      if (index % 2 === 0) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      keys.push(part);
      return '(.+?)';
    })
    .join('');
  const match = new RegExp(`^${pattern}$`).exec(name);
  if (match === null) return undefined;
  return Object.fromEntries(keys.map((key, index) => [key, match[index + 1] ?? '']));
}

/**
 * For each field, whether every conventions selection that names the span by `template` writes it:
 * a required attribute is only missing where the selection the span was emitted in writes it
 * (`llm.provider` is flo_ai's, and a span named by its GenAI template may come from `gen_ai`).
 */
function writtenWhereNamed(descriptor: SpanDescriptor<never>, template: string): boolean[] {
  const tables = (descriptor.conventions ?? []).filter((table) => (table.nameTemplate ?? descriptor.nameTemplate) === template);
  return descriptor.fields.map((_, index) => tables.every((table) => (table.writes[index] ?? []).length > 0));
}

/**
 * Every key each field of a span may be written under, in any conventions selection: its own, its
 * GenAI equivalent's, an opt-in's (from the descriptor's generated tables).
 */
function spanKeys(descriptor: SpanDescriptor<never>): (readonly SpanWrite[])[] {
  return descriptor.fields.map((field, index) => {
    const writes = new Map<string, SpanWrite>([[field.spec.key, { key: field.spec.key }]]);
    for (const table of descriptor.conventions ?? []) for (const write of table.writes[index] ?? []) writes.set(write.key, write);
    return [...writes.values()];
  });
}

/** A converted value (milliseconds to seconds) of a whole number need not be whole. */
function expectedKind(field: AttributeField, write: SpanWrite): AttributeKind {
  if (write.scale === undefined) return field.spec.kind;
  return field.spec.kind === 'int' ? 'double' : field.spec.kind;
}

function checkAttributes(
  attributes: Readonly<Record<string, unknown>>,
  fields: readonly AttributeField[],
  where: string,
  keys: readonly (readonly SpanWrite[])[] = fields.map((field) => [{ key: field.spec.key }]),
  written: readonly boolean[] = fields.map(() => true),
): Array<{ rule: DeviationRule; message: string }> {
  const found: Array<{ rule: DeviationRule; message: string }> = [];
  // A span may carry an attribute under its own key, its GenAI equivalent, or both (see conventions).
  const declared = new Map<string, { field: AttributeField; write: SpanWrite }>();
  fields.forEach((field, index) => {
    for (const write of keys[index] ?? []) declared.set(write.key, { field, write });
  });
  fields.forEach((field, index) => {
    const present = (keys[index] ?? []).some((write) => attributes[write.key] !== undefined);
    if (field.required && written[index] === true && !present) {
      found.push({ rule: 'missing-required-attribute', message: `${where} lacks required attribute ${field.spec.key}` });
    }
  });
  for (const [key, value] of Object.entries(attributes)) {
    const entry = declared.get(key);
    const field = entry?.field;
    if (entry === undefined || field === undefined) {
      found.push({ rule: 'undeclared-attribute', message: `${where} carries ${key}, which the spec does not declare for it` });
    } else if (!fitsKind(value, expectedKind(field, entry.write))) {
      found.push({ rule: 'wrong-attribute-type', message: `${where}: ${key}=${JSON.stringify(value)} is not of type ${field.spec.kind}` });
    } else if (field.spec.members !== undefined && !field.spec.members.includes(value as string | number)) {
      found.push({ rule: 'value-outside-enum', message: `${where}: ${key}=${JSON.stringify(value)} is not one of ${field.spec.members.join(', ')}` });
    }
  }
  return found;
}
