/**
 * The GenAI events the helpers emit, as log records through the session's emitter (issue 23):
 *
 * - `recordEvaluation` → `gen_ai.evaluation.result`, linked to the active span or the one given;
 * - a failed LLM call or stream → `gen_ai.client.operation.exception` at WARN, its message and
 *   stack trace exactly what the span's exception event records, under every error-message policy;
 * - content capture into events (`captureContentIn`) → `gen_ai.client.inference.operation.details`
 *   with the call's parameters, input, output, response and usage, instead of or beside the span's
 *   GenAI content attributes, through the same redaction and truncation.
 *
 * Every selection that has the events emits them (the opt-in's included); `flo` has none.
 */
import { SeverityNumber, type Attributes } from '@opentelemetry/api';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import { checkConformance, recordEvaluation, traceLlmCall, traceLlmStream } from '../../src/index.ts';
import { setContentCapture } from '../../src/runtime/bind.ts';
import type { ContentCaptureOptions, ContentDestination } from '../../src/runtime/content.ts';
import type { ErrorMessagePolicy } from '../../src/runtime/error-text.ts';
import type { Conventions } from '../../src/runtime/rules.ts';
import { captureDiagnostics } from '../support/harness.ts';
import { useInMemoryTelemetry, type InMemoryTelemetry } from '../support/in-memory.ts';

const REQUEST = {
  model: 'gpt-4o',
  temperature: 0.2,
  max_tokens: 100,
  messages: [
    { role: 'system', content: 'Answer briefly.' },
    { role: 'user', content: 'Capital of France? Reply to ana@example.com' },
  ],
};
const LLM = { provider: 'openai', model: 'gpt-4o', request: REQUEST, serverUrl: 'https://api.openai.com/v1' };
const RESPONSE = {
  id: 'chatcmpl-42',
  model: 'gpt-4o-2024-08-06',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Paris, ana@example.com.' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 12, completion_tokens: 4, total_tokens: 16 },
};
const CHUNKS = [
  { id: 'chatcmpl-43', model: 'gpt-4o-2024-08-06', choices: [{ index: 0, delta: { role: 'assistant', content: 'Par' } }] },
  { id: 'chatcmpl-43', model: 'gpt-4o-2024-08-06', choices: [{ index: 0, delta: { content: 'is.' }, finish_reason: 'stop' }] },
  { id: 'chatcmpl-43', model: 'gpt-4o-2024-08-06', choices: [], usage: { prompt_tokens: 12, completion_tokens: 2, total_tokens: 14 } },
];
const MASK = (text: string) => text.replaceAll('ana@example.com', '[email]');

let telemetry: InMemoryTelemetry | undefined;
afterEach(async () => {
  await telemetry?.shutdown();
  telemetry = undefined;
});

interface Session {
  readonly conventions?: Conventions;
  readonly optIn?: boolean;
  readonly errorMessages?: ErrorMessagePolicy;
  readonly captureContent?: ContentCaptureOptions | boolean;
  readonly captureContentIn?: ContentDestination;
}

function bind(session: Session = {}): InMemoryTelemetry {
  telemetry = useInMemoryTelemetry({
    conventions: session.conventions,
    semconvStabilityOptIn: session.optIn === true ? ['gen_ai_latest_experimental'] : undefined,
    errorMessages: session.errorMessages ?? 'with-content',
    captureContent: session.captureContent,
    captureContentIn: session.captureContentIn,
  });
  return telemetry;
}

const named = (records: readonly ReadableLogRecord[], name: string) => records.filter((record) => record.eventName === name);
const linkOf = (record: ReadableLogRecord | undefined) => [record?.spanContext?.traceId, record?.spanContext?.spanId];
const idsOf = (span: ReadableSpan | undefined) => [span?.spanContext().traceId, span?.spanContext().spanId];
const exceptionEvent = (span: ReadableSpan) => span.events.find((event) => event.name === 'exception')?.attributes ?? {};

async function failedCall(): Promise<void> {
  await expect(
    traceLlmCall(LLM, async () => {
      throw new RangeError('quota exceeded for ana@example.com');
    }),
  ).rejects.toThrow(RangeError);
}

async function failedStream(): Promise<void> {
  const stream = traceLlmStream(LLM, async function* () {
    yield CHUNKS[0]!;
    throw new TypeError('connection reset while answering ana@example.com');
  });
  await expect((async () => { for await (const _ of stream); })()).rejects.toThrow(TypeError);
}

async function consume(stream: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of stream);
}

describe('recordEvaluation: gen_ai.evaluation.result', () => {
  it('inside traceLlmCall: emitted once, parented to the LLM span, with what it was given', async () => {
    const t = bind();
    await traceLlmCall(LLM, async () => {
      recordEvaluation({ name: 'relevance', scoreValue: 0.92, scoreLabel: 'relevant', explanation: 'Answers the question.', responseId: 'chatcmpl-42' });
      return RESPONSE;
    });
    const span = await t.span('chat gpt-4o');
    const [record, ...more] = named(t.logs(), 'gen_ai.evaluation.result');
    expect(more).toEqual([]);
    expect(linkOf(record)).toEqual(idsOf(span));
    expect(record?.attributes).toEqual({
      'gen_ai.evaluation.name': 'relevance',
      'gen_ai.evaluation.score.value': 0.92,
      'gen_ai.evaluation.score.label': 'relevant',
      'gen_ai.evaluation.explanation': 'Answers the question.',
      'gen_ai.response.id': 'chatcmpl-42',
    });
    expect(record?.instrumentationScope.name).toBe('flo_ai');
  });

  it('after the call, linked to the span the caller passes: a kit span, an OpenTelemetry span or a span context', async () => {
    const t = bind();
    let kitSpan: Parameters<Parameters<typeof traceLlmCall>[1]>[0] | undefined;
    await traceLlmCall(LLM, async (span) => {
      kitSpan = span;
      return RESPONSE;
    });
    const otelSpan = kitSpan!.otelSpan!;
    recordEvaluation({ name: 'kit span', scoreValue: 1 }, { span: kitSpan });
    recordEvaluation({ name: 'otel span', scoreValue: 1 }, { span: otelSpan });
    recordEvaluation({ name: 'span context', scoreValue: 1 }, { span: otelSpan.spanContext() });
    const span = await t.span('chat gpt-4o');
    const records = named(t.logs(), 'gen_ai.evaluation.result');
    expect(records.map((record) => [record.attributes['gen_ai.evaluation.name'], ...linkOf(record)])).toEqual(
      ['kit span', 'otel span', 'span context'].map((name) => [name, ...idsOf(span)]),
    );
  });

  it('outside any span: still emitted, with no span link; gen_ai.response.id ties it to the response', () => {
    const t = bind();
    recordEvaluation({ name: 'faithfulness', scoreLabel: 'faithful', responseId: 'chatcmpl-42' });
    const [record] = named(t.logs(), 'gen_ai.evaluation.result');
    expect(record?.spanContext).toBeUndefined();
    expect(record?.attributes['gen_ai.response.id']).toBe('chatcmpl-42');
  });

  it('an evaluation that failed records the error’s type: an error’s class, or the string given', () => {
    const t = bind();
    recordEvaluation({ name: 'toxicity', error: new TypeError('judge returned no JSON') });
    recordEvaluation({ name: 'toxicity', error: 'judge_timeout' });
    expect(named(t.logs(), 'gen_ai.evaluation.result').map((record) => record.attributes)).toEqual([
      { 'gen_ai.evaluation.name': 'toxicity', 'error.type': 'TypeError' },
      { 'gen_ai.evaluation.name': 'toxicity', 'error.type': 'judge_timeout' },
    ]);
  });

  it.each<[string, Session, number]>([
    ['gen_ai', { conventions: 'gen_ai' }, 1],
    ['both', { conventions: 'both' }, 1],
    ['gen_ai with gen_ai_latest_experimental', { conventions: 'gen_ai', optIn: true }, 1],
    ['both with gen_ai_latest_experimental', { conventions: 'both', optIn: true }, 1],
    ['flo (flo_ai’s names have no events)', { conventions: 'flo' }, 0],
  ])('%s: emitted as the selection says', (_name, session, count) => {
    const t = bind(session);
    recordEvaluation({ name: 'relevance', scoreValue: 0.5 });
    expect(named(t.logs(), 'gen_ai.evaluation.result')).toHaveLength(count);
  });

  it('does nothing while telemetry is off', () => {
    expect(() => recordEvaluation({ name: 'relevance', scoreValue: 1 })).not.toThrow();
  });

  it('bad input: no result, a name that is no string, a score that is no number; warned once each, never thrown', () => {
    const t = bind();
    const diagnostics = captureDiagnostics();
    try {
      expect(() => recordEvaluation(undefined as never)).not.toThrow();
      recordEvaluation({ name: 42 as never, scoreValue: 1 });
      recordEvaluation({ name: 'relevance', scoreValue: Number.NaN, scoreLabel: 'unknown' });
      recordEvaluation({ name: 'relevance', scoreValue: Number.NaN, scoreLabel: 'unknown' });
      expect(named(t.logs(), 'gen_ai.evaluation.result').map((record) => record.attributes)).toEqual([
        { 'gen_ai.evaluation.name': 'relevance', 'gen_ai.evaluation.score.label': 'unknown' },
        { 'gen_ai.evaluation.name': 'relevance', 'gen_ai.evaluation.score.label': 'unknown' },
      ]);
      expect(diagnostics.messages).toEqual([
        'flo telemetry: recordEvaluation was given undefined instead of its info object; the call ran untraced',
        'flo telemetry: gen_ai.evaluation.result: dropped an event: required attribute gen_ai.evaluation.name: 42 is not of type string',
        'flo telemetry: gen_ai.evaluation.result: dropped attribute gen_ai.evaluation.score.value: NaN is not of type double',
      ]);
    } finally {
      diagnostics.restore();
    }
  });
});

describe('a failed LLM call or stream: gen_ai.client.operation.exception', () => {
  it('a whole call: one WARN event linked to its span, the error’s type only while content capture is off (the default)', async () => {
    const t = bind();
    await failedCall();
    const span = await t.span('chat gpt-4o');
    const [record, ...more] = named(t.logs(), 'gen_ai.client.operation.exception');
    expect(more).toEqual([]);
    expect(record?.severityNumber).toBe(SeverityNumber.WARN);
    expect(record?.severityText).toBe('WARN');
    expect(linkOf(record)).toEqual(idsOf(span));
    expect(record?.attributes).toEqual({ 'exception.type': 'RangeError' });
    expect(exceptionEvent(span)).toEqual({ 'exception.type': 'RangeError' });
  });

  it.each<[string, Session]>([
    ['content capture on: through the redaction hook', { captureContent: { enabled: true, redact: MASK } }],
    ['errorMessages always: as thrown', { errorMessages: 'always' }],
    ['errorMessages never: the type only, capture on or not', { errorMessages: 'never', captureContent: true }],
  ])('%s, exactly as the span’s exception event', async (_name, session) => {
    const t = bind(session);
    await failedCall();
    await failedStream();
    const spans = (await t.spans()).filter((span) => span.status.code === 2);
    const records = named(t.logs(), 'gen_ai.client.operation.exception');
    expect(spans).toHaveLength(2);
    expect(records.map((record) => [linkOf(record), record.attributes])).toEqual(spans.map((span) => [idsOf(span), exceptionEvent(span)]));
    const text = JSON.stringify(records.map((record) => record.attributes));
    if (session.captureContent !== undefined && session.errorMessages !== 'never') expect(text).not.toContain('ana@example.com');
    if (session.errorMessages === 'always') expect(text).toContain('ana@example.com');
    if (session.errorMessages === 'never') expect(Object.keys(records[0]?.attributes ?? {})).toEqual(['exception.type']);
  });

  it.each<[string, Session, number]>([
    ['gen_ai with gen_ai_latest_experimental', { conventions: 'gen_ai', optIn: true }, 2],
    ['both with gen_ai_latest_experimental', { conventions: 'both', optIn: true }, 2],
    ['flo (flo_ai’s names have no events)', { conventions: 'flo' }, 0],
  ])('%s: emitted as the selection says', async (_name, session, count) => {
    const t = bind(session);
    await failedCall();
    await failedStream();
    expect(named(t.logs(), 'gen_ai.client.operation.exception')).toHaveLength(count);
  });

  it('a call that succeeds, or a stream the consumer stops early, emits none', async () => {
    const t = bind();
    await traceLlmCall(LLM, async () => RESPONSE);
    for await (const _ of traceLlmStream(LLM, async function* () { yield* CHUNKS; })) break;
    expect(named(t.logs(), 'gen_ai.client.operation.exception')).toEqual([]);
  });
});

describe('content capture into events: gen_ai.client.inference.operation.details', () => {
  const GEN_AI_CONTENT = ['gen_ai.input.messages', 'gen_ai.output.messages', 'gen_ai.system_instructions'];
  const contentOf = (attributes: Attributes) => Object.fromEntries(GEN_AI_CONTENT.filter((key) => attributes[key] !== undefined).map((key) => [key, attributes[key]]));
  const parsed = (attributes: Attributes) => Object.fromEntries(Object.entries(contentOf(attributes)).map(([key, value]) => [key, JSON.parse(String(value)) as unknown]));

  it('by default (span) content stays on the span and no details event is emitted', async () => {
    const t = bind({ captureContent: true });
    await traceLlmCall(LLM, async () => RESPONSE);
    const span = await t.span('chat gpt-4o');
    expect(Object.keys(contentOf(span.attributes)).sort()).toEqual(['gen_ai.input.messages', 'gen_ai.output.messages']);
    expect(named(t.logs(), 'gen_ai.client.inference.operation.details')).toEqual([]);
  });

  it('event: the details event carries parameters, input, output (structured), response and usage; the span keeps no GenAI content', async () => {
    const t = bind({ captureContent: { enabled: true, redact: MASK }, captureContentIn: 'event' });
    await traceLlmCall(LLM, async () => RESPONSE);
    const span = await t.span('chat gpt-4o');
    const [record, ...more] = named(t.logs(), 'gen_ai.client.inference.operation.details');
    expect(more).toEqual([]);
    expect(linkOf(record)).toEqual(idsOf(span));
    expect(record?.severityNumber).toBeUndefined();
    // Only what the event declares: in v1.41.1 it has no gen_ai.provider.name (its span adds that), the snapshot's has.
    expect(record?.attributes).toEqual({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.request.temperature': 0.2,
      'gen_ai.request.max_tokens': 100,
      'server.address': 'api.openai.com',
      'server.port': 443,
      'gen_ai.input.messages': [
        { role: 'system', parts: [{ type: 'text', content: 'Answer briefly.' }] },
        { role: 'user', parts: [{ type: 'text', content: 'Capital of France? Reply to [email]' }] },
      ],
      'gen_ai.output.messages': [{ role: 'assistant', parts: [{ type: 'text', content: 'Paris, [email].' }], finish_reason: 'stop' }],
      'gen_ai.response.id': 'chatcmpl-42',
      'gen_ai.response.model': 'gpt-4o-2024-08-06',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 12,
      'gen_ai.usage.output_tokens': 4,
    });
    expect(contentOf(span.attributes)).toEqual({});
    // flo_ai's own content attributes are no GenAI names: they stay where they were (both is the default conventions).
    expect(span.attributes['llm.response.content']).toBe('Paris, [email].');
  });

  it('span_and_event: the same content in both, redacted and truncated alike, each text through the hook once for the input', async () => {
    const seen: string[] = [];
    const redact = (text: string) => {
      seen.push(text);
      return MASK(text);
    };
    const t = bind({ captureContent: { enabled: true, redact, maxLength: 12 }, captureContentIn: 'span_and_event' });
    await traceLlmCall(LLM, async () => RESPONSE);
    const span = await t.span('chat gpt-4o');
    const [record] = named(t.logs(), 'gen_ai.client.inference.operation.details');
    expect(contentOf(record!.attributes)).toEqual(parsed(span.attributes));
    expect(JSON.stringify(record?.attributes)).not.toContain('ana@example.com');
    expect(seen.filter((text) => text.startsWith('Capital of France'))).toHaveLength(1);
  });

  it('a stream: its output messages, response and usage when it ends', async () => {
    const t = bind({ captureContent: true, captureContentIn: 'event' });
    await consume(traceLlmStream(LLM, async function* () { yield* CHUNKS; }));
    const span = await t.span('chat gpt-4o');
    const [record] = named(t.logs(), 'gen_ai.client.inference.operation.details');
    expect(linkOf(record)).toEqual(idsOf(span));
    expect(record?.attributes).toMatchObject({
      'gen_ai.request.stream': true,
      'gen_ai.output.messages': [{ role: 'assistant', parts: [{ type: 'text', content: 'Paris.' }], finish_reason: 'stop' }],
      'gen_ai.response.id': 'chatcmpl-43',
      'gen_ai.usage.input_tokens': 12,
      'gen_ai.usage.output_tokens': 2,
    });
    expect(contentOf(span.attributes)).toEqual({});
  });

  it('a failed call: its parameters and input, with error.type, beside the exception event', async () => {
    const t = bind({ captureContent: true, captureContentIn: 'event' });
    await failedCall();
    const [record] = named(t.logs(), 'gen_ai.client.inference.operation.details');
    expect(record?.attributes).toMatchObject({ 'error.type': 'RangeError', 'gen_ai.request.model': 'gpt-4o' });
    expect(record?.attributes['gen_ai.input.messages']).toHaveLength(2);
    expect(record?.attributes['gen_ai.output.messages']).toBeUndefined();
    expect(named(t.logs(), 'gen_ai.client.operation.exception')).toHaveLength(1);
  });

  it('setContentCapture(options, captureContentIn) moves the content of a running session into events', async () => {
    const t = bind({ captureContent: true });
    setContentCapture(true, 'event');
    await traceLlmCall(LLM, async () => RESPONSE);
    // Content capture changed, the destination kept.
    setContentCapture({ enabled: true, maxLength: 100 });
    await traceLlmCall(LLM, async () => RESPONSE);
    expect(named(t.logs(), 'gen_ai.client.inference.operation.details')).toHaveLength(2);
    expect((await t.spans()).map((span) => contentOf(span.attributes))).toEqual([{}, {}]);
  });

  it('an unknown destination from code that binds providers itself: warned once, content stays on the span', async () => {
    const diagnostics = captureDiagnostics();
    try {
      const t = bind({ captureContent: true, captureContentIn: 'logs' as never });
      await traceLlmCall(LLM, async () => RESPONSE);
      expect(Object.keys(contentOf((await t.span('chat gpt-4o')).attributes))).toHaveLength(2);
      expect(named(t.logs(), 'gen_ai.client.inference.operation.details')).toEqual([]);
      expect(diagnostics.messages).toEqual(['flo telemetry: content capture: captureContentIn "logs" is not one of span, event, span_and_event; using span']);
    } finally {
      diagnostics.restore();
    }
  });

  it.each<[string, Session, number]>([
    ['capture off', { captureContentIn: 'event' }, 0],
    ['flo (no GenAI event, and no GenAI content anywhere)', { conventions: 'flo', captureContent: true, captureContentIn: 'event' }, 0],
    ['gen_ai with gen_ai_latest_experimental', { conventions: 'gen_ai', optIn: true, captureContent: true, captureContentIn: 'event' }, 1],
  ])('%s: emitted as the session says', async (_name, session, count) => {
    const t = bind(session);
    await traceLlmCall(LLM, async () => RESPONSE);
    const records = named(t.logs(), 'gen_ai.client.inference.operation.details');
    expect(records).toHaveLength(count);
    // Under the opt-in, the snapshot's definition names DEBUG, and declares the provider.
    if (session.optIn === true) expect(records[0]).toMatchObject({ severityNumber: SeverityNumber.DEBUG, attributes: { 'gen_ai.provider.name': 'openai' } });
  });
});

describe('what the helpers emit conforms to the spec, events included', () => {
  it.each<[string, Session]>([
    ['gen_ai', { conventions: 'gen_ai' }],
    ['both', { conventions: 'both' }],
    ['flo', { conventions: 'flo' }],
    ['gen_ai with gen_ai_latest_experimental', { conventions: 'gen_ai', optIn: true }],
    ['both with gen_ai_latest_experimental', { conventions: 'both', optIn: true }],
  ])('%s, every event kind, content in events', async (_name, session) => {
    const t = bind({ ...session, errorMessages: 'always', captureContent: true, captureContentIn: 'span_and_event' });
    await traceLlmCall(LLM, async () => {
      recordEvaluation({ name: 'relevance', scoreValue: 1, responseId: 'chatcmpl-42' });
      return RESPONSE;
    });
    await consume(traceLlmStream(LLM, async function* () { yield* CHUNKS; }));
    await failedCall();
    await failedStream();
    const telemetry = await t.telemetry();
    expect(telemetry.events?.length ?? 0).toBe(session.conventions === 'flo' ? 0 : 7);
    expect(checkConformance(telemetry)).toEqual([]);
  });
});
