/**
 * Events reach a real collector pipeline (issue 23): the kit's log records go over OTLP gRPC to the
 * Jaeger container, whose collector routes them through its logs pipeline to the `debug` exporter
 * (Jaeger stores no logs; ../jaeger-config.yaml), and every record is read back from the
 * container's log with its event name, severity, attributes, resource and trace and span ids. The
 * spans those ids name are read back through Jaeger's query API: each record links to a span Jaeger
 * holds, in the same trace.
 *
 * The workload: two runs of the research workflow with content captured into events (a details event
 * for each LLM call and stream), an evaluation of an answer inside its LLM call, a failed LLM call
 * (its exception event at WARN, and its details), and an evaluation outside any span (no link).
 */
import { randomUUID } from 'node:crypto';
import { InMemoryLogRecordExporter, SimpleLogRecordProcessor, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureTelemetry, recordEvaluation, shutdownTelemetry, traceLlmCall } from '../../src/index.ts';
import { waitForLogRecords, type DebugLogRecord } from './support/debug-logs.ts';
import { integrationEnabled, spansOf, startJaeger, waitForSpans, type Jaeger, type JaegerQuerySpan } from './support/jaeger.ts';
import { runResearchWorkflow, SPAN_COUNT_PER_RUN } from './support/workload.ts';

const RUNS = 2;
const SERVICE = `flo-it-logs-${randomUUID().slice(0, 8)}`;
const enabled = await integrationEnabled();

describe.skipIf(!enabled)('events to Jaeger’s collector pipeline', () => {
  let jaeger: Jaeger | undefined;
  let emitted: ReadableLogRecord[] = [];
  let received: DebugLogRecord[] = [];
  let spans: JaegerQuerySpan[] = [];

  beforeAll(async () => {
    jaeger = await startJaeger();
    const memory = new InMemoryLogRecordExporter();
    configureTelemetry({
      serviceName: SERVICE,
      otlpEndpoint: jaeger.otlpEndpoint,
      metricExportIntervalMillis: 60_000,
      logRecordProcessors: [new SimpleLogRecordProcessor({ exporter: memory })],
      captureContent: true,
      captureContentIn: 'event',
      errorMessages: 'always',
      logLevel: 'error',
    });
    await Promise.all(Array.from({ length: RUNS }, (_, run) => runResearchWorkflow(`question ${run}`)));
    await traceLlmCall({ provider: 'openai', model: 'gpt-4o', prompt: 'Rate this answer' }, async () => {
      recordEvaluation({ name: 'relevance', scoreValue: 0.75, scoreLabel: 'relevant', explanation: 'On topic.\nCites two sources.' });
      return { id: 'chatcmpl-eval', model: 'gpt-4o', choices: [{ message: { role: 'assistant', content: 'Relevant.' }, finish_reason: 'stop' }] };
    });
    await expect(traceLlmCall({ provider: 'openai', model: 'gpt-4o', prompt: 'Summarise' }, async () => Promise.reject(new RangeError('quota exceeded')))).rejects.toThrow(RangeError);
    recordEvaluation({ name: 'faithfulness', scoreLabel: 'faithful', responseId: 'chatcmpl-eval' });
    // A copy: the in-memory exporter forgets its records when the session shuts it down.
    emitted = [...memory.getFinishedLogRecords()];
    await shutdownTelemetry();

    received = await waitForLogRecords(jaeger.container, SERVICE, emitted.length);
    spans = spansOf(await waitForSpans(jaeger.queryUrl, SERVICE, RUNS * SPAN_COUNT_PER_RUN + 2));
  }, 120_000);

  afterAll(async () => {
    await shutdownTelemetry();
    await jaeger?.stop();
  });

  const identity = (eventName: string, traceId: string, spanId: string, severity: number) => `${eventName} ${traceId || '-'} ${spanId || '-'} ${severity}`;

  it('reads back every record the kit emitted, exactly once, with its event name, severity and trace and span ids', () => {
    // 3 LLM calls a run (router, research, writer's stream), 2 more calls; the failed one's exception; 2 evaluations.
    expect(emitted).toHaveLength(RUNS * 3 + 2 + 1 + 2);
    expect(received.map((record) => identity(record.eventName, record.traceId, record.spanId, record.severityNumber)).sort()).toEqual(
      emitted.map((record) => identity(record.eventName ?? '', record.spanContext?.traceId ?? '', record.spanContext?.spanId ?? '', record.severityNumber ?? 0)).sort(),
    );
  });

  it('each record links to a span Jaeger holds, in the same trace; the evaluation outside any span links to none', () => {
    const byId = new Map(spans.map((span) => [span.spanID, span]));
    const linked = received.filter((record) => record.spanId !== '');
    expect(linked).toHaveLength(received.length - 1);
    for (const record of linked) {
      const span = byId.get(record.spanId);
      expect(span, `${record.eventName} ${record.spanId}`).toBeDefined();
      expect(span?.traceID).toBe(record.traceId);
      // Events of LLM calls belong to the LLM span: GenAI's inference span, named `chat <model>` (`both`).
      expect(span?.operationName).toMatch(/^chat (gpt-4o|claude-sonnet-4-5)$/);
    }
    expect(received.filter((record) => record.spanId === '').map((record) => [record.eventName, record.attributes['gen_ai.evaluation.name']])).toEqual([['gen_ai.evaluation.result', 'Str(faithfulness)']]);
  });

  it('keeps every attribute of every record, structured content included, under the kit’s scope and resource', () => {
    const byKey = new Map(emitted.map((record) => [identity(record.eventName ?? '', record.spanContext?.traceId ?? '', record.spanContext?.spanId ?? '', record.severityNumber ?? 0), record]));
    for (const record of received) {
      const local = byKey.get(identity(record.eventName, record.traceId, record.spanId, record.severityNumber));
      expect(Object.keys(record.attributes).sort(), record.eventName).toEqual(Object.keys(local?.attributes ?? {}).sort());
      expect(record.scope).toBe('flo_ai');
    }
    const failure = received.find((record) => record.eventName === 'gen_ai.client.operation.exception');
    expect(failure).toMatchObject({ severityText: 'WARN', severityNumber: 13, attributes: { 'exception.type': 'Str(RangeError)', 'exception.message': 'Str(quota exceeded)' } });
    // Messages travel as OTLP lists of maps, not as JSON text.
    const details = received.filter((record) => record.eventName === 'gen_ai.client.inference.operation.details');
    expect(details.every((record) => record.attributes['gen_ai.input.messages']?.startsWith('Slice(['))).toBe(true);
    const evaluation = received.find((record) => record.attributes['gen_ai.evaluation.name'] === 'Str(relevance)');
    expect(evaluation?.attributes).toMatchObject({ 'gen_ai.evaluation.score.value': 'Double(0.75)', 'gen_ai.evaluation.score.label': 'Str(relevant)' });
  });
});
