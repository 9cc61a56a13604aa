/**
 * Spec evolution: compares a spec with an earlier one and sorts every
 * difference into breaking (existing callers, queries or dashboards stop
 * working) and compatible. A new signal or optional attribute is compatible;
 * a removed or renamed signal, a changed unit, instrument, type or kind, and
 * a new required attribute are breaking.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix, relative, resolve, sep } from 'node:path';
import {
  deprecationText,
  isEnumType,
  isTemplateType,
  type AttributeDefinition,
  type AttributeUse,
  type Deprecation,
  type MetricDefinition,
  type Spec,
  type SpanDefinition,
} from './model.ts';

export interface SpecChange {
  readonly breaking: boolean;
  /** What changed: `metric llm.request.duration`, `attribute llm.model`, `span span.agent.run`. */
  readonly subject: string;
  readonly description: string;
}

export function diffSpecs(before: Spec, after: Spec): SpecChange[] {
  return [
    ...diffById(before.attributes, after.attributes, (a) => a.id, 'attribute', diffAttribute),
    ...diffById(before.spans, after.spans, (s) => s.groupId, 'span', diffSpan),
    ...diffById(before.metrics, after.metrics, (m) => m.metricName, 'metric', diffMetric),
  ];
}

function diffById<T extends { deprecated?: Deprecation }>(
  before: readonly T[],
  after: readonly T[],
  idOf: (item: T) => string,
  kind: string,
  diffOne: (old: T, current: T, subject: string) => SpecChange[],
): SpecChange[] {
  const changes: SpecChange[] = [];
  const afterById = new Map(after.map((item) => [idOf(item), item]));
  const beforeIds = new Set(before.map(idOf));
  for (const old of before) {
    const subject = `${kind} ${idOf(old)}`;
    const current = afterById.get(idOf(old));
    if (current === undefined) {
      const renamed = old.deprecated?.renamedTo ? ` (renamed to ${old.deprecated.renamedTo})` : '';
      changes.push({ breaking: true, subject, description: `removed${renamed}` });
      continue;
    }
    if (old.deprecated === undefined && current.deprecated !== undefined) {
      changes.push({ breaking: false, subject, description: `deprecated: ${deprecationText(current.deprecated)}` });
    }
    changes.push(...diffOne(old, current, subject));
  }
  for (const current of after) {
    if (!beforeIds.has(idOf(current))) changes.push({ breaking: false, subject: `${kind} ${idOf(current)}`, description: 'added' });
  }
  return changes;
}

function change(breaking: boolean, subject: string, description: string): SpecChange {
  return { breaking, subject, description };
}

function typeText(attribute: AttributeDefinition): string {
  if (isTemplateType(attribute.type)) return `template[${attribute.type.template}]`;
  if (!isEnumType(attribute.type)) return attribute.type;
  return attribute.type.allowCustomValues ? 'open enum' : 'enum';
}

function diffAttribute(old: AttributeDefinition, current: AttributeDefinition, subject: string): SpecChange[] {
  const changes: SpecChange[] = [];
  if (typeText(old) !== typeText(current)) changes.push(change(true, subject, `type changed from ${typeText(old)} to ${typeText(current)}`));
  if (isEnumType(old.type) && isEnumType(current.type)) {
    const before = new Set(old.type.members.map((member) => member.value));
    const after = new Set(current.type.members.map((member) => member.value));
    for (const value of before) if (!after.has(value)) changes.push(change(true, subject, `enum member ${JSON.stringify(value)} removed`));
    for (const value of after) if (!before.has(value)) changes.push(change(false, subject, `enum member ${JSON.stringify(value)} added`));
  }
  return changes;
}

function diffUses(old: readonly AttributeUse[], current: readonly AttributeUse[], subject: string): SpecChange[] {
  const changes: SpecChange[] = [];
  const currentById = new Map(current.map((use) => [use.attribute.id, use]));
  const oldIds = new Set(old.map((use) => use.attribute.id));
  for (const use of old) {
    const now = currentById.get(use.attribute.id);
    if (now === undefined) changes.push(change(true, subject, `attribute ${use.attribute.id} removed`));
    else if (use.requirementLevel.level !== 'required' && now.requirementLevel.level === 'required') {
      changes.push(change(true, subject, `attribute ${use.attribute.id} became required`));
    } else if (use.requirementLevel.level !== now.requirementLevel.level) {
      changes.push(change(false, subject, `attribute ${use.attribute.id} requirement ${use.requirementLevel.level} → ${now.requirementLevel.level}`));
    }
  }
  for (const use of current.filter((candidate) => !oldIds.has(candidate.attribute.id))) {
    const required = use.requirementLevel.level === 'required';
    changes.push(change(required, subject, `${required ? 'required' : 'optional'} attribute ${use.attribute.id} added`));
  }
  return changes;
}

function diffSpan(old: SpanDefinition, current: SpanDefinition, subject: string): SpecChange[] {
  const changes: SpecChange[] = [];
  if (old.spanName !== current.spanName) changes.push(change(true, subject, `name changed from ${old.spanName} to ${current.spanName}`));
  if (old.spanKind !== current.spanKind) changes.push(change(true, subject, `kind changed from ${old.spanKind} to ${current.spanKind}`));
  return [...changes, ...diffUses(old.attributes, current.attributes, subject)];
}

function diffMetric(old: MetricDefinition, current: MetricDefinition, subject: string): SpecChange[] {
  const changes: SpecChange[] = [];
  if (old.unit !== current.unit) changes.push(change(true, subject, `unit changed from ${old.unit} to ${current.unit}`));
  if (old.instrument !== current.instrument) changes.push(change(true, subject, `instrument changed from ${old.instrument} to ${current.instrument}`));
  if (old.valueType !== current.valueType) changes.push(change(true, subject, `value type changed from ${old.valueType} to ${current.valueType}`));
  if (JSON.stringify(old.explicitBucketBoundaries) !== JSON.stringify(current.explicitBucketBoundaries)) {
    changes.push(change(false, subject, 'bucket advice changed'));
  }
  return [...changes, ...diffUses(old.attributes, current.attributes, subject)];
}

/** A spec folder as it was at a git revision, copied into a temporary folder. */
export interface SpecSnapshot {
  /** The temporary folder holding the spec files. */
  readonly dir: string;
  /** Where a file of the snapshot comes from, as git names it: `HEAD~1:semconv/llm.yaml`. */
  origin(file: string): string;
  /** Removes the temporary folder; call it when done (`finally`). */
  dispose(): void;
}

/**
 * Materialises the spec folder `specDir` as it was at git revision `revision`
 * into a temporary folder, which the caller disposes of.
 */
export function specAtRevision(specDir: string, revision: string): SpecSnapshot {
  const top = execFileSync('git', ['-C', specDir, 'rev-parse', '--show-toplevel'], { encoding: 'utf8' }).trim();
  const prefix = relative(top, specDir) || '.';
  const listing = execFileSync('git', ['-C', top, 'ls-tree', '-r', '--name-only', revision, '--', prefix], { encoding: 'utf8' });
  const files = listing.split('\n').filter((file) => /\.ya?ml$/.test(file));
  if (files.length === 0) throw new Error(`no spec files under ${prefix} at revision ${revision}`);
  const out = mkdtempSync(join(tmpdir(), 'flo-spec-baseline-'));
  const dispose = (): void => rmSync(out, { recursive: true, force: true });
  try {
    for (const file of files) {
      const target = join(out, relative(prefix, file));
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, execFileSync('git', ['-C', top, 'show', `${revision}:${file}`]));
    }
  } catch (error) {
    dispose();
    throw error;
  }
  const origin = (file: string): string => {
    const inside = relative(out, resolve(file));
    if (inside.startsWith('..') || inside === '') return file;
    return `${revision}:${posix.join(prefix.split(sep).join('/'), inside.split(sep).join('/'))}`;
  };
  return { dir: out, origin, dispose };
}
