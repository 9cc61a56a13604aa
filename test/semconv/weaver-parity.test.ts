/**
 * The kit's resolver and Weaver's agree: for every signal of a registry
 * (spans, metrics, events, entities, refinements and what is imported from
 * dependencies), the same attributes, each with the same type (enum members
 * included) and requirement level. Run on the kit's own registry, on the
 * released semantic conventions v1.41.1 (`groups:`, `extends`) and on the
 * GenAI development snapshot (`definition/2`, `ref_group`, refinements,
 * visibility, a dependency on v1.44.0).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSpec } from '../../scripts/semconv/load.ts';
import { isEnumType, isTemplateType, type AttributeUse, type Spec } from '../../scripts/semconv/model.ts';
import { REFERENCE, referenceRegistry } from '../support/reference.ts';
import { makeTempDir, removeDir } from '../support/spec-fixture.ts';
import { availableWeaver, REPO_ROOT } from '../support/weaver.ts';

const weaver = availableWeaver();
const outDir = makeTempDir('weaver-resolve');
afterAll(() => removeDir(outDir));

interface ResolvedGroup {
  readonly id: string;
  readonly type: string;
  readonly attributes?: ReadonlyArray<{ readonly name: string; readonly type: unknown; readonly requirement_level: unknown }>;
}

/** `weaver registry resolve`, run where Weaver resolves the registry's relative dependency paths from. */
function weaverResolve(cwd: string, registry: string, name: string): ResolvedGroup[] {
  const output = join(outDir, `${name}.json`);
  const run = spawnSync(weaver as string, ['registry', 'resolve', '-r', registry, '-f', 'json', '-o', output], { cwd, encoding: 'utf8', timeout: 120_000 });
  expect(run.status, run.stderr).toBe(0);
  return (JSON.parse(readFileSync(output, 'utf8')) as { groups: ResolvedGroup[] }).groups;
}

const levelOf = (level: unknown): string => (typeof level === 'string' ? level : Object.keys(level as object)[0] ?? '?');
const members = (values: readonly unknown[]): string => `enum[${values.map(String).sort().join(',')}]`;
const weaverType = (type: unknown): string =>
  typeof type === 'string' ? type : members((type as { members: Array<{ value: unknown }> }).members.map((member) => member.value));
function kitType(use: AttributeUse): string {
  const type = use.attribute.type;
  if (isEnumType(type)) return members(type.members.map((member) => member.value));
  return isTemplateType(type) ? `template[${type.template}]` : type;
}

/** signal id → sorted `attribute type level` lines. */
function weaverSignals(groups: readonly ResolvedGroup[]): Map<string, string[]> {
  return new Map(
    groups
      .filter((group) => group.type !== 'attribute_group')
      .map((group) => [group.id, (group.attributes ?? []).map((a) => `${a.name} ${weaverType(a.type)} ${levelOf(a.requirement_level)}`).sort()]),
  );
}

function kitSignals(spec: Spec): Map<string, string[]> {
  const signals = [...spec.spans, ...spec.metrics, ...spec.events, ...spec.entities];
  return new Map(signals.map((signal) => [signal.groupId, signal.attributes.map((use) => `${use.attribute.id} ${kitType(use)} ${use.requirementLevel.level}`).sort()]));
}

function expectSameResolution(kit: Spec, groups: readonly ResolvedGroup[], minimum: number): void {
  const fromWeaver = weaverSignals(groups);
  const fromKit = kitSignals(kit);
  expect([...fromKit.keys()].sort()).toEqual([...fromWeaver.keys()].sort());
  expect(fromWeaver.size).toBeGreaterThanOrEqual(minimum);
  for (const [id, attributes] of fromWeaver) expect(fromKit.get(id), id).toEqual(attributes);
}

const semconv = referenceRegistry(REFERENCE.semconv);
const genai = referenceRegistry(REFERENCE.semconvGenai);

describe.skipIf(!weaver)('the kit resolves registries as Weaver 0.25.1 does', () => {
  it('its own registry, with the GenAI signals it imports from its dependency', () => {
    const groups = weaverResolve(REPO_ROOT, 'semconv', 'kit');
    const spec = loadSpec(join(REPO_ROOT, 'semconv'));
    expectSameResolution(spec, groups, 20);
    expect(spec.metrics.filter((metric) => metric.dependency !== undefined).map((metric) => metric.metricName)).toContain('gen_ai.client.token.usage');
  }, 120_000);

  it.skipIf(!semconv)('semantic conventions v1.41.1, every domain', () => {
    const groups = weaverResolve(REPO_ROOT, semconv as string, 'semconv');
    expectSameResolution(loadSpec(semconv as string, { scopeName: 'semconv', scopeVersion: '1.41.1' }), groups, 600);
  }, 120_000);

  it.skipIf(!genai)('the GenAI development snapshot (definition/2) with its v1.44.0 dependency', () => {
    // Its manifest's registry_path is relative; Weaver reads it against the working directory.
    const groups = weaverResolve(genai as string, genai as string, 'genai');
    expectSameResolution(loadSpec(genai as string), groups, 40);
  }, 120_000);
});
