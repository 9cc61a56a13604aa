/**
 * The kit's export, proven against a real Jaeger v2: a realistic workload
 * through the public API, OTLP gRPC to the container, then everything read
 * back through Jaeger's query API and its collector's Prometheus exporter.
 */
import { randomUUID } from 'node:crypto';
import { MetricReader, DataPointType, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_LLM_MODEL,
  ATTR_LLM_PROVIDER,
  ATTR_LLM_RESPONSE_RECEIVED,
  ATTR_LLM_TEMPERATURE,
  ATTR_LLM_USAGE_COMPLETION_TOKENS,
  ATTR_LLM_USAGE_PROMPT_TOKENS,
  ATTR_LLM_USAGE_TOTAL_TOKENS,
  AGENT_RETRIES_TOTAL_METRIC,
  AGENT_TOOL_CALLS_TOTAL_METRIC,
  GEN_AI_CLIENT_OPERATION_DURATION_METRIC,
  GEN_AI_CLIENT_TOKEN_USAGE_METRIC,
  LLM_REQUEST_DURATION_METRIC,
  LLM_REQUESTS_TOTAL_METRIC,
  LLM_TOKENS_TOTAL_METRIC,
  LLM_GENERATE_SPAN,
  WORKFLOW_NODE_DURATION_METRIC,
  WORKFLOW_ROUTER_DECISIONS_METRIC,
  SCOPE_NAME,
  configureTelemetry,
  fromJaegerSpans,
  fromResourceMetrics,
  shutdownTelemetry,
} from '../../src/index.ts';
import { integrationEnabled, spansOf, startJaeger, tag, waitForSpans, type Jaeger, type JaegerQuerySpan, type JaegerTrace } from './support/jaeger.ts';
import { labelName, prometheusName, sampleValue, scrape, type Sample } from './support/prometheus.ts';
import {
  EXPECTED_TREE,
  RESEARCH_USAGE,
  ROUTE,
  ROUTER_USAGE,
  SPAN_COUNT_PER_RUN,
  SPANS_PER_RUN,
  STREAM_USAGE,
  TOOL,
  WORKFLOW,
  runResearchWorkflow,
} from './support/workload.ts';

/** Concurrent workflow runs: interleaved, so every tree must still come out right. */
const RUNS = 3;
const SERVICE = `flo-it-${randomUUID().slice(0, 8)}`;

/** Keeps cumulative metric state to compare with what Prometheus shows. */
class CollectingReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

const enabled = await integrationEnabled();

describe.skipIf(!enabled)('export to Jaeger', () => {
  let jaeger: Jaeger | undefined;
  let traces: JaegerTrace[] = [];
  let spans: JaegerQuerySpan[] = [];
  let exported: ReadableSpan[] = [];
  let collected: ResourceMetrics[] = [];
  let samples: Sample[] = [];

  beforeAll(async () => {
    jaeger = await startJaeger();
    const memorySpans = new InMemorySpanExporter();
    const reader = new CollectingReader();
    configureTelemetry({
      serviceName: SERVICE,
      serviceVersion: '9.9.9',
      environment: 'integration',
      otlpEndpoint: jaeger.otlpEndpoint,
      additionalAttributes: { team: 'platform', 'build.number': 42 },
      // Long: the one export of metrics is the flush at shutdown, so the values are final.
      metricExportIntervalMillis: 60_000,
      spanProcessors: [new SimpleSpanProcessor({ exporter: memorySpans })],
      metricReaders: [reader],
      logLevel: 'error',
      // The exception message names the question; checked below. By default it is application text and not recorded.
      errorMessages: 'always',
    });
    await Promise.all(Array.from({ length: RUNS }, (_, run) => runResearchWorkflow(`question ${run}`)));
    collected = [(await reader.collect()).resourceMetrics];
    exported = memorySpans.getFinishedSpans();
    await shutdownTelemetry();

    traces = await waitForSpans(jaeger.queryUrl, SERVICE, RUNS * SPAN_COUNT_PER_RUN);
    spans = spansOf(traces);
    samples = await scrape(jaeger.prometheusUrl);
  });

  afterAll(async () => {
    await shutdownTelemetry();
    await jaeger?.stop();
  });

  it('delivers every span exactly once: none lost, none extra', () => {
    expect(exported).toHaveLength(RUNS * SPAN_COUNT_PER_RUN);
    expect(spans).toHaveLength(RUNS * SPAN_COUNT_PER_RUN);
    expect(new Set(spans.map((span) => span.spanID)).size).toBe(spans.length);
    expect(countBy(spans.map((span) => span.operationName))).toEqual(
      Object.fromEntries(Object.entries(SPANS_PER_RUN).map(([name, count]) => [name, count * RUNS])),
    );
  });

  it('keeps one trace per workflow run, each with the right parent/child tree', () => {
    expect(traces).toHaveLength(RUNS);
    for (const trace of traces) expect(renderTree(trace.spans)).toBe(EXPECTED_TREE);
  });

  it('carries the service name and resource attributes', () => {
    for (const trace of traces) {
      const processes = Object.values(trace.processes);
      expect(processes.map((process) => process.serviceName)).toEqual([SERVICE]);
      const resource = Object.fromEntries((processes[0]?.tags ?? []).map((entry) => [entry.key, entry.value]));
      expect(resource).toMatchObject({
        'service.version': '9.9.9',
        'deployment.environment.name': 'integration',
        team: 'platform',
        'build.number': 42,
        'telemetry.sdk.language': 'nodejs',
      });
    }
  });

  it('keeps every attribute of every span: same keys, same values, the matching Jaeger type', () => {
    const byId = new Map(spans.map((span) => [span.spanID, span]));
    for (const local of exported) {
      const remote = byId.get(local.spanContext().spanId);
      expect(remote, local.name).toBeDefined();
      for (const [key, value] of Object.entries(local.attributes)) {
        expect(tag(remote?.tags ?? [], key), `${local.name} ${key}`).toEqual({ key, type: jaegerType(value), value });
      }
    }
  });

  it('records LLM requests with their provider, model and token usage', () => {
    // The router's call: the one whole gpt-4o call of the run (gen_ai.request.stream is set on streams only).
    const router = spans.find((span) => span.operationName === 'chat gpt-4o' && tag(span.tags, 'gen_ai.request.stream') === undefined);
    const tags = Object.fromEntries((router?.tags ?? []).map((entry) => [entry.key, { type: entry.type, value: entry.value }]));
    expect(tags).toMatchObject({
      'span.kind': { value: LLM_GENERATE_SPAN.kind },
      [ATTR_LLM_PROVIDER]: { type: 'string', value: 'openai' },
      [ATTR_LLM_MODEL]: { type: 'string', value: 'gpt-4o' },
      [ATTR_LLM_TEMPERATURE]: { type: 'float64', value: 0.5 },
      [ATTR_LLM_RESPONSE_RECEIVED]: { type: 'bool', value: true },
      [ATTR_LLM_USAGE_PROMPT_TOKENS]: { type: 'int64', value: ROUTER_USAGE.prompt_tokens },
      [ATTR_GEN_AI_PROVIDER_NAME]: { type: 'string', value: 'openai' },
      [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: { type: 'int64', value: ROUTER_USAGE.prompt_tokens },
    });
    const research = spans.find((span) => span.operationName === 'chat claude-sonnet-4-5');
    expect(tag(research?.tags ?? [], ATTR_LLM_USAGE_COMPLETION_TOKENS)?.value).toBe(RESEARCH_USAGE.output_tokens);
    expect(tag(research?.tags ?? [], ATTR_LLM_USAGE_TOTAL_TOKENS)?.value).toBe(RESEARCH_USAGE.input_tokens + RESEARCH_USAGE.output_tokens);
  });

  it('marks the failed tool call with error status and an exception event, and only that span', () => {
    const failed = spans.filter((span) => tag(span.tags, 'error')?.value === true);
    expect(failed.map((span) => span.operationName)).toEqual(Array(RUNS).fill(`execute_tool ${TOOL}`));
    for (const span of failed) {
      expect(tag(span.tags, 'otel.status_code')?.value).toBe('ERROR');
      expect(tag(span.tags, ATTR_ERROR_TYPE)?.value).toBe('SearchTimeoutError');
      const exception = span.logs.find((log) => tag(log.fields, 'event')?.value === 'exception');
      expect(tag(exception?.fields ?? [], 'exception.type')?.value).toBe('SearchTimeoutError');
      expect(String(tag(exception?.fields ?? [], 'exception.message')?.value)).toContain('search backend timed out');
    }
  });

  it('conforms to the spec as Jaeger returns it, and as the SDK exported the metrics', () => {
    expect({ spans: fromJaegerSpans(spans), metrics: fromResourceMetrics(collected) }).toConformToSpec();
  });

  it('shows every metric data point the workload emitted in Prometheus, with the same value', () => {
    let checked = 0;
    // The spec's metrics; the SDK's own otel.sdk.* metrics (other scopes) keep changing until the last export.
    const ours = collected.flatMap((batch) => batch.scopeMetrics.filter((scope) => scope.scope.name === SCOPE_NAME).flatMap((scope) => scope.metrics));
    for (const metric of ours) {
      const { name, unit } = metric.descriptor;
      const instrument = metric.dataPointType === DataPointType.HISTOGRAM ? 'histogram' : 'counter';
      const exposed = prometheusName({ name, unit, instrument });
      for (const point of metric.dataPoints) {
        const labels = Object.fromEntries(Object.entries(point.attributes).map(([key, value]) => [key, String(value)]));
        // Exactly this point's series: another one may carry the same attributes and one more.
        if (typeof point.value === 'number') {
          expect(sampleValue(samples, exposed, labels, true), exposed).toBe(point.value);
        } else {
          expect(sampleValue(samples, `${exposed}_count`, labels, true), exposed).toBe(point.value.count);
          expect(sampleValue(samples, `${exposed}_sum`, labels, true)).toBeCloseTo(point.value.sum ?? Number.NaN, 6);
        }
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(30);
  });

  it('counts tokens, requests, tool calls, retries and routes as the workload made them', () => {
    const value = (metric: Parameters<typeof prometheusName>[0], labels: Record<string, string>, suffix = '') =>
      sampleValue(samples, `${prometheusName(metric)}${suffix}`, labels);
    const openai = { provider: 'openai', model: 'gpt-4o' };
    const anthropic = { provider: 'anthropic', model: 'claude-sonnet-4-5' };

    expect(value(LLM_TOKENS_TOTAL_METRIC, openai)).toBe(RUNS * (ROUTER_USAGE.total_tokens + STREAM_USAGE.total_tokens));
    expect(value(LLM_TOKENS_TOTAL_METRIC, anthropic)).toBe(RUNS * (RESEARCH_USAGE.input_tokens + RESEARCH_USAGE.output_tokens));
    expect(value(LLM_REQUESTS_TOTAL_METRIC, { ...anthropic, status: 'success' })).toBe(RUNS);
    expect(value(LLM_REQUEST_DURATION_METRIC, anthropic, '_count')).toBe(RUNS);
    expect(value(AGENT_TOOL_CALLS_TOTAL_METRIC, { agent_name: ROUTE, tool_name: TOOL, status: 'error' })).toBe(RUNS);
    expect(value(AGENT_TOOL_CALLS_TOTAL_METRIC, { agent_name: ROUTE, tool_name: TOOL, status: 'success' })).toBe(RUNS);
    expect(value(AGENT_RETRIES_TOTAL_METRIC, { agent_name: ROUTE, reason: 'tool_error' })).toBe(RUNS);
    expect(value(WORKFLOW_ROUTER_DECISIONS_METRIC, { workflow_name: WORKFLOW, router_name: 'triage', route: ROUTE })).toBe(RUNS);
    expect(value(WORKFLOW_NODE_DURATION_METRIC, { workflow_name: WORKFLOW, node_name: ROUTE }, '_count')).toBe(RUNS);
    const anthropicInput = { [labelName('gen_ai.provider.name')]: 'anthropic', [labelName('gen_ai.token.type')]: 'input' };
    expect(value(GEN_AI_CLIENT_TOKEN_USAGE_METRIC, anthropicInput, '_sum')).toBe(RUNS * RESEARCH_USAGE.input_tokens);
    expect(value(GEN_AI_CLIENT_TOKEN_USAGE_METRIC, anthropicInput, '_count')).toBe(RUNS);
  });

  it('exposes durations under their unit: milliseconds for flo_ai names, seconds for GenAI', () => {
    const names = new Set(samples.map((sample) => sample.name));
    expect(prometheusName(LLM_REQUEST_DURATION_METRIC)).toBe('llm_request_duration_milliseconds');
    expect(prometheusName(GEN_AI_CLIENT_OPERATION_DURATION_METRIC)).toBe('gen_ai_client_operation_duration_seconds');
    expect(names).toContain('llm_request_duration_milliseconds_bucket');
    expect(names).toContain('gen_ai_client_operation_duration_seconds_bucket');
    const seconds = sampleValue(samples, 'gen_ai_client_operation_duration_seconds_sum', {
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': 'claude-sonnet-4-5',
    });
    const milliseconds = sampleValue(samples, 'llm_request_duration_milliseconds_sum', { provider: 'anthropic', model: 'claude-sonnet-4-5' });
    expect(seconds * 1000).toBeCloseTo(milliseconds, 3);
  });
});

function countBy(names: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const name of names) counts[name] = (counts[name] ?? 0) + 1;
  return counts;
}

/** The span tree as indented names, children sorted by name. */
function renderTree(spans: readonly JaegerQuerySpan[]): string {
  const children = new Map<string | undefined, JaegerQuerySpan[]>();
  for (const span of spans) {
    const parent = span.references.find((reference) => reference.refType === 'CHILD_OF')?.spanID;
    children.set(parent, [...(children.get(parent) ?? []), span]);
  }
  const render = (parent: string | undefined, depth: number): string[] =>
    (children.get(parent) ?? [])
      .toSorted((a, b) => a.operationName.localeCompare(b.operationName))
      .flatMap((span) => [`${'  '.repeat(depth)}${span.operationName}`, ...render(span.spanID, depth + 1)]);
  return render(undefined, 0).join('\n');
}

/** How Jaeger types an OTLP attribute value. */
function jaegerType(value: unknown): string {
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int64' : 'float64';
  return 'string';
}
