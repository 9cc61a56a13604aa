/**
 * What each conventions mode emits, proven with OpenTelemetry Weaver's live-check (issues 11, 24).
 *
 * A workload that calls every instrumentation helper (live-check-workload.ts) runs once per mode and
 * registry, exported by the kit's own runtime over OTLP gRPC to `weaver registry live-check` listening
 * on 127.0.0.1. Asserted:
 * - `gen_ai`: no violation against the released semantic conventions v1.41.1, nor against the kit's
 *   registry (semconv/); `both` and `flo`: none against the kit's registry.
 * - With the GenAI opt-in (`OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental` for `gen_ai`,
 *   the `semconvStabilityOptIn` option for `both`): `gen_ai` has no violation against the GenAI
 *   development snapshot the kit vendors (semconv/.upstream/semconv-genai-dev, which Weaver loads with
 *   its part of semantic conventions v1.44.0); `both` none but for flo_ai's own names, which no
 *   OpenTelemetry registry defines. Spans are named and shaped as the snapshot's definitions say
 *   (`gen_ai.client.inference`, `gen_ai.invocation.internal` for agents and workflows), and the
 *   metrics are the snapshot's (`gen_ai.client.inference.*`, `gen_ai.invocation.duration`).
 * - Live-check does not look at span names or kinds, so this test checks them from what the in-process
 *   SDK ended, against the span definitions of semantic conventions v1.41.1
 *   (semconv/.upstream/semconv-v1.41.1/model/gen-ai/spans.yaml):
 *     span.gen_ai.inference.client       `{gen_ai.operation.name} {gen_ai.request.model}`, CLIENT
 *     span.gen_ai.invoke_agent.internal  `invoke_agent {gen_ai.agent.name}`, INTERNAL
 *     span.gen_ai.execute_tool.internal  `execute_tool {gen_ai.tool.name}`, INTERNAL
 *     span.gen_ai.invoke_workflow.internal `invoke_workflow {gen_ai.workflow.name}`, INTERNAL
 *   with their required attributes, and against the kit's templates (`annotations.flo.span_name`).
 * - Which metrics each mode emits, and that Weaver received everything the SDK recorded (so "no
 *   violation" is never the report of an empty export).
 * - Log records (issue 23), in every mode: the GenAI events the helpers emit where the conventions
 *   have them (`gen_ai.evaluation.result` from recordEvaluation, `gen_ai.client.operation.exception`
 *   from the failed LLM call, `gen_ai.client.inference.operation.details` of every LLM call and stream,
 *   content being captured into spans and events), each linked to its span, and a plain log line of
 *   the framework's own in every mode. Weaver checks each event's name and attributes against the
 *   registry like any other sample.
 *
 * The kit registry is checked with `--include-unreferenced`: the resource (service.*, deployment.*)
 * and the exception event's attributes come from the registry the kit depends on, which no kit
 * signal references; without the flag Weaver reports each of them as missing.
 *
 * Locally the test skips, saying why, without Weaver or the pinned v1.41.1 registry; in CI it fails.
 */
import { join, relative } from 'node:path';
import { SpanKind, SpanStatusCode, type Attributes, type AttributeValue } from '@opentelemetry/api';
import { InMemoryLogRecordExporter, SimpleLogRecordProcessor, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSpec } from '../../scripts/semconv/load.ts';
import type { Spec, SpanDefinition } from '../../scripts/semconv/model.ts';
import { SCOPE_NAME } from '../../src/generated/scope.ts';
import { configureTelemetry, getTracer, shutdownTelemetry } from '../../src/runtime/configure.ts';
import type { Conventions } from '../../src/runtime/rules.ts';
import type { TelemetryOptions } from '../../src/runtime/settings.ts';
import { groupFindings, startLiveCheck, summaryLine, type LiveCheck, type LiveCheckReport } from '../support/live-check.ts';
import { REFERENCE, referenceRegistry } from '../support/reference.ts';
import { captureDiagLines, type CapturedDiagnostics } from '../support/telemetry-env.ts';
import { availableWeaver, REPO_ROOT } from '../support/weaver.ts';
import { runWorkload, WORKLOAD, type Observation, type Role } from './live-check-workload.ts';

const weaver = availableWeaver();
const semconvModel = weaver === undefined ? undefined : referenceRegistry(REFERENCE.semconv);

interface Target {
  readonly key: 'semconv' | 'kit' | 'latest';
  readonly registry: string;
  readonly label: string;
  readonly includeUnreferenced: boolean;
}

const SEMCONV: Target = {
  key: 'semconv',
  // Relative to the repository root, where Weaver runs: `../shared/reference/semconv/v1.41.1/model`.
  registry: semconvModel === undefined ? '' : relative(REPO_ROOT, semconvModel),
  label: 'semconv v1.41.1',
  includeUnreferenced: false,
};
const KIT: Target = { key: 'kit', registry: 'semconv', label: 'kit registry', includeUnreferenced: true };
/** The vendored GenAI development snapshot; the part of v1.44.0 it depends on knows the resource and SDK metric names. */
const LATEST: Target = { key: 'latest', registry: 'semconv/.upstream/semconv-genai-dev/model', label: 'GenAI development snapshot', includeUnreferenced: true };

/** How a run turns the GenAI opt-in on: not at all, through the variable, or through the option. */
type OptIn = 'none' | 'env' | 'option';

interface RunSpec {
  readonly mode: Conventions;
  readonly target: Target;
  readonly optIn: OptIn;
}

const RUNS: readonly RunSpec[] = [
  { mode: 'gen_ai', target: SEMCONV, optIn: 'none' },
  { mode: 'gen_ai', target: KIT, optIn: 'none' },
  { mode: 'both', target: KIT, optIn: 'none' },
  { mode: 'flo', target: KIT, optIn: 'none' },
  { mode: 'gen_ai', target: LATEST, optIn: 'env' },
  { mode: 'both', target: LATEST, optIn: 'option' },
];

const runKey = (mode: Conventions, target: Target): string => `${mode} ${target.key}`;

/** The GenAI metrics of semantic conventions v1.41.1 a whole and a streamed chat call record. */
const GEN_AI_METRICS = [
  'gen_ai.client.operation.duration',
  'gen_ai.client.operation.time_per_output_chunk',
  'gen_ai.client.operation.time_to_first_chunk',
  'gen_ai.client.token.usage',
];

/** What flo_ai users query: the kit's metrics this workload records in `flo` mode (the same in `both`). */
const FLO_METRICS = [
  'agent.execution.duration',
  'agent.executions.total',
  'agent.history.size',
  'agent.retries.total',
  'agent.tool_calls.total',
  'llm.errors.total',
  'llm.request.duration',
  'llm.requests.total',
  'llm.stream.chunks.total',
  'llm.stream.duration',
  'llm.stream.time_to_first_chunk',
  'llm.streams.total',
  'llm.tokens.completion',
  'llm.tokens.prompt',
  'llm.tokens.total',
  'workflow.execution.duration',
  'workflow.executions.total',
  'workflow.node.duration',
  'workflow.nodes.executed',
  'workflow.router.decisions',
];

/** The metrics of the GenAI development snapshot the workload records under the opt-in. */
const LATEST_METRICS = [
  'gen_ai.client.inference.duration',
  'gen_ai.client.inference.time_per_output_chunk',
  'gen_ai.client.inference.time_to_first_chunk',
  'gen_ai.client.inference.usage.cache_read.input_tokens',
  'gen_ai.client.inference.usage.cache_write.input_tokens',
  'gen_ai.client.inference.usage.input_tokens',
  'gen_ai.client.inference.usage.output_tokens',
  'gen_ai.client.inference.usage.reasoning.output_tokens',
  'gen_ai.execute_tool.duration',
  'gen_ai.invocation.duration',
];

/** The snapshot's span definitions each helper's span follows under the opt-in. */
const LATEST_SPANS: Partial<Record<Role, { readonly definition: string; readonly operation: string; readonly kind: SpanKind; readonly nameKey: string }>> = {
  llm: { definition: 'span.gen_ai.client.inference', operation: 'chat', kind: SpanKind.CLIENT, nameKey: 'gen_ai.request.model' },
  stream: { definition: 'span.gen_ai.client.inference', operation: 'chat', kind: SpanKind.CLIENT, nameKey: 'gen_ai.request.model' },
  agent: { definition: 'span.gen_ai.invocation.internal', operation: 'invoke_agent', kind: SpanKind.INTERNAL, nameKey: 'gen_ai.agent.name' },
  tool: { definition: 'span.gen_ai.execute_tool.internal', operation: 'execute_tool', kind: SpanKind.INTERNAL, nameKey: 'gen_ai.tool.name' },
  workflow: { definition: 'span.gen_ai.invocation.internal', operation: 'invoke_workflow', kind: SpanKind.INTERNAL, nameKey: 'gen_ai.workflow.name' },
};

/** The GenAI span definition each helper's span follows in `gen_ai` and `both`, its operation and name. */
const GEN_AI_SPANS: Partial<Record<Role, { readonly definition: string; readonly operation: string; readonly kind: SpanKind; readonly nameKey: string }>> = {
  llm: { definition: 'span.gen_ai.inference.client', operation: 'chat', kind: SpanKind.CLIENT, nameKey: 'gen_ai.request.model' },
  stream: { definition: 'span.gen_ai.inference.client', operation: 'chat', kind: SpanKind.CLIENT, nameKey: 'gen_ai.request.model' },
  agent: { definition: 'span.gen_ai.invoke_agent.internal', operation: 'invoke_agent', kind: SpanKind.INTERNAL, nameKey: 'gen_ai.agent.name' },
  tool: { definition: 'span.gen_ai.execute_tool.internal', operation: 'execute_tool', kind: SpanKind.INTERNAL, nameKey: 'gen_ai.tool.name' },
  workflow: { definition: 'span.gen_ai.invoke_workflow.internal', operation: 'invoke_workflow', kind: SpanKind.INTERNAL, nameKey: 'gen_ai.workflow.name' },
};

/** The kit span each helper's span follows in `flo` (all of them) and `both` (nodes and routers). */
const KIT_SPANS: Record<Role, string> = {
  llm: 'span.llm.generate',
  stream: 'span.llm.stream',
  agent: 'span.agent.run',
  tool: 'span.agent.tool',
  workflow: 'span.workflow.run',
  node: 'span.workflow.node',
  router: 'span.workflow.router',
};

const KIT_NAME = /^(llm|agent|workflow)\./;

interface Run {
  readonly mode: Conventions;
  readonly target: Target;
  readonly report: LiveCheckReport;
  /** Every span the SDK ended, in end order. */
  readonly spans: readonly ReadableSpan[];
  readonly observations: readonly Observation[];
  /** The kit scope's metrics as the SDK held them just before the final export. */
  readonly metrics: ResourceMetrics;
  /** Every log record the SDK emitted, in emit order. */
  readonly logs: readonly ReadableLogRecord[];
  readonly diagnostics: CapturedDiagnostics;
}

/** Collects on demand, exports nowhere: the SDK's view of the metrics sent to Weaver. */
class SnapshotReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

const KIT_VARIABLE = /^(OTEL_|FLO_)/;

describe.skipIf(weaver === undefined || semconvModel === undefined)('weaver registry live-check: the workload in each conventions mode', () => {
  const runs = new Map<string, Run>();
  const checks: LiveCheck[] = [];
  const savedEnv: Record<string, string> = {};
  let spec: Spec;
  let latest: Spec;

  beforeAll(async () => {
    // The environment must not pick the endpoint, the conventions or the resource for the kit.
    for (const [name, value] of Object.entries(process.env)) {
      if (KIT_VARIABLE.test(name) && value !== undefined) {
        savedEnv[name] = value;
        delete process.env[name];
      }
    }
    spec = loadSpec(join(REPO_ROOT, 'semconv'));
    latest = loadSpec(join(REPO_ROOT, LATEST.registry));
    // Registries resolve in parallel; each run then has its own receiver, so reports never mix.
    const started = await Promise.allSettled(
      RUNS.map(({ target }) => startLiveCheck({ weaver: weaver!, registry: target.registry, label: target.label, includeUnreferenced: target.includeUnreferenced })),
    );
    for (const result of started) if (result.status === 'fulfilled') checks.push(result.value);
    const failed = started.find((result) => result.status === 'rejected');
    if (failed !== undefined) throw (failed as PromiseRejectedResult).reason;

    for (const [index, { mode, target, optIn }] of RUNS.entries()) {
      const run = await exportWorkload(mode, target, optIn, checks[index]!);
      runs.set(runKey(mode, target), run);
      console.log(summaryLine(optIn === 'none' ? mode : `${mode}+gen_ai_latest_experimental (${optIn})`, run.report));
    }
  }, 180_000);

  afterAll(async () => {
    for (const check of checks) check.kill();
    await shutdownTelemetry();
    Object.assign(process.env, savedEnv);
  });

  const run = (mode: Conventions, target: Target): Run => {
    const found = runs.get(runKey(mode, target));
    if (found === undefined) throw new Error(`no ${mode} run against ${target.label}: see the error of beforeAll`);
    return found;
  };

  describe.each(RUNS)('$mode vs $target.label', ({ mode, target }) => {
    it('Weaver received every span and every kit metric the SDK recorded', () => {
      const { report, spans, metrics, diagnostics } = run(mode, target);
      const context = `kit diagnostics:\n${diagnostics.text() || '(none)'}\nWeaver:\n${report.stderr}`;
      expect(report.spanNames.toSorted(), context).toEqual(spans.map((span) => span.name).toSorted());
      expect(spans.length).toBeGreaterThanOrEqual(6);
      const received = new Set(report.metricNames);
      expect(kitMetricNames(metrics).filter((name) => !received.has(name)), context).toEqual([]);
    });

    it(`no violation against ${target.label}${mode === 'both' && target === LATEST ? ' but flo_ai’s own names' : ''}`, () => {
      const { report } = run(mode, target);
      expect(report.entities.span ?? 0).toBeGreaterThan(0);
      // flo_ai's names are the kit's own: the GenAI registry does not define them (the kit's registry does, and its runs check them).
      const own = new Set([...spec.attributes.filter((a) => a.dependency === undefined).map((a) => a.id), ...spec.metrics.filter((m) => m.dependency === undefined).map((m) => m.metricName)]);
      const allowed = (finding: LiveCheckReport['findings'][number]) => mode === 'both' && target === LATEST && own.has(finding.subject);
      expect(violations({ ...report, findings: report.findings.filter((finding) => !allowed(finding)) })).toEqual([]);
      if (mode === 'both' && target === LATEST) expect(report.findings.some(allowed)).toBe(true);
    });
  });

  describe.each(RUNS)('log records, $mode vs $target.label', ({ mode, target }) => {
    it('Weaver received every log record the SDK emitted, with its trace and span ids', () => {
      const { report, logs } = run(mode, target);
      const sdk = logs.map((record) => [record.eventName ?? '', record.spanContext?.traceId ?? '-', record.spanContext?.spanId ?? '-'].join(' ')).sort();
      const weaver = report.logs.map((record) => [record.eventName, record.traceId ?? '-', record.spanId ?? '-'].join(' ')).sort();
      expect(weaver).toEqual(sdk);
      expect(report.entities.log).toBe(logs.length);
    });

    it(mode === 'flo' ? 'flo: no event (flo_ai’s names have none), the framework’s log line only' : 'the GenAI events of every LLM call, the failed one and the evaluation, each linked to its span', () => {
      const { logs, spans, observations } = run(mode, target);
      const names = logs.map((record) => record.eventName ?? '').sort();
      const llmCalls = observations.filter((o) => o.role === 'llm' || o.role === 'stream');
      if (mode === 'flo') {
        expect(names).toEqual(['']);
        return;
      }
      expect(names).toEqual(
        ['', 'gen_ai.client.operation.exception', 'gen_ai.evaluation.result', ...llmCalls.map(() => 'gen_ai.client.inference.operation.details')].sort(),
      );
      const linked = (name: string) => logs.filter((record) => record.eventName === name).map((record) => record.spanContext?.spanId);
      const failed = llmCalls.find((o) => o.failed)!;
      expect(linked('gen_ai.client.operation.exception')).toEqual([spanOf(spans, failed).spanContext().spanId]);
      expect(linked('gen_ai.client.inference.operation.details').sort()).toEqual(llmCalls.map((o) => spanOf(spans, o).spanContext().spanId).sort());
      // The evaluated answer is the billing agent's LLM call: the one whose span the evaluation names.
      const evaluation = logs.find((record) => record.eventName === 'gen_ai.evaluation.result')!;
      expect(spans.find((span) => span.spanContext().spanId === evaluation.spanContext?.spanId)?.attributes['gen_ai.response.id']).toBe(evaluation.attributes['gen_ai.response.id']);
      expect(logs.find((record) => record.eventName === 'gen_ai.client.operation.exception')?.severityText).toBe('WARN');
    });
  });

  describe.each(['gen_ai', 'both'] as const)('%s with gen_ai_latest_experimental: spans as the development snapshot defines them', (mode) => {
    it.each(Object.keys(LATEST_SPANS) as Role[])('%s spans: name, kind, gen_ai.operation.name and required attributes', (role) => {
      const { spans, observations } = run(mode, LATEST);
      const shape = LATEST_SPANS[role]!;
      const definition = latest.spans.find((span) => span.groupId === shape.definition);
      expect(definition, `${shape.definition} in the snapshot`).toBeDefined();
      const observed = observations.filter((o) => o.role === role);
      expect(observed.length).toBeGreaterThan(0);
      const actual = observed.map((observation) => {
        const span = spanOf(spans, observation);
        return {
          call: callName(observation),
          name: span.name,
          kind: SpanKind[span.kind],
          'gen_ai.operation.name': span.attributes['gen_ai.operation.name'],
          [shape.nameKey]: span.attributes[shape.nameKey],
          'missing required attributes': missingRequired(definition!, span.attributes),
        };
      });
      const expected = observed.map((observation) => ({
        call: callName(observation),
        name: `${shape.operation} ${observation.name}`,
        kind: SpanKind[shape.kind],
        'gen_ai.operation.name': shape.operation,
        [shape.nameKey]: observation.name,
        'missing required attributes': [],
      }));
      expect(actual).toEqual(expected);
    });

    it('metrics: the snapshot’s, with the attributes it requires', () => {
      const { metrics } = run(mode, LATEST);
      const genAi = kitMetricNames(metrics).filter((name) => name.startsWith('gen_ai.'));
      expect(genAi).toEqual(LATEST_METRICS);
      for (const point of kitPoints(metrics).filter((p) => p.metric.startsWith('gen_ai.'))) {
        const definition = latest.metrics.find((m) => m.metricName === point.metric && m.refines === undefined);
        const required = definition?.attributes.filter((use) => use.requirementLevel.level === 'required').map((use) => use.attribute.id) ?? [];
        expect(required.filter((key) => point.attributes[key] === undefined), `${point.metric} ${JSON.stringify(point.attributes)}`).toEqual([]);
      }
    });
  });

  describe('gen_ai with gen_ai_latest_experimental: the development names only', () => {
    it('token usage is counted by kind, with its modality, cache and reasoning counts included (0 when not reported)', () => {
      const points = kitPoints(run('gen_ai', LATEST).metrics);
      const usage = points.filter((p) => p.metric.startsWith('gen_ai.client.inference.usage.'));
      expect(new Set(usage.map((p) => p.attributes['gen_ai.token.modality']))).toEqual(new Set(['unknown']));
      expect(points.some((p) => 'gen_ai.token.type' in p.attributes)).toBe(false);
    });

    it('agent runs and workflows are invocations, nested or not, in gen_ai.invocation.duration', () => {
      const points = kitPoints(run('gen_ai', LATEST).metrics).filter((p) => p.metric === 'gen_ai.invocation.duration');
      expect(points.map((p) => [p.attributes['gen_ai.operation.name'], p.attributes['gen_ai.invocation.is_nested']]).sort()).toEqual([
        ['invoke_agent', true],
        ['invoke_agent', true],
        ['invoke_workflow', false],
      ]);
    });
  });

  describe.each(['gen_ai', 'both'] as const)('%s: spans as the GenAI span definitions say', (mode) => {
    const genAiRun = () => run(mode, KIT);

    it.each(Object.keys(GEN_AI_SPANS) as Role[])('%s spans: name, kind, gen_ai.operation.name and required attributes', (role) => {
      const { spans, observations } = genAiRun();
      const shape = GEN_AI_SPANS[role]!;
      const definition = spec.spans.find((span) => span.groupId === shape.definition);
      expect(definition, `${shape.definition} in the kit registry`).toBeDefined();
      const observed = observations.filter((o) => o.role === role);
      expect(observed.length).toBeGreaterThan(0);
      // One row per helper call, actual against expected, so a failure shows every deviation at once.
      const actual = observed.map((observation) => {
        const span = spanOf(spans, observation);
        const attributes = span.attributes;
        return {
          call: callName(observation),
          name: span.name,
          kind: SpanKind[span.kind],
          'gen_ai.operation.name': attributes['gen_ai.operation.name'],
          [shape.nameKey]: attributes[shape.nameKey],
          ...(observation.provider === undefined ? {} : { 'gen_ai.provider.name': attributes['gen_ai.provider.name'] }),
          'missing required attributes': missingRequired(definition!, attributes),
          // error.type: conditionally required "if the operation ended in an error".
          ...(observation.failed ? { 'error.type': attributes['error.type'], status: SpanStatusCode[span.status.code] } : {}),
        };
      });
      const expected = observed.map((observation) => ({
        call: callName(observation),
        name: `${shape.operation} ${observation.name}`,
        kind: SpanKind[shape.kind],
        'gen_ai.operation.name': shape.operation,
        [shape.nameKey]: observation.name,
        ...(observation.provider === undefined ? {} : { 'gen_ai.provider.name': observation.provider }),
        'missing required attributes': [],
        ...(observation.failed ? { 'error.type': expect.any(String), status: 'ERROR' } : {}),
      }));
      expect(actual).toEqual(expected);
    });

    it('an LLM span is named after its own attributes: `{gen_ai.operation.name} {gen_ai.request.model}`', () => {
      for (const span of genAiRun().spans.filter((s) => s.kind === SpanKind.CLIENT)) {
        expect(span.name).toBe(`${String(span.attributes['gen_ai.operation.name'])} ${String(span.attributes['gen_ai.request.model'])}`);
      }
    });

    it('prompts and completions are captured in the GenAI form (gen_ai.input.messages, gen_ai.output.messages)', () => {
      const { spans, observations } = genAiRun();
      for (const observation of observations.filter((o) => o.role === 'llm' || o.role === 'stream')) {
        const span = spanOf(spans, observation);
        const what = `${observation.role} ${observation.name}: ${JSON.stringify(span.attributes)}`;
        expect(messages(span.attributes['gen_ai.input.messages']), what).toEqual(
          expect.arrayContaining([expect.objectContaining({ role: 'user', parts: expect.arrayContaining([expect.objectContaining({ type: 'text' })]) })]),
        );
        if (!observation.failed) {
          expect(messages(span.attributes['gen_ai.output.messages']), what).toEqual([
            expect.objectContaining({ role: 'assistant', parts: expect.arrayContaining([expect.objectContaining({ type: 'text' })]) }),
          ]);
        }
      }
    });
  });

  describe('gen_ai: only names the official registries define', () => {
    it('nodes and routers open no span (no GenAI equivalent)', () => {
      const { observations } = run('gen_ai', KIT);
      const kitOnly = observations.filter((o) => o.role === 'node' || o.role === 'router');
      expect(kitOnly.length).toBeGreaterThan(0);
      expect(kitOnly.filter((o) => o.spanId !== undefined)).toEqual([]);
    });

    it.each([KIT, LATEST])('no kit name in span names, span or event attributes, metric names or metric attributes (%s)', (target) => {
      const { spans, metrics, logs } = run('gen_ai', target);
      const own = new Set([...spec.attributes.filter((a) => a.dependency === undefined).map((a) => a.id), ...spec.metrics.filter((m) => m.dependency === undefined).map((m) => m.metricName)]);
      const kitNames = (names: Iterable<string>) => [...new Set(names)].filter((name) => KIT_NAME.test(name) || own.has(name)).sort();
      expect({
        'span names': kitNames(spans.map((s) => s.name)),
        'span and event attributes': kitNames(spans.flatMap((s) => [...Object.keys(s.attributes), ...s.events.flatMap((e) => Object.keys(e.attributes ?? {}))])),
        'metric names': kitNames(kitMetricNames(metrics)),
        'metric attributes': kitNames(kitPoints(metrics).flatMap((p) => Object.keys(p.attributes))),
        'log record names and attributes': kitNames(logs.flatMap((record) => [...(record.eventName === undefined ? [] : [record.eventName]), ...Object.keys(record.attributes)])),
      }).toEqual({ 'span names': [], 'span and event attributes': [], 'metric names': [], 'metric attributes': [], 'log record names and attributes': [] });
    });

    it('the resource names the environment deployment.environment.name, not the deprecated deployment.environment', () => {
      // One session, one resource: every span and metric carries the same.
      const resource = run('gen_ai', KIT).spans[0]!.resource.attributes;
      expect({ 'deployment.environment.name': resource['deployment.environment.name'], 'deployment.environment': resource['deployment.environment'] }).toEqual({
        'deployment.environment.name': 'ci',
        'deployment.environment': undefined,
      });
    });

    it('the failed LLM call is in gen_ai.client.operation.duration with its error.type', () => {
      const points = kitPoints(run('gen_ai', KIT).metrics).filter((p) => p.metric === 'gen_ai.client.operation.duration');
      expect(points.map((p) => p.attributes['error.type'])).toContain('RateLimitError');
    });
  });

  describe('both: nodes and routers keep the kit spans', () => {
    it.each(['node', 'router'] as const)('%s spans are named by the kit template', (role) => {
      const { spans, observations } = run('both', KIT);
      expectKitSpans(spec, spans, observations.filter((o) => o.role === role));
    });
  });

  describe('flo: the kit names flo_ai users query', () => {
    it('every helper span is named by the kit template, with its kind', () => {
      const { spans, observations } = run('flo', KIT);
      expectKitSpans(spec, spans, observations);
    });

    it('no gen_ai.* name on spans or metrics', () => {
      const { spans, metrics } = run('flo', KIT);
      const genAi = (names: Iterable<string>) => [...new Set(names)].filter((name) => name.startsWith('gen_ai.')).sort();
      expect(genAi(spans.flatMap((s) => [s.name, ...Object.keys(s.attributes)]))).toEqual([]);
      expect(genAi([...kitMetricNames(metrics), ...kitPoints(metrics).flatMap((p) => Object.keys(p.attributes))])).toEqual([]);
    });
  });

  describe('metrics of the kit scope in each mode', () => {
    it('gen_ai: the four GenAI client metrics, with their required attributes', () => {
      const { metrics } = run('gen_ai', KIT);
      expect(kitMetricNames(metrics)).toEqual(GEN_AI_METRICS);
      for (const point of kitPoints(metrics)) {
        const definition = spec.metrics.find((m) => m.metricName === point.metric);
        const required = definition?.attributes.filter((use) => use.requirementLevel.level === 'required').map((use) => use.attribute.id) ?? [];
        expect(required.filter((key) => point.attributes[key] === undefined), `${point.metric} ${JSON.stringify(point.attributes)}`).toEqual([]);
      }
    });

    it('flo: the kit metrics only', () => {
      expect(kitMetricNames(run('flo', KIT).metrics)).toEqual(FLO_METRICS);
    });

    it('both: the kit metrics and the GenAI ones', () => {
      expect(kitMetricNames(run('both', KIT).metrics)).toEqual([...FLO_METRICS, ...GEN_AI_METRICS].sort());
    });

    it('both with gen_ai_latest_experimental: the kit metrics and the development GenAI ones', () => {
      expect(kitMetricNames(run('both', LATEST).metrics)).toEqual([...FLO_METRICS, ...LATEST_METRICS].sort());
    });
  });

  /** Configures the kit for `mode` (and the opt-in), exports the workload to `check`, stops it and returns everything seen. */
  async function exportWorkload(mode: Conventions, target: Target, optIn: OptIn, check: LiveCheck): Promise<Run> {
    const spans: ReadableSpan[] = [];
    const recorder: SpanProcessor = {
      onStart: () => {},
      onEnd: (span) => void spans.push(span),
      forceFlush: async () => {},
      shutdown: async () => {},
    };
    const reader = new SnapshotReader();
    const logExporter = new InMemoryLogRecordExporter();
    const diagnostics = captureDiagLines();
    const optInOptions: TelemetryOptions = optIn === 'option' ? { semconvStabilityOptIn: ['gen_ai_latest_experimental'] } : {};
    // As operators set it: a list, with a token for another instrumentation the kit leaves alone.
    if (optIn === 'env') process.env.OTEL_SEMCONV_STABILITY_OPT_IN = 'http, gen_ai_latest_experimental';
    configureTelemetry({
      ...optInOptions,
      serviceName: 'flo-live-check',
      environment: 'ci',
      otlpEndpoint: check.endpoint,
      conventions: mode,
      captureContent: true,
      captureContentIn: 'span_and_event',
      // One export of the metrics, at shutdown; nothing is timed.
      metricExportIntervalMillis: 600_000,
      shutdownTimeoutMillis: 15_000,
      spanProcessors: [recorder],
      metricReaders: [reader],
      logRecordProcessors: [new SimpleLogRecordProcessor({ exporter: logExporter })],
      diagLogger: diagnostics.logger,
      logLevel: 'warn',
    });
    let observations: readonly Observation[];
    let metrics: ResourceMetrics;
    let logs: readonly ReadableLogRecord[];
    try {
      ({ observations } = await runWorkload());
      ({ resourceMetrics: metrics } = await reader.collect());
      // A copy: the in-memory exporter forgets its records when it is shut down.
      logs = [...logExporter.getFinishedLogRecords()];
    } finally {
      await shutdownTelemetry();
      delete process.env.OTEL_SEMCONV_STABILITY_OPT_IN;
    }
    const report = await check.stop();
    return { mode, target, report, spans, observations, metrics, logs, diagnostics };
  }
});

describe.skipIf(weaver === undefined)('the live-check harness can fail', () => {
  let check: LiveCheck | undefined;
  afterAll(async () => {
    check?.kill();
    await shutdownTelemetry();
  });

  it('a Weaver that cannot start is an error carrying its stderr', async () => {
    await expect(startLiveCheck({ weaver: weaver!, registry: 'no-such-registry', label: 'a missing registry' })).rejects.toThrow(
      /live-check \(a missing registry\) did not start: weaver exited with 1[\s\S]*no-such-registry/,
    );
  });

  it('an attribute no registry defines is a violation, so "no violation" is a finding of Weaver, not of the harness', async () => {
    check = await startLiveCheck({ weaver: weaver!, registry: KIT.registry, label: KIT.label, includeUnreferenced: true });
    configureTelemetry({ serviceName: 'flo-live-check', otlpEndpoint: check.endpoint, conventions: 'flo', diagLogger: captureDiagLines().logger });
    getTracer()!.startSpan('flo.harness.probe', { attributes: { 'flo.harness.undefined_attribute': 1 } }).end();
    await shutdownTelemetry();
    const report = await check.stop();
    expect(report.spanNames).toEqual(['flo.harness.probe']);
    expect(report.findings).toContainEqual(
      expect.objectContaining({ level: 'violation', id: 'missing_attribute', signalType: 'span', signalName: 'flo.harness.probe', subject: 'flo.harness.undefined_attribute' }),
    );
  });
});

// ---------------------------------------------------------------------------

const callName = (o: Observation): string => `${o.role} ${o.name}${o.failed ? ' (failed)' : ''}`;

/** The span a helper call opened; fails when it opened none. */
function spanOf(spans: readonly ReadableSpan[], observation: Observation): ReadableSpan {
  const span = observation.spanId === undefined ? undefined : spans.find((s) => s.spanContext().spanId === observation.spanId);
  if (span === undefined) throw new Error(`${observation.role} ${observation.name} opened no span (or it never ended); spans: ${spans.map((s) => s.name).join(', ')}`);
  return span;
}

/** Each observed helper call opened a span named by its kit template (filled from its own attributes), of the kit's kind. */
function expectKitSpans(spec: Spec, spans: readonly ReadableSpan[], observations: readonly Observation[]): void {
  expect(observations.length).toBeGreaterThan(0);
  for (const observation of observations) {
    const definition = spec.spans.find((s) => s.groupId === KIT_SPANS[observation.role]);
    expect(definition?.hasNameTemplate, `${KIT_SPANS[observation.role]} has annotations.flo.span_name`).toBe(true);
    const span = spanOf(spans, observation);
    const what = `${observation.role} ${observation.name}: span ${JSON.stringify(span.name)} ${JSON.stringify(span.attributes)}`;
    expect(span.name, what).toBe(fillTemplate(definition!.spanName, span.attributes));
    expect(span.name, what).toContain(observation.role === 'llm' || observation.role === 'stream' ? WORKLOAD.provider : observation.name);
    expect(span.kind, what).toBe(SPAN_KINDS[definition!.spanKind]);
  }
}

const SPAN_KINDS: Record<SpanDefinition['spanKind'], SpanKind> = {
  internal: SpanKind.INTERNAL,
  client: SpanKind.CLIENT,
  server: SpanKind.SERVER,
  producer: SpanKind.PRODUCER,
  consumer: SpanKind.CONSUMER,
};

/** `llm.{llm.provider}.generate` with `llm.provider` taken from the attributes; a missing one stays `{…}`. */
function fillTemplate(template: string, attributes: Attributes): string {
  return template.replace(/\{([^{}]+)\}/g, (whole, key: string) => (attributes[key] === undefined ? whole : String(attributes[key])));
}

/** Required attributes of a span definition the span lacks. */
function missingRequired(definition: SpanDefinition, attributes: Attributes): string[] {
  return definition.attributes.filter((use) => use.requirementLevel.level === 'required' && attributes[use.attribute.id] === undefined).map((use) => use.attribute.id);
}

/** A GenAI messages attribute (JSON text, or already structured), parsed; undefined when absent or not JSON. */
function messages(value: AttributeValue | undefined): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

/**
 * The instrumentation's metrics: the kit scope's, without the SDK's own `otel.sdk.*` health metrics
 * (official names too, checked by Weaver with the rest, but no part of what a mode chooses).
 */
function instrumentationMetrics(metrics: ResourceMetrics) {
  return metrics.scopeMetrics
    .filter((scope) => scope.scope.name === SCOPE_NAME)
    .flatMap((scope) => scope.metrics)
    .filter((metric) => !metric.descriptor.name.startsWith('otel.') && metric.dataPoints.length > 0);
}

/** Names of the instrumentation's metrics that have data points, sorted. */
function kitMetricNames(metrics: ResourceMetrics): string[] {
  return [...new Set(instrumentationMetrics(metrics).map((m) => m.descriptor.name))].sort();
}

function kitPoints(metrics: ResourceMetrics): { metric: string; attributes: Attributes }[] {
  return instrumentationMetrics(metrics).flatMap((m) => m.dataPoints.map((point) => ({ metric: m.descriptor.name, attributes: point.attributes })));
}

/** One line per kind of violation: `missing_attribute span llm.request.content ×4: Attribute … (on llm.openai.generate)`. */
function violations(report: LiveCheckReport): string[] {
  const examples = new Map<string, string>();
  for (const finding of report.findings) {
    if (finding.level !== 'violation') continue;
    const key = `violation ${finding.id} ${finding.signalType ?? '-'} ${finding.subject}`;
    if (!examples.has(key)) examples.set(key, `${finding.message}${finding.signalName ? ` (on ${finding.signalName})` : ''}`);
  }
  return [...groupFindings(report.findings, ['violation'])].map(([key, count]) => `${key.replace(/^violation /, '')} ×${count}: ${examples.get(key)}`);
}
