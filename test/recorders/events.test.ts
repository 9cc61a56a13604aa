/**
 * Generated event recorders emit OpenTelemetry log records (issue 23): a registry with one event,
 * generated and imported as a framework author would, records through `configureTelemetry()`'s
 * logs pipeline to `logRecordProcessors`: the event name, the checked attributes (structured
 * values kept structured), the severity the convention names, the body the registry declares, and
 * the trace and span ids of the span active where it is recorded (or of the context given). Outside
 * any span it is emitted without a span link; with telemetry or logs off it is a no-op; bad input is
 * dropped with one warning and never thrown.
 */
import { context, SeverityNumber, trace } from '@opentelemetry/api';
import { InMemoryLogRecordExporter, SimpleLogRecordProcessor, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { writeOutputs } from '../../scripts/codegen/output.ts';
import { renderOutputs } from '../../scripts/generate.ts';
import { configureTelemetry, getTracer, shutdownTelemetry } from '../../src/runtime/configure.ts';
import { resetReportedProblems } from '../../src/runtime/diagnostics.ts';
import { makeTempDir, removeDir, writeSpec } from '../support/spec-fixture.ts';
import { captureDiagLines, useCleanTelemetryState, type CapturedDiagnostics } from '../support/telemetry-env.ts';

useCleanTelemetryState();

const RUNTIME = fileURLToPath(new URL('../../src/runtime/support.ts', import.meta.url));

/** One event, as a framework author's registry declares it: a required closed enum, a number, a structured value, a severity. */
const ONE_EVENT = `groups:
  - id: registry.review
    type: attribute_group
    brief: Review attributes.
    stability: development
    attributes:
      - id: review.verdict
        type:
          members:
            - { id: pass, value: pass, stability: development }
            - { id: fail, value: fail, stability: development }
        brief: The verdict.
        stability: development
        annotations: { flo: { closed: true } }
      - { id: review.score, type: double, brief: The score., stability: development }
      - { id: review.details, type: any, brief: Structured details., stability: development }
  - id: event.review.done
    type: event
    name: review.done
    brief: A review ended.
    stability: development
    annotations: { flo: { severity: WARN } }
    attributes:
      - ref: review.verdict
        requirement_level: required
      - ref: review.score
      - ref: review.details
  - id: event.review.note
    type: event
    name: review.note
    brief: A note on a review.
    note: Instrumentations SHOULD set the severity to DEBUG (severity number 5) when recording this event.
    stability: development
    attributes:
      - ref: review.score
    body:
      id: review.note
      type: map
      requirement_level: recommended
      stability: development
      fields:
        - { id: text, type: string, brief: The note., stability: development, requirement_level: required }
        - { id: author.name, type: string, brief: Who wrote it., stability: development, requirement_level: recommended }
`;

type Generated = Record<string, (...args: never[]) => void> & Record<string, unknown>;

let out = '';
let specDir = '';
let events: Generated;
let memory: InMemoryLogRecordExporter;
let diagnostics: CapturedDiagnostics;

beforeAll(async () => {
  specDir = writeSpec({ 'review.yaml': ONE_EVENT });
  out = makeTempDir('events-out');
  writeOutputs(renderOutputs({ spec: specDir, out: join(out, 'src'), docs: join(out, 'docs'), runtimeImport: RUNTIME, importExtension: 'ts' }));
  events = (await import(join(out, 'src', 'index.ts'))) as Generated;
});

afterAll(() => {
  removeDir(specDir);
  removeDir(out);
});

beforeEach(() => {
  resetReportedProblems();
  memory = new InMemoryLogRecordExporter();
  diagnostics = captureDiagLines();
});

function configure(extra: Parameters<typeof configureTelemetry>[0] = {}) {
  configureTelemetry({ serviceName: 'events-test', diagLogger: diagnostics.logger, logRecordProcessors: [new SimpleLogRecordProcessor({ exporter: memory })], ...extra });
}

const record = (name: string, ...args: unknown[]) => (events[name] as (...a: unknown[]) => void)(...args);
const warnings = () => diagnostics.lines.filter((line) => line.startsWith('warn: flo telemetry'));
const summary = (r: ReadableLogRecord) => ({
  eventName: r.eventName,
  severityNumber: r.severityNumber,
  severityText: r.severityText,
  attributes: r.attributes,
  body: r.body,
  traceId: r.spanContext?.traceId,
  spanId: r.spanContext?.spanId,
  scope: r.instrumentationScope.name,
});

describe('a generated event recorder', () => {
  it('has the EVENT_ name constant Weaver’s JavaScript templates emit', () => {
    expect(events.EVENT_REVIEW_DONE).toBe('review.done');
    expect(events.EVENT_REVIEW_NOTE).toBe('review.note');
  });

  it('emits a log record with its event name, checked attributes, severity and the active span’s ids to logRecordProcessors', () => {
    configure();
    const span = getTracer()!.startSpan('review');
    context.with(trace.setSpan(context.active(), span), () =>
      record('recordReviewDoneEvent', { reviewVerdict: 'pass', reviewScore: 0.75, reviewDetails: { rubric: ['clarity', 'accuracy'], weights: { clarity: 1 } } }),
    );
    span.end();
    expect(memory.getFinishedLogRecords().map(summary)).toEqual([
      {
        eventName: 'review.done',
        severityNumber: SeverityNumber.WARN,
        severityText: 'WARN',
        // Structured values stay structured on events, as the conventions ask (on spans they are JSON text).
        attributes: { 'review.verdict': 'pass', 'review.score': 0.75, 'review.details': { rubric: ['clarity', 'accuracy'], weights: { clarity: 1 } } },
        body: undefined,
        traceId: span.spanContext().traceId,
        spanId: span.spanContext().spanId,
        scope: 'fixture',
      },
    ]);
    expect(warnings()).toEqual([]);
  });

  it('is emitted outside any span too, with no span link', () => {
    configure();
    record('recordReviewDoneEvent', { reviewVerdict: 'fail' });
    const [emitted] = memory.getFinishedLogRecords();
    expect(emitted?.eventName).toBe('review.done');
    expect(emitted?.spanContext).toBeUndefined();
  });

  it('links to the span of the context it is given, wherever it is recorded', () => {
    configure();
    const span = getTracer()!.startSpan('evaluated');
    span.end();
    record('recordReviewDoneEvent', { reviewVerdict: 'pass' }, { context: trace.setSpan(context.active(), span) });
    expect(memory.getFinishedLogRecords().map((r) => r.spanContext?.spanId)).toEqual([span.spanContext().spanId]);
  });

  it('carries the typed body the registry declares, and the severity its note names', () => {
    configure();
    record('recordReviewNoteEvent', { reviewScore: 1 }, { body: { text: 'well argued', 'author.name': 'ana' }, timestamp: new Date('2026-01-02T03:04:05Z') });
    const [emitted] = memory.getFinishedLogRecords();
    expect(summary(emitted!)).toMatchObject({ eventName: 'review.note', severityNumber: SeverityNumber.DEBUG, severityText: 'DEBUG', body: { text: 'well argued', 'author.name': 'ana' } });
    expect(emitted?.hrTime[0]).toBe(Date.UTC(2026, 0, 2, 3, 4, 5) / 1000);
  });

  it('does nothing while telemetry is off, or with logs off', async () => {
    record('recordReviewDoneEvent', { reviewVerdict: 'pass' });
    configure({ logs: false, logRecordProcessors: [] });
    record('recordReviewDoneEvent', { reviewVerdict: 'pass' });
    await shutdownTelemetry();
    record('recordReviewDoneEvent', { reviewVerdict: 'pass' });
    expect(memory.getFinishedLogRecords()).toEqual([]);
    expect(warnings()).toEqual([]);
  });
});

describe('bad input to a generated event recorder', () => {
  it('a required attribute of the wrong type drops the event, with one warning however often it happens', () => {
    configure();
    for (let index = 0; index < 3; index += 1) record('recordReviewDoneEvent', { reviewVerdict: 'maybe' });
    expect(memory.getFinishedLogRecords()).toEqual([]);
    expect(warnings()).toEqual(['warn: flo telemetry: review.done: dropped an event: required attribute review.verdict: "maybe" is not one of pass, fail']);
  });

  it('a missing required attribute is reported once; the event keeps what it has', () => {
    configure();
    record('recordReviewDoneEvent', { reviewScore: 2 });
    record('recordReviewDoneEvent', { reviewScore: 3 });
    expect(memory.getFinishedLogRecords().map((r) => r.attributes)).toEqual([{ 'review.score': 2 }, { 'review.score': 3 }]);
    expect(warnings()).toEqual(['warn: flo telemetry: review.done: required attribute review.verdict is missing']);
  });

  it('an optional attribute of the wrong type, or a structured value no log record can carry, is dropped with a warning', () => {
    configure();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    record('recordReviewDoneEvent', { reviewVerdict: 'pass', reviewScore: 'high', reviewDetails: cyclic });
    expect(memory.getFinishedLogRecords().map((r) => r.attributes)).toEqual([{ 'review.verdict': 'pass' }]);
    expect(warnings()).toEqual([
      'warn: flo telemetry: review.done: dropped attribute review.score: "high" is not of type double',
      'warn: flo telemetry: review.done: dropped attribute review.details: the value holds something no log record can carry (a function, a symbol, a bigint, a class instance or a cycle)',
    ]);
  });

  it('a body that is no AnyValue is left out with a warning; the event is still emitted', () => {
    configure();
    record('recordReviewNoteEvent', { reviewScore: 1 }, { body: { text: 'ok', at: new Date() } });
    record('recordReviewDoneEvent', { reviewVerdict: 'pass' }, { body: 'not declared' });
    expect(memory.getFinishedLogRecords().map((r) => [r.eventName, r.body])).toEqual([
      ['review.note', undefined],
      ['review.done', undefined],
    ]);
    expect(warnings()).toEqual([
      'warn: flo telemetry: review.note: dropped the body: it holds a value no log record can carry (a function, a symbol, a bigint, a class instance or a cycle)',
      'warn: flo telemetry: review.done: dropped the body: the event declares none',
    ]);
  });

  it('never throws into the caller: no attributes, or attributes whose getter throws', () => {
    configure();
    const hostile = Object.defineProperty({}, 'reviewVerdict', { get: () => { throw new Error('boom'); } });
    expect(() => record('recordReviewDoneEvent', undefined)).not.toThrow();
    expect(() => record('recordReviewDoneEvent', hostile)).not.toThrow();
    expect(warnings()).toContain('warn: flo telemetry: review.done: recording the event failed: boom');
  });
});
