/**
 * The conformance check finds each kind of deviation, in telemetry produced
 * by the real SDK through the plain OpenTelemetry API (what a hand-written
 * instrumentation that drifted from the spec would emit).
 */
import { SeverityNumber, SpanKind, ValueType } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { checkConformance, matchTemplate, toConformToSpec, type DeviationRule } from '../../src/conformance/index.ts';
import { SCOPE_NAME, withLlmGenerateSpan, recordGenAiClientOperationExceptionEvent, recordGenAiEvaluationResultEvent, recordLlmRequestsTotal } from '../../src/generated/index.ts';
import { unbindProviders } from '../../src/runtime/bind.ts';
import { bindHarness, type Harness } from '../support/harness.ts';

let harness: Harness;
afterEach(async () => {
  unbindProviders();
  await harness.shutdown();
});

async function rulesOf(emit: (h: Harness) => void): Promise<DeviationRule[]> {
  harness = bindHarness();
  emit(harness);
  return checkConformance(await harness.telemetry()).map((deviation) => deviation.rule);
}

const tracer = (h: Harness) => h.tracerProvider.getTracer(SCOPE_NAME);
const meter = (h: Harness) => h.meterProvider.getMeter(SCOPE_NAME);
const logger = (h: Harness) => h.loggerProvider.getLogger(SCOPE_NAME);

describe('checkConformance', () => {
  it('finds nothing in what the generated recorders emit', async () => {
    const rules = await rulesOf(() => {
      withLlmGenerateSpan({ llmProvider: 'openai', genAiOperationName: 'chat', genAiProviderName: 'openai', llmModel: 'gpt-4o' }, (span) => span.setLlmUsageTotalTokens(3));
      recordLlmRequestsTotal(1, { model: 'gpt-4o', provider: 'openai', status: 'success' });
    });
    expect(rules).toEqual([]);
  });

  it('finds nothing in what the generated event recorders emit, structured attributes included; plain log lines are no events', async () => {
    const rules = await rulesOf((h) => {
      recordGenAiEvaluationResultEvent({ genAiEvaluationName: 'relevance', genAiEvaluationScoreValue: 0.9 });
      recordGenAiClientOperationExceptionEvent({ exceptionType: 'RangeError' });
      logger(h).emit({ body: 'a plain log line, no event' });
    });
    expect(rules).toEqual([]);
    expect((await harness.telemetry()).events?.map((event) => event.name)).toEqual(['gen_ai.evaluation.result', 'gen_ai.client.operation.exception']);
  });

  it.each<[DeviationRule, (h: Harness) => void]>([
    ['undeclared-span', (h) => tracer(h).startSpan('llm.openai.embed').end()],
    ['wrong-span-kind', (h) => tracer(h).startSpan('agent.a.run', { kind: SpanKind.CLIENT, attributes: { 'agent.name': 'a', 'agent.type': 't' } }).end()],
    ['span-name-mismatch', (h) => tracer(h).startSpan('agent.a.run', { attributes: { 'agent.name': 'b', 'agent.type': 't' } }).end()],
    ['missing-required-attribute', (h) => tracer(h).startSpan('workflow.node.n', { attributes: { 'workflow.name': 'w', 'node.name': 'n' } }).end()],
    ['undeclared-attribute', (h) => tracer(h).startSpan('agent.a.run', { attributes: { 'agent.name': 'a', 'agent.type': 't', 'user.id': 'u' } }).end()],
    ['wrong-attribute-type', (h) => tracer(h).startSpan('agent.a.run', { attributes: { 'agent.name': 'a', 'agent.type': 't', 'agent.retries': 'two' } }).end()],
    ['undeclared-metric', (h) => meter(h).createCounter('llm.cost.total').add(1)],
    ['wrong-unit', (h) => meter(h).createHistogram('llm.request.duration', { unit: 's' }).record(1, { model: 'm', provider: 'p' })],
    ['wrong-instrument', (h) => meter(h).createHistogram('llm.tokens.total', { unit: '{token}', valueType: ValueType.INT }).record(1, { model: 'm', provider: 'p' })],
    ['value-outside-enum', (h) => meter(h).createCounter('llm.requests.total', { unit: '{request}' }).add(1, { model: 'm', provider: 'p', status: 'ok' })],
    // Events: log records with an event name, hand-written with the Logs API.
    ['undeclared-event', (h) => logger(h).emit({ eventName: 'gen_ai.user.message', attributes: {} })],
    ['wrong-severity', (h) => logger(h).emit({ eventName: 'gen_ai.client.operation.exception', severityNumber: SeverityNumber.ERROR, attributes: { 'exception.type': 'RangeError' } })],
    ['missing-required-attribute', (h) => logger(h).emit({ eventName: 'gen_ai.evaluation.result', attributes: { 'gen_ai.evaluation.score.value': 1 } })],
    ['undeclared-attribute', (h) => logger(h).emit({ eventName: 'gen_ai.evaluation.result', attributes: { 'gen_ai.evaluation.name': 'r', 'gen_ai.evaluation.judge': 'gpt-4o' } })],
    ['wrong-attribute-type', (h) => logger(h).emit({ eventName: 'gen_ai.evaluation.result', attributes: { 'gen_ai.evaluation.name': 'r', 'gen_ai.evaluation.score.value': 'high' } })],
    ['undeclared-body', (h) => logger(h).emit({ eventName: 'gen_ai.evaluation.result', attributes: { 'gen_ai.evaluation.name': 'r' }, body: 'relevant' })],
  ])('finds %s', async (rule, emit) => {
    expect(await rulesOf(emit)).toEqual([rule]);
  });

  it('ignores spans of other instrumentation scopes', async () => {
    expect(await rulesOf((h) => h.tracerProvider.getTracer('http').startSpan('GET /').end())).toEqual([]);
  });

  it('the matcher reports each deviation with its rule', async () => {
    harness = bindHarness();
    tracer(harness).startSpan('workflow.node.n', { attributes: { 'workflow.name': 'w', 'node.name': 'n' } }).end();
    const result = toConformToSpec(await harness.telemetry());
    expect(result.pass).toBe(false);
    expect(result.message()).toContain('[missing-required-attribute] span "workflow.node.n" lacks required attribute node.type');
    const telemetry = await harness.telemetry();
    expect(() => expect(telemetry).toConformToSpec()).toThrow(/\[missing-required-attribute\]/);
  });
});

describe('matchTemplate', () => {
  it('extracts placeholder values and rejects other names', () => {
    expect(matchTemplate('llm.{llm.provider}.generate', 'llm.openai.generate')).toEqual({ 'llm.provider': 'openai' });
    expect(matchTemplate('workflow.{workflow.name}', 'workflow.node.classify')).toEqual({ 'workflow.name': 'node.classify' });
    expect(matchTemplate('agent.tool.{tool.name}', 'agent.tools.search')).toBeUndefined();
    expect(matchTemplate('llm.{llm.provider}.generate', 'llmXopenaiXgenerate')).toBeUndefined();
  });
});
