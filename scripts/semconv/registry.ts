/**
 * One registry with its dependencies, resolved the way Weaver resolves it:
 * `ref` finds an attribute here or in a dependency, `extends` and v2
 * refinements inherit the parent's attributes, `ref_group` inlines an
 * attribute group, and a reference refines (brief, note, examples,
 * requirement level…) the attribute for that one signal. Precedence, as in
 * Weaver: an inline reference beats a `ref_group`, which beats what is
 * inherited.
 */
import { attributeAnnotations, referenceAnnotations } from './annotations.ts';
import type { AttributeDefinition, AttributeUse, RequirementLevel, SourceLocation } from './model.ts';
import type { Problems } from './problems.ts';
import type { RawAttributeDefinition, RawAttributeRef, RawFile, RawGroup, RawImport } from './raw.ts';

const RECOMMENDED: RequirementLevel = { level: 'recommended' };

export interface RegistrySource {
  /** The dependency's schema URL; undefined for the registry being generated. */
  readonly dependency?: string;
  readonly files: readonly RawFile[];
  readonly dependencies: readonly Registry[];
  /** Dependencies (its own or theirs) that could not be read, by name or path. */
  readonly unreadDependencies?: readonly string[];
}

export class Registry {
  readonly dependency?: string;
  readonly dependencies: readonly Registry[];
  readonly unreadDependencies: readonly string[];
  /** Own attribute definitions by id, in file order. */
  readonly attributes = new Map<string, AttributeDefinition>();
  /** Own groups by id, in file order. */
  readonly groups = new Map<string, RawGroup>();
  readonly imports: readonly RawImport[];
  private readonly problems: Problems;
  private readonly resolved = new Map<string, AttributeUse[]>();
  private readonly resolving = new Set<string>();

  constructor(source: RegistrySource, problems: Problems) {
    this.dependency = source.dependency;
    this.dependencies = source.dependencies;
    this.unreadDependencies = source.unreadDependencies ?? [];
    this.problems = problems;
    this.imports = source.files.flatMap((file) => file.imports);
    for (const file of source.files) this.collect(file);
  }

  private collect(file: RawFile): void {
    const define = (raw: RawAttributeDefinition, groupId: string): void => {
      const earlier = this.attributes.get(raw.id);
      if (earlier !== undefined) {
        this.problems.add(raw.location, 'duplicate-id', `attribute id "${raw.id}" is already defined at ${at(earlier.location)}`);
        return;
      }
      this.attributes.set(raw.id, this.definition(raw, groupId));
    };
    for (const raw of file.attributes) define(raw, `registry.${raw.id.split('.')[0]}`);
    for (const group of file.groups) {
      const earlier = this.groups.get(group.id);
      if (earlier !== undefined) {
        this.problems.add(group.location, 'duplicate-id', `group id "${group.id}" is already defined at ${at(earlier.location)}`);
        continue;
      }
      this.groups.set(group.id, group);
      for (const entry of group.entries) if (entry.kind === 'def') define(entry, group.id);
    }
  }

  private definition(raw: RawAttributeDefinition, groupId: string): AttributeDefinition {
    const kit = attributeAnnotations(raw.annotations, `attribute "${raw.id}"`, raw.annotationsLocation, this.problems);
    const type = typeof raw.type === 'object' && 'members' in raw.type ? { ...raw.type, allowCustomValues: !kit.closed } : raw.type;
    if (kit.closed && type === raw.type) this.problems.add(raw.annotationsLocation, 'closed-not-enum', `annotations.flo.closed on "${raw.id}", which is not an enum`);
    return {
      id: raw.id,
      codeName: kit.codeName ?? raw.id,
      groupId,
      type,
      brief: raw.brief,
      note: raw.note,
      examples: raw.examples ?? [],
      stability: raw.stability ?? (raw.deprecated ? 'deprecated' : 'development'),
      deprecated: raw.deprecated,
      requirementLevel: raw.requirementLevel ?? RECOMMENDED,
      onError: kit.onError,
      unit: kit.unit,
      equivalent: kit.equivalent,
      annotations: raw.annotations ?? {},
      dependency: this.dependency,
      location: raw.location,
    };
  }

  /** An attribute defined here or, failing that, in a dependency. */
  lookupAttribute(id: string): AttributeDefinition | undefined {
    return this.attributes.get(id) ?? firstOf(this.dependencies, (registry) => registry.lookupAttribute(id));
  }

  /** A group defined here or in a dependency, with the registry that resolves it. */
  lookupGroup(id: string): { group: RawGroup; registry: Registry } | undefined {
    const own = this.groups.get(id);
    if (own !== undefined) return { group: own, registry: this };
    return firstOf(this.dependencies, (registry) => registry.lookupGroup(id));
  }

  /** Every attribute id known here or in a dependency, for suggestions. */
  *attributeIds(): Generator<string> {
    yield* this.attributes.keys();
    for (const dependency of this.dependencies) yield* dependency.attributeIds();
  }

  /** The resolved attributes of one of this registry's groups. */
  uses(group: RawGroup): AttributeUse[] {
    const done = this.resolved.get(group.id);
    if (done !== undefined) return done;
    if (this.resolving.has(group.id)) {
      this.problems.add(group.referenceLocation, 'cyclic-reference', `group "${group.id}" extends or refines itself through ${[...this.resolving].join(' → ')}`);
      return [];
    }
    this.resolving.add(group.id);
    const uses = this.resolveUses(group);
    this.resolving.delete(group.id);
    this.resolved.set(group.id, uses);
    return uses;
  }

  /**
   * The group a group extends or refines, resolved in the registry that owns it. A missing
   * parent is reported once, when the group's attributes are resolved (every group's are).
   */
  parentOf(group: RawGroup): { group: RawGroup; registry: Registry } | undefined {
    const parentId = group.extends ?? group.refines;
    return parentId === undefined ? undefined : this.lookupGroup(parentId);
  }

  private resolveUses(group: RawGroup): AttributeUse[] {
    const parent = this.parentOf(group);
    const parentId = group.extends ?? group.refines;
    if (parent === undefined && parentId !== undefined) {
      const verb = group.extends !== undefined ? 'extends' : 'refines';
      this.problems.add(group.referenceLocation, 'undefined-ref', `group "${group.id}" ${verb} "${parentId}", which is not a group of this registry or its dependencies${this.unreadNote()}`);
    }
    const inherited = parent === undefined ? [] : parent.registry.uses(parent.group);
    const fromGroups = new Map<string, AttributeUse>();
    const inline = new Map<string, AttributeUse>();
    // In first-placed order; a set, so a group of n attributes costs n, not n².
    const order = new Set(inherited.map((use) => use.attribute.id));
    const place = (id: string): void => {
      order.add(id);
    };
    for (const entry of group.entries) {
      if (entry.kind !== 'ref_group') continue;
      for (const use of this.refGroupUses(group, entry.refGroup, entry.location)) {
        fromGroups.set(use.attribute.id, use);
        place(use.attribute.id);
      }
    }
    const byId = new Map(inherited.map((use) => [use.attribute.id, use]));
    for (const [id, use] of fromGroups) byId.set(id, use);
    for (const entry of group.entries) {
      if (entry.kind === 'ref_group') continue;
      // A reference refines what the attribute already is on this signal (inherited or from a
      // ref_group): fields it leaves out keep their earlier value, as in Weaver.
      const earlier = entry.kind === 'ref' ? byId.get(entry.ref) : undefined;
      const use = entry.kind === 'def' ? this.definitionUse(entry) : this.referenceUse(group, entry, inline.has(entry.ref) ? undefined : earlier);
      if (use === undefined) continue;
      if (inline.has(use.attribute.id)) {
        this.problems.add(entry.location, 'duplicate-ref', `attribute "${use.attribute.id}" is listed twice in group "${group.id}"`);
        continue;
      }
      inline.set(use.attribute.id, use);
      place(use.attribute.id);
    }
    for (const [id, use] of inline) byId.set(id, use);
    return [...order].map((id) => byId.get(id)).filter((use): use is AttributeUse => use !== undefined);
  }

  private refGroupUses(owner: RawGroup, id: string, location: SourceLocation): AttributeUse[] {
    const target = this.lookupGroup(id);
    if (target === undefined) {
      this.problems.add(location, 'undefined-ref', `group "${owner.id}" includes ref_group "${id}", which is not a group of this registry or its dependencies${this.unreadNote()}`);
      return [];
    }
    return target.registry.uses(target.group);
  }

  private definitionUse(raw: RawAttributeDefinition): AttributeUse | undefined {
    const attribute = this.attributes.get(raw.id);
    if (attribute === undefined || attribute.location !== raw.location) return undefined;
    return { attribute, requirementLevel: attribute.requirementLevel, onError: attribute.onError, role: raw.role, location: raw.location };
  }

  private referenceUse(group: RawGroup, ref: RawAttributeRef, earlier: AttributeUse | undefined): AttributeUse | undefined {
    const attribute = this.lookupAttribute(ref.ref);
    if (attribute === undefined) {
      this.problems.add(ref.location, 'undefined-ref', `group "${group.id}" refers to attribute "${ref.ref}", which no attribute group of this registry or its dependencies defines${this.suggest(ref.ref)}${this.unreadNote()}`);
      return undefined;
    }
    const kit = referenceAnnotations(ref.annotations, `the reference to "${ref.ref}" in "${group.id}"`, ref.annotationsLocation, this.problems);
    return {
      attribute,
      requirementLevel: ref.requirementLevel ?? earlier?.requirementLevel ?? attribute.requirementLevel,
      brief: ref.brief ?? earlier?.brief,
      note: ref.note ?? earlier?.note,
      examples: ref.examples ?? earlier?.examples,
      deprecated: ref.deprecated ?? earlier?.deprecated,
      samplingRelevant: ref.samplingRelevant ?? earlier?.samplingRelevant,
      role: ref.role ?? earlier?.role,
      onError: kit.onError ?? earlier?.onError ?? attribute.onError,
      value: kit.value ?? earlier?.value,
      location: ref.location,
    };
  }

  /** The known id nearest to a misspelt one, compared whole (`gen_ai.datasource.id` → `gen_ai.data_source.id`). */
  private suggest(id: string): string {
    const nearest = closest(id, this.attributeIds());
    return nearest === undefined ? '' : ` (did you mean "${nearest}"?)`;
  }

  /** When a dependency could not be read, what refers into it is missing because of that. */
  private unreadNote(): string {
    const unread = this.unreadDependencies;
    if (unread.length === 0) return '';
    return unread.length === 1 ? `; the dependency ${unread[0]} could not be read (see the first error)` : `; the dependencies ${unread.join(', ')} could not be read (see the first errors)`;
  }
}

/**
 * The candidate at the smallest edit distance from `id` (insertions, deletions, substitutions,
 * over the whole id), if it is close enough to be a slip: at most a quarter of the id's length,
 * and never more than 4 edits. Ties go to the first candidate.
 */
export function closest(id: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.min(4, Math.max(1, Math.floor(id.length / 4)));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    if (Math.abs(candidate.length - id.length) >= bestDistance || candidate === id) continue;
    const distance = editDistance(id, candidate, bestDistance);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Levenshtein distance of `a` and `b`, or `bound` when it is at least that. */
function editDistance(a: string, b: string, bound: number): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    let rowMinimum = i;
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      const value = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + cost);
      current.push(value);
      rowMinimum = Math.min(rowMinimum, value);
    }
    if (rowMinimum >= bound) return bound;
    previous = current;
  }
  return Math.min(previous[b.length] as number, bound);
}

function firstOf<T, R>(items: readonly T[], pick: (item: T) => R | undefined): R | undefined {
  for (const item of items) {
    const found = pick(item);
    if (found !== undefined) return found;
  }
  return undefined;
}

export function at(location: SourceLocation): string {
  return `${location.file}:${location.line}:${location.column}`;
}
