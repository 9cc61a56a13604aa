/**
 * The generator on registries it did not write: the released semantic
 * conventions v1.41.1 (every domain, the GenAI model among them) and the GenAI
 * development snapshot (`definition/2`, ref_group, visibility, `type: any`,
 * events, entities, refinements, a dependency). Both must generate typed
 * recorders that typecheck, and the GenAI ones must emit what they declare.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeOutputs } from '../../scripts/codegen/output.ts';
import { renderOutputs } from '../../scripts/generate.ts';
import { loadSpec } from '../../scripts/semconv/load.ts';
import { unbindProviders } from '../../src/runtime/bind.ts';
import { bindHarness } from '../support/harness.ts';
import { REFERENCE, referenceRegistry } from '../support/reference.ts';
import { makeTempDir, removeDir } from '../support/spec-fixture.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RUNTIME = join(ROOT, 'src/runtime/support.ts');
const semconv = referenceRegistry(REFERENCE.semconv);
const genai = referenceRegistry(REFERENCE.semconvGenai);

let workDir = '';
const outOf = (name: string): string => join(workDir, name, 'out');

function generate(name: string, spec: string): void {
  const options = { spec, out: outOf(name), docs: join(workDir, name, 'docs'), runtimeImport: RUNTIME, scopeName: name, scopeVersion: '1.0.0' };
  writeOutputs(renderOutputs(options));
}

beforeAll(() => {
  workDir = makeTempDir('official');
  if (semconv) generate('semconv', semconv);
  if (genai) generate('genai', genai);
  symlinkSync(join(ROOT, 'node_modules'), join(workDir, 'node_modules'));
  writeFileSync(join(workDir, 'package.json'), '{ "type": "module" }\n');
}, 60_000);
afterAll(() => removeDir(workDir));

describe.skipIf(!semconv || !genai)('official registries', () => {
  it('generate code that typechecks under strict nodenext', () => {
    const tsconfig = {
      compilerOptions: {
        target: 'ES2023', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true,
        noUncheckedIndexedAccess: true, verbatimModuleSyntax: true, allowImportingTsExtensions: true, types: ['node'],
      },
      include: ['semconv/out', 'genai/out'],
    };
    writeFileSync(join(workDir, 'tsconfig.json'), JSON.stringify(tsconfig));
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    // Throws with the compiler's messages when anything fails to compile.
    expect(() => execFileSync(process.execPath, [tsc, '-p', workDir], { encoding: 'utf8', stdio: 'pipe' })).not.toThrow();
  }, 120_000);

  it('v1.41.1 yields the GenAI inference span and client metrics with the attributes the model gives them', () => {
    const spec = loadSpec(semconv as string, { scopeName: 'x', scopeVersion: '1' });
    const span = spec.spans.find((s) => s.groupId === 'span.gen_ai.inference.client');
    const usage = spec.metrics.find((m) => m.metricName === 'gen_ai.client.token.usage');
    const duration = spec.metrics.find((m) => m.metricName === 'gen_ai.client.operation.duration');
    const required = (uses: readonly { attribute: { id: string }; requirementLevel: { level: string } }[] | undefined) =>
      (uses ?? []).filter((u) => u.requirementLevel.level === 'required').map((u) => u.attribute.id).sort();
    expect(span?.spanKind).toBe('client');
    expect(required(span?.attributes)).toEqual(['gen_ai.operation.name', 'gen_ai.provider.name']);
    expect(required(usage?.attributes)).toEqual(['gen_ai.operation.name', 'gen_ai.provider.name', 'gen_ai.token.type']);
    expect(usage).toMatchObject({ instrument: 'histogram', unit: '{token}', valueType: 'int' });
    expect(duration).toMatchObject({ instrument: 'histogram', unit: 's', valueType: 'double' });
  });

  it('the development snapshot yields refinements, events and entities, and leaves internal groups out', () => {
    const spec = loadSpec(genai as string, { scopeName: 'x', scopeVersion: '1' });
    const ids = (items: readonly { groupId: string }[]) => items.map((item) => item.groupId);
    expect(ids(spec.spans)).toEqual(expect.arrayContaining(['span.gen_ai.client.inference', 'openai.gen_ai.client.inference']));
    expect(ids(spec.events)).toContain('event.gen_ai.evaluation.result');
    expect(ids(spec.entities)).toContain('entity.gen_ai.main_agent');
    const refined = spec.spans.find((s) => s.groupId === 'openai.gen_ai.client.inference');
    expect(refined?.attributes.map((u) => u.attribute.id)).toEqual(expect.arrayContaining(['gen_ai.operation.name', 'openai.api.type']));
    const messages = spec.attributes.find((a) => a.id === 'gen_ai.input.messages');
    expect(messages?.type).toBe('any');
  });

  it('v1.41.1 yields the 31 EVENT_ name constants of Weaver’s JavaScript templates, with the severity each convention names', async () => {
    const v141 = (await import(join(outOf('semconv'), 'events.ts'))) as Record<string, unknown>;
    const constants = Object.entries(v141).filter(([name]) => name.startsWith('EVENT_'));
    expect(constants).toHaveLength(31);
    expect(v141.EVENT_GEN_AI_CLIENT_OPERATION_EXCEPTION).toBe('gen_ai.client.operation.exception');
    expect(v141.EVENT_GEN_AI_EVALUATION_RESULT).toBe('gen_ai.evaluation.result');
    expect(v141.GEN_AI_CLIENT_OPERATION_EXCEPTION_EVENT).toMatchObject({ severityNumber: 13, severityText: 'WARN' });
    // The snapshot asks for DEBUG on the details event; v1.41.1 names no severity for it.
    const dev = (await import(join(outOf('genai'), 'events.ts'))) as Record<string, unknown>;
    expect(dev.GEN_AI_CLIENT_INFERENCE_OPERATION_DETAILS_EVENT).toMatchObject({ severityNumber: 5, severityText: 'DEBUG' });
    expect(v141.GEN_AI_CLIENT_INFERENCE_OPERATION_DETAILS_EVENT).not.toHaveProperty('severityNumber');
    // Deprecated message events declare a body: typed, and marked on the descriptor.
    expect(v141.GEN_AI_USER_MESSAGE_EVENT).toMatchObject({ body: { required: false } });
    expect(readFileSync(join(outOf('semconv'), 'events.ts'), 'utf8')).toMatch(/export type GenAiAssistantMessageEventBody = \{[\s\S]*?readonly tool_calls\?: readonly \{[\s\S]*?readonly type: 'function' \| \(string & \{\}\);/);
  });

  it('document their entities in entities.md, identifying and descriptive attributes apart', () => {
    const section = (name: string, entity: string): string => {
      const text = readFileSync(join(workDir, name, 'docs/entities.md'), 'utf8');
      const start = text.indexOf(`### ${entity}\n`);
      expect(start, `${entity} in ${name}/docs/entities.md`).toBeGreaterThan(0);
      const end = text.indexOf('\n### ', start + 1);
      return text.slice(start, end < 0 ? undefined : end);
    };
    const rows = (text: string, heading: string): string[] => {
      const after = text.slice(text.indexOf(heading));
      const table = after.slice(after.indexOf('| Attribute'), after.indexOf('\n\n', after.indexOf('| Attribute')));
      return [...table.matchAll(/^\| `([^`]+)` \|/gm)].map((match) => match[1] ?? '');
    };
    // groups: format, `role:` on each reference.
    const service = section('semconv', 'service');
    expect(rows(service, '**Identifying attributes**')).toEqual(['service.name']);
    expect(rows(service, '**Descriptive attributes**')).toEqual(['service.version', 'service.criticality']);
    // definition/2: the `identity` and `description` lists.
    const agent = section('genai', 'gen_ai.main_agent');
    expect(rows(agent, '**Identifying attributes**')).toEqual(['gen_ai.main_agent.id']);
    expect(rows(agent, '**Descriptive attributes**')).toEqual(expect.arrayContaining(['gen_ai.main_agent.name', 'gen_ai.main_agent.description']));
  });

  it('generated GenAI recorders emit the span, data points and events they declare', async () => {
    const harness = bindHarness();
    try {
      const v141 = await import(join(outOf('semconv'), 'index.ts'));
      const dev = await import(join(outOf('genai'), 'index.ts'));
      v141.withGenAiInferenceClientSpan(
        { genAiOperationName: 'chat', genAiProviderName: 'openai', genAiRequestModel: 'gpt-4o', genAiInputMessages: [{ role: 'user', parts: [{ type: 'text', content: 'hi' }] }] },
        () => {
          v141.recordGenAiClientTokenUsage(12, { genAiOperationName: 'chat', genAiProviderName: 'openai', genAiTokenType: 'input', genAiRequestModel: 'gpt-4o' });
          v141.recordGenAiClientOperationDuration(0.25, { genAiOperationName: 'chat', genAiProviderName: 'openai', errorType: 'timeout' });
          dev.recordGenAiEvaluationResultEvent({ genAiEvaluationName: 'relevance', genAiEvaluationScoreValue: 0.9 });
        },
        { name: 'chat gpt-4o' },
      );
      const [span] = await harness.spans();
      expect(span?.name).toBe('chat gpt-4o');
      expect(span?.attributes).toMatchObject({ 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o' });
      expect(JSON.parse(String(span?.attributes['gen_ai.input.messages']))).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'hi' }] }]);
      // Events are log records now, linked to the span they were recorded in, no longer span events.
      expect(span?.events).toEqual([]);
      expect(harness.logs().map((r) => [r.eventName, r.attributes, r.spanContext?.spanId])).toEqual([
        ['gen_ai.evaluation.result', { 'gen_ai.evaluation.name': 'relevance', 'gen_ai.evaluation.score.value': 0.9 }, span?.spanContext().spanId],
      ]);
      const usage = await harness.metric('gen_ai.client.token.usage');
      expect(usage?.descriptor.unit).toBe('{token}');
      expect(usage?.dataPoints.map((p) => [p.attributes, (p.value as { sum: number }).sum])).toEqual([
        [{ 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.token.type': 'input', 'gen_ai.request.model': 'gpt-4o' }, 12],
      ]);
      const duration = await harness.metric('gen_ai.client.operation.duration');
      expect(duration?.dataPoints[0]?.attributes).toEqual({ 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'error.type': 'timeout' });
    } finally {
      unbindProviders();
      await harness.shutdown();
    }
  }, 60_000);
});
