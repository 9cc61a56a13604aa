/**
 * The wire size the kit computes for spans is an upper bound of what the OTLP
 * exporters really send: random spans (names, attributes of every type, text
 * in every script, lone surrogates, events, links, trace state, status
 * messages) are encoded by @opentelemetry/otlp-transformer's protobuf
 * serializer, the one the gRPC exporters use, and compared with the sum the
 * kit's batches are built from. And the bound is tight enough to be useful.
 */
import { ROOT_CONTEXT, SpanStatusCode, TraceFlags, trace, type Attributes, type AttributeValue, type Link } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { ProtobufLogsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { logRecordSize, resourceOverheadBytes, scopeOverheadBytes, spanSize } from '../../src/runtime/otlp-size.ts';

/** Any string, including lone surrogates and characters of every UTF-8 length. */
const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 40 }), fc.string({ maxLength: 300 }));
const number = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(-(2 ** 63), 2 ** 63, Number.MAX_SAFE_INTEGER, -1, 0));
const scalar: fc.Arbitrary<AttributeValue> = fc.oneof(text, number, fc.boolean());
const value: fc.Arbitrary<AttributeValue> = fc.oneof(
  scalar,
  fc.array(text, { maxLength: 5 }),
  fc.array(number, { maxLength: 5 }),
  fc.array(fc.boolean(), { maxLength: 5 }),
);
const attributes: fc.Arbitrary<Attributes> = fc.dictionary(text, value, { maxKeys: 12 });

const spanShape = fc.record({
  name: text,
  attributes,
  events: fc.array(fc.record({ name: text, attributes }), { maxLength: 3 }),
  links: fc.array(fc.record({ attributes, state: fc.option(fc.constantFrom('a=1', 'vendor=abc,other=xyz')) }), { maxLength: 2 }),
  status: fc.option(text),
  remoteParent: fc.boolean(),
  kind: fc.integer({ min: 0, max: 4 }),
});

type SpanShape = typeof spanShape extends fc.Arbitrary<infer T> ? T : never;

function finishedSpans(shapes: readonly SpanShape[], resourceAttributes: Attributes): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes(resourceAttributes),
    spanProcessors: [new SimpleSpanProcessor({ exporter: memory })],
    // No limits: the SDK would otherwise cut what the kit must measure.
    spanLimits: { attributeCountLimit: 1000, eventCountLimit: 1000, linkCountLimit: 1000 },
  });
  const tracers = [provider.getTracer('flo_ai', '0.1.0', { schemaUrl: 'https://flo-ai.dev/schemas/flo_ai/0.1.0' }), provider.getTracer('other')];
  shapes.forEach((shape, index) => {
    const parent = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: TraceFlags.SAMPLED,
      isRemote: shape.remoteParent,
      traceState: new TraceState('rojo=00f067aa0ba902b7'),
    });
    const links: Link[] = shape.links.map((link) => ({
      context: { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.SAMPLED, traceState: link.state === null ? undefined : new TraceState(link.state) },
      attributes: link.attributes,
    }));
    const span = (tracers[index % 2] ?? tracers[0]!).startSpan(shape.name, { attributes: shape.attributes, links, kind: shape.kind }, parent);
    for (const event of shape.events) span.addEvent(event.name, event.attributes);
    if (shape.status !== null) span.setStatus({ code: SpanStatusCode.ERROR, message: shape.status });
    span.end();
  });
  return memory.getFinishedSpans();
}

function requestBound(spans: readonly ReadableSpan[]): number {
  const resources = new Set(spans.map((span) => span.resource));
  const scopes = new Set(spans.map((span) => span.instrumentationScope));
  let bound = 0;
  for (const resource of resources) bound += resourceOverheadBytes(resource);
  for (const scope of scopes) bound += scopeOverheadBytes(scope);
  for (const span of spans) bound += spanSize(span).wire;
  return bound;
}

function encodedBytes(spans: ReadableSpan[]): number {
  return ProtobufTraceSerializer.serializeRequest(spans)?.length ?? 0;
}

describe('the wire size of spans', () => {
  it('is never below what the OTLP protobuf serializer encodes, for any spans', () => {
    fc.assert(
      fc.property(fc.array(spanShape, { minLength: 1, maxLength: 8 }), attributes, (shapes, resourceAttributes) => {
        const spans = finishedSpans(shapes, resourceAttributes);
        expect(requestBound(spans)).toBeGreaterThanOrEqual(encodedBytes(spans));
      }),
      { numRuns: 300 },
    );
  });

  it('is within a few percent of the encoded size for spans carrying prompts and completions', () => {
    const prose = 'Summarise the ticket below for the support agent. ’Quotes’ and émojis 🙂 included. '.repeat(50);
    const shapes = Array.from({ length: 200 }, (_, index) => ({
      name: 'chat gpt-4o',
      attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', 'llm.request.content': `${index} ${prose}`, 'llm.response.content': prose, 'gen_ai.usage.input_tokens': 1200 },
      events: [],
      links: [],
      status: null,
      remoteParent: false,
      kind: 2,
    }));
    const spans = finishedSpans(shapes, { 'service.name': 'size-test' });
    const encoded = encodedBytes(spans);
    expect(requestBound(spans)).toBeGreaterThanOrEqual(encoded);
    expect(requestBound(spans)).toBeLessThan(encoded * 1.03);
  });
});

/** Any log body: scalars, bytes, and arrays and maps of them, nested. */
const body: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  any: fc.oneof({ depthSize: 'small' }, scalar, fc.uint8Array({ maxLength: 20 }), tie('list'), tie('map')),
  list: fc.array(tie('any'), { maxLength: 4 }),
  map: fc.dictionary(text, tie('any'), { maxKeys: 4 }),
})).any;

const logShape = fc.record({
  body: fc.option(body),
  attributes,
  eventName: fc.option(text),
  severityText: fc.option(text),
  severityNumber: fc.option(fc.integer({ min: 1, max: 24 })),
  inSpan: fc.boolean(),
});

type LogShape = typeof logShape extends fc.Arbitrary<infer T> ? T : never;

function emittedRecords(shapes: readonly LogShape[], resourceAttributes: Attributes): ReadableLogRecord[] {
  const memory = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({
    resource: resourceFromAttributes(resourceAttributes),
    processors: [new SimpleLogRecordProcessor({ exporter: memory })],
    logRecordLimits: { attributeCountLimit: 1000 },
  });
  const loggers = [provider.getLogger('flo_ai', '0.1.0', { schemaUrl: 'https://flo-ai.dev/schemas/flo_ai/0.1.0' }), provider.getLogger('other')];
  shapes.forEach((shape, index) => {
    const context = shape.inSpan
      ? trace.setSpanContext(ROOT_CONTEXT, { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED })
      : ROOT_CONTEXT;
    (loggers[index % 2] ?? loggers[0]!).emit({
      body: shape.body ?? undefined,
      attributes: shape.attributes,
      eventName: shape.eventName ?? undefined,
      severityText: shape.severityText ?? undefined,
      severityNumber: shape.severityNumber ?? undefined,
      context,
    } as Parameters<ReturnType<LoggerProvider['getLogger']>['emit']>[0]);
  });
  return memory.getFinishedLogRecords();
}

describe('the wire size of log records', () => {
  it('is never below what the OTLP protobuf serializer encodes, for any records, nested bodies included', () => {
    fc.assert(
      fc.property(fc.array(logShape, { minLength: 1, maxLength: 8 }), attributes, (shapes, resourceAttributes) => {
        const records = emittedRecords(shapes, resourceAttributes);
        expect(records).toHaveLength(shapes.length);
        let bound = 0;
        for (const resource of new Set(records.map((record) => record.resource))) bound += resourceOverheadBytes(resource);
        for (const scope of new Set(records.map((record) => record.instrumentationScope))) bound += scopeOverheadBytes(scope);
        for (const record of records) bound += logRecordSize(record).wire;
        expect(bound).toBeGreaterThanOrEqual(ProtobufLogsSerializer.serializeRequest(records)?.length ?? 0);
      }),
      { numRuns: 300 },
    );
  });

  it('is tight for bodies of many small maps and lists, where the wrappers are most of the bytes', () => {
    const nested = { turns: Array.from({ length: 300 }, (_, index) => ({ role: index % 2 === 0 ? 'user' : 'assistant', parts: [{ type: 'text', content: `t${index}` }] })) };
    const records = emittedRecords([{ body: nested, attributes: {}, eventName: 'gen_ai.client.inference.operation.details', severityText: null, severityNumber: 9, inSpan: false }], {});
    const encoded = ProtobufLogsSerializer.serializeRequest(records)?.length ?? 0;
    const bound = resourceOverheadBytes(records[0]!.resource) + scopeOverheadBytes(records[0]!.instrumentationScope) + logRecordSize(records[0]!).wire;
    expect(bound).toBeGreaterThanOrEqual(encoded);
    expect(bound).toBeLessThan(encoded * 1.05);
  });
});
