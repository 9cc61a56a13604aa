/**
 * The kit's registry does not lower a requirement level of the GenAI signals its spans become
 * (issue 22, item 2). Each kit span with a GenAI equivalent is that GenAI span when GenAI names are
 * emitted, so every attribute the GenAI definition lists must be declared on the kit span (under
 * its key, or as a kit attribute's `equivalent`) at least as strictly, and every one it requires
 * must be declared at all. Compared here with the released semantic conventions v1.41.1 as pinned
 * in ../shared/reference (not the kit's vendored copy) and with the GenAI development snapshot the
 * opt-in follows; the generator refuses a spec that lowers one (`requirement-level-lowered`,
 * test/generator/conventions.test.ts).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSpec } from '../../scripts/semconv/load.ts';
import type { AttributeUse, RequirementLevelName, Spec, SpanDefinition } from '../../scripts/semconv/model.ts';
import { REFERENCE, referenceRegistry } from '../support/reference.ts';
import { REPO_ROOT } from '../support/weaver.ts';

const semconv = referenceRegistry(REFERENCE.semconv);
const RANK: Record<RequirementLevelName, number> = { opt_in: 0, recommended: 1, conditionally_required: 2, required: 3 };

interface Lowered {
  readonly span: string;
  readonly attribute: string;
  readonly kit: RequirementLevelName | 'absent';
  readonly upstream: RequirementLevelName;
}

/** Where the kit span's attributes land under GenAI names: a dependency attribute under its id, a kit attribute under its equivalent's (renamed under an opt-in). */
function genAiUses(span: SpanDefinition, renames: Readonly<Record<string, string>> = {}): Map<string, AttributeUse> {
  const uses = new Map<string, AttributeUse>();
  for (const use of span.attributes) {
    const id = use.attribute.dependency === undefined ? use.attribute.equivalent?.id : use.attribute.id;
    if (id !== undefined) uses.set(renames[id] ?? id, use);
  }
  return uses;
}

function lowered(kit: Spec, upstream: Spec, equivalentOf: (span: SpanDefinition) => string | undefined, renames?: Readonly<Record<string, string>>): Lowered[] {
  const found: Lowered[] = [];
  for (const span of kit.spans) {
    const id = equivalentOf(span);
    if (id === undefined) continue;
    const definition = upstream.spans.find((candidate) => candidate.groupId === id);
    expect(definition, `${id} in the upstream registry`).toBeDefined();
    const uses = genAiUses(span, renames);
    for (const upstreamUse of definition!.attributes) {
      const level = upstreamUse.requirementLevel.level;
      const own = uses.get(upstreamUse.attribute.id);
      if (own === undefined ? level === 'required' : RANK[own.requirementLevel.level] < RANK[level]) {
        found.push({ span: span.groupId, attribute: upstreamUse.attribute.id, kit: own?.requirementLevel.level ?? 'absent', upstream: level });
      }
    }
  }
  return found;
}

describe.skipIf(semconv === undefined)('requirement levels of the GenAI spans the kit emits', () => {
  const kit = loadSpec(join(REPO_ROOT, 'semconv'));

  it('none lower than semantic conventions v1.41.1 (../shared/reference), for every kit span with a GenAI equivalent', () => {
    const upstream = loadSpec(semconv!, { scopeName: 'semconv', scopeVersion: '1.41.1' });
    const equivalents = kit.spans.filter((span) => span.equivalent !== undefined);
    expect(equivalents.map((span) => `${span.groupId} → ${span.equivalent?.spanId}`).sort()).toEqual([
      'span.agent.run → span.gen_ai.invoke_agent.internal',
      'span.agent.tool → span.gen_ai.execute_tool.internal',
      'span.llm.generate → span.gen_ai.inference.client',
      'span.llm.stream → span.gen_ai.inference.client',
      'span.workflow.run → span.gen_ai.invoke_workflow.internal',
    ]);
    expect(lowered(kit, upstream, (span) => span.equivalent?.spanId)).toEqual([]);
  });

  it('gen_ai.provider.name and gen_ai.operation.name are required on the agent run, as v1.41.1 requires them on invoke_agent', () => {
    const run = kit.spans.find((span) => span.groupId === 'span.agent.run')!;
    const level = (id: string) => run.attributes.find((use) => use.attribute.id === id)?.requirementLevel.level;
    expect([level('gen_ai.provider.name'), level('gen_ai.operation.name')]).toEqual(['required', 'required']);
  });

  it('none lower than the GenAI development snapshot the opt-in follows', () => {
    const latest = loadSpec(join(REPO_ROOT, 'semconv/.upstream/semconv-genai-dev/model'));
    const optIn = (span: SpanDefinition) => {
      const given = span.equivalent?.optIn?.gen_ai_latest_experimental as { span?: string } | undefined;
      return given?.span;
    };
    expect(lowered(kit, latest, optIn, { 'gen_ai.usage.cache_creation.input_tokens': 'gen_ai.usage.cache_write.input_tokens' })).toEqual([]);
  });
});
