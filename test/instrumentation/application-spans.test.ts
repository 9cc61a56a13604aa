/**
 * The application's own telemetry inside a wrapped LLM call is kept (issue 22, item 4):
 * - a span the application starts inside `traceLlmCall` or `traceLlmStream` is a child of the kit's
 *   span, in every conventions mode and under both GenAI targets;
 * - through `configureTelemetry()` with HTTP instrumentation registered
 *   (`@opentelemetry/instrumentation-undici`), `traceparent` reaches the local server through the
 *   real `openai` and `@anthropic-ai/sdk` clients, naming the HTTP client span under the kit's span;
 * - one inference span per Anthropic call: the SDK's own `anthropic.messages.create` directly under
 *   the kit's span is not recorded, and only that span (one the application starts itself, and the
 *   SDK's under it, are kept; `sdkSpans: 'keep'` keeps the SDK's).
 */
import { SpanKind, trace } from '@opentelemetry/api';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { traceLlmCall, traceLlmStream } from '../../src/instrumentation/index.ts';
import { configureTelemetry } from '../../src/runtime/configure.ts';
import type { Conventions } from '../../src/runtime/rules.ts';
import { startFakeLlmServer, type FakeLlmServer } from '../support/fake-llm-server.ts';
import { useInMemoryTelemetry, type InMemoryTelemetry } from '../support/in-memory.ts';
import { anthropicClient, openAiClient } from '../support/sdk-clients.ts';
import { useCleanTelemetryState } from '../support/telemetry-env.ts';

let server: FakeLlmServer;

beforeAll(async () => {
  server = await startFakeLlmServer();
});
afterAll(async () => {
  await server.close();
});

const MODES: readonly { readonly conventions: Conventions; readonly optIn: boolean }[] = [
  { conventions: 'flo', optIn: false },
  { conventions: 'gen_ai', optIn: false },
  { conventions: 'both', optIn: false },
  { conventions: 'gen_ai', optIn: true },
  { conventions: 'both', optIn: true },
];

const LLM = { provider: 'openai', model: 'gpt-4o' };
const parentOf = (span: ReadableSpan | undefined) => span?.parentSpanContext?.spanId;
const idOf = (span: ReadableSpan | undefined) => span?.spanContext().spanId;

describe('a span the application starts inside the call', () => {
  let telemetry: InMemoryTelemetry | undefined;
  afterEach(async () => {
    await telemetry?.shutdown();
    telemetry = undefined;
  });

  describe.each(MODES)('conventions $conventions, opt-in $optIn', ({ conventions, optIn }) => {
    it('inside traceLlmCall: a child of the kit span', async () => {
      telemetry = useInMemoryTelemetry({ conventions, semconvStabilityOptIn: optIn ? ['gen_ai_latest_experimental'] : [] });
      const app = telemetry.tracerProvider.getTracer('the-application');
      await traceLlmCall(LLM, async () => {
        app.startActiveSpan('build prompt', (span) => span.end());
        await Promise.resolve();
        return { choices: [{ message: { content: 'ok' } }] };
      });
      const spans = await telemetry.spans();
      const kit = spans.find((span) => span.instrumentationScope.name !== 'the-application');
      const own = spans.find((span) => span.name === 'build prompt');
      expect(own, spans.map((span) => span.name).join(', ')).toBeDefined();
      expect(parentOf(own)).toBe(idOf(kit));
    });

    it('inside traceLlmStream, while it is opened and while it is read: children of the kit span', async () => {
      telemetry = useInMemoryTelemetry({ conventions, semconvStabilityOptIn: optIn ? ['gen_ai_latest_experimental'] : [] });
      const app = telemetry.tracerProvider.getTracer('the-application');
      async function* source() {
        app.startActiveSpan('read chunk', (span) => span.end());
        yield 'Hello';
      }
      const stream = traceLlmStream(LLM, () => {
        app.startActiveSpan('open stream', (span) => span.end());
        return source();
      });
      for await (const chunk of stream) void chunk;
      const spans = await telemetry.spans();
      const kit = spans.find((span) => span.instrumentationScope.name !== 'the-application');
      expect(spans.filter((span) => span.instrumentationScope.name === 'the-application').map((span) => [span.name, parentOf(span)])).toEqual([
        ['open stream', idOf(kit)],
        ['read chunk', idOf(kit)],
      ]);
    });
  });
});

describe('through configureTelemetry, with HTTP instrumentation', () => {
  useCleanTelemetryState();
  let exporter: InMemorySpanExporter;
  let undici: UndiciInstrumentation;

  function configure(conventions: Conventions = 'both'): void {
    exporter = new InMemorySpanExporter();
    configureTelemetry({ serviceName: 'app-spans', logLevel: 'none', conventions, metrics: false, logs: false, spanProcessors: [new SimpleSpanProcessor({ exporter })] });
    undici = new UndiciInstrumentation();
    undici.setTracerProvider(trace.getTracerProvider());
    undici.enable();
  }

  afterEach(() => {
    undici?.disable();
  });

  /** The `traceparent` values of the last request the server received (a comma-separated list when two parties set it), each split. */
  function lastTraceparents(): { traceId: string; parentId: string }[] {
    const header = server.requests.at(-1)?.headers.traceparent;
    return (typeof header === 'string' ? header.split(',') : []).map((value) => {
      const match = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/.exec(value.trim());
      return match === null ? { traceId: 'malformed', parentId: value } : { traceId: match[1]!, parentId: match[2]! };
    });
  }

  const byScope = (spans: readonly ReadableSpan[], scope: RegExp) => spans.filter((span) => scope.test(span.instrumentationScope.name));

  it.each(['both', 'gen_ai', 'flo'] as const)('openai, %s: traceparent names the HTTP client span, a child of the kit span', async (conventions) => {
    configure(conventions);
    const client = openAiClient(server);
    const request = { model: 'gpt-4o', messages: [{ role: 'user' as const, content: 'Hi' }] };
    await traceLlmCall({ ...LLM, request }, () => client.chat.completions.create(request));
    const spans = exporter.getFinishedSpans();
    const [kit] = byScope(spans, /^flo_ai$/);
    const [http] = byScope(spans, /undici/);
    expect(http?.kind).toBe(SpanKind.CLIENT);
    expect(parentOf(http)).toBe(idOf(kit));
    expect(lastTraceparents()).toEqual([{ traceId: kit?.spanContext().traceId, parentId: idOf(http) }]);
  });

  it.each(['both', 'gen_ai'] as const)('anthropic, %s: one inference span; traceparent and the HTTP span under the kit span', async (conventions) => {
    configure(conventions);
    const client = anthropicClient(server);
    const request = { model: 'claude-sonnet-5-5', max_tokens: 64, messages: [{ role: 'user' as const, content: 'Hi' }] };
    await traceLlmCall({ provider: 'anthropic', model: request.model, request }, () => client.messages.create(request));
    const spans = exporter.getFinishedSpans();
    expect(spans.filter((span) => span.attributes['gen_ai.operation.name'] === 'chat').map((span) => span.name)).toEqual(['chat claude-sonnet-5-5']);
    expect(byScope(spans, /anthropic/)).toEqual([]);
    const [kit] = byScope(spans, /^flo_ai$/);
    const [http] = byScope(spans, /undici/);
    expect(parentOf(http)).toBe(idOf(kit));
    // The SDK propagates the span it was given (the kit's) and the HTTP instrumentation its own: both reach the server.
    const traceId = kit?.spanContext().traceId;
    expect(lastTraceparents()).toEqual([
      { traceId, parentId: idOf(kit) },
      { traceId, parentId: idOf(http) },
    ]);
  });

  it("anthropic with the SDK's own propagation off: the HTTP instrumentation's traceparent alone, naming the HTTP span under the kit's", async () => {
    configure();
    const client = anthropicClient(server, { openTelemetry: { propagation: false } });
    const request = { model: 'claude-sonnet-5-5', max_tokens: 64, messages: [{ role: 'user' as const, content: 'Hi' }] };
    await traceLlmCall({ provider: 'anthropic', model: request.model, request }, () => client.messages.create(request));
    const spans = exporter.getFinishedSpans();
    expect(byScope(spans, /anthropic/)).toEqual([]);
    const [kit] = byScope(spans, /^flo_ai$/);
    const [http] = byScope(spans, /undici/);
    expect(parentOf(http)).toBe(idOf(kit));
    expect(lastTraceparents()).toEqual([{ traceId: kit?.spanContext().traceId, parentId: idOf(http) }]);
  });

  it('anthropic, streamed through MessageStream: one inference span, the HTTP span under it', async () => {
    configure();
    const client = anthropicClient(server);
    const request = { model: 'claude-sonnet-5-5', max_tokens: 64, messages: [{ role: 'user' as const, content: 'Hi' }] };
    for await (const event of traceLlmStream({ provider: 'anthropic', model: request.model, request }, () => client.messages.stream(request))) void event;
    const spans = exporter.getFinishedSpans();
    expect(byScope(spans, /anthropic/)).toEqual([]);
    const [kit] = byScope(spans, /^flo_ai$/);
    expect(parentOf(byScope(spans, /undici/)[0])).toBe(idOf(kit));
    expect(lastTraceparents().map((value) => value.traceId)).toEqual([kit?.spanContext().traceId, kit?.spanContext().traceId]);
  });

  it("only the SDK span directly under the kit's goes: one under a span of the application's own is kept, and so is any with sdkSpans: 'keep'", async () => {
    configure();
    const client = anthropicClient(server);
    const request = { model: 'claude-sonnet-5-5', max_tokens: 64, messages: [{ role: 'user' as const, content: 'Hi' }] };
    const app = trace.getTracer('the-application');
    await traceLlmCall({ provider: 'anthropic', model: request.model }, () => app.startActiveSpan('retry loop', async (span) => {
      try {
        return await client.messages.create(request);
      } finally {
        span.end();
      }
    }));
    let spans = exporter.getFinishedSpans();
    const own = spans.find((span) => span.name === 'retry loop');
    const sdk = byScope(spans, /anthropic/);
    expect(sdk.map((span) => [span.name, parentOf(span)])).toEqual([['anthropic.messages.create', idOf(own)]]);

    exporter.reset();
    await traceLlmCall({ provider: 'anthropic', model: request.model }, () => client.messages.create(request), { sdkSpans: 'keep' });
    spans = exporter.getFinishedSpans();
    expect(byScope(spans, /anthropic/).map((span) => [span.name, parentOf(span)])).toEqual([['anthropic.messages.create', idOf(byScope(spans, /^flo_ai$/)[0])]]);
  });

  it("flo: the kit's span is no GenAI span, so the SDK's is kept, under it", async () => {
    configure('flo');
    const client = anthropicClient(server);
    const request = { model: 'claude-sonnet-5-5', max_tokens: 64, messages: [{ role: 'user' as const, content: 'Hi' }] };
    await traceLlmCall({ provider: 'anthropic', model: request.model }, () => client.messages.create(request));
    const spans = exporter.getFinishedSpans();
    expect(byScope(spans, /anthropic/).map((span) => parentOf(span))).toEqual([idOf(byScope(spans, /^flo_ai$/)[0])]);
  });
});
