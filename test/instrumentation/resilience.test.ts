/**
 * Failures inside telemetry never change what the wrapped function returns
 * or throws: faulty span processors and exporters, broken providers, usage
 * extractors and info functions that throw, hostile responses.
 */
import type { Context, MeterProvider, TracerProvider } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace';
import { SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import {
  traceAgentRun,
  traceLlmCall,
  traceLlmStream,
  traceNode,
  traceRouterDecision,
  traceToolCall,
  traceWorkflow,
  wrapToolCall,
} from '../../src/instrumentation/index.ts';
import { bindProviders, unbindProviders } from '../../src/runtime/bind.ts';
import { setConventions } from '../../src/runtime/bind.ts';
import { captureDiagnostics, ensureContextManager } from '../support/harness.ts';
import { useInMemoryTelemetry, type InMemoryTelemetry } from '../support/in-memory.ts';

class DomainError extends Error {}

const LLM = { provider: 'openai', model: 'gpt-4o' };
let telemetry: InMemoryTelemetry | undefined;
let restoreDiagnostics: (() => void) | undefined;
afterEach(async () => {
  restoreDiagnostics?.();
  unbindProviders();
  await telemetry?.shutdown();
  telemetry = undefined;
});

function quietDiagnostics(): string[] {
  const diagnostics = captureDiagnostics();
  restoreDiagnostics = diagnostics.restore;
  return diagnostics.messages;
}

/** Every helper, once succeeding and once failing, with results and errors compared by identity. */
async function exerciseEveryHelper(): Promise<void> {
  const value = { answer: 42 };
  const error = new DomainError('domain failure');
  const fail = async (): Promise<never> => {
    throw error;
  };
  const chunks = async function* () {
    yield 'a';
    yield 'b';
  };
  const failingChunks = async function* () {
    yield 'a';
    throw error;
  };

  expect(await traceLlmCall(LLM, async () => value)).toBe(value);
  await expect(traceLlmCall(LLM, fail)).rejects.toBe(error);
  expect(traceLlmCall(LLM, () => value)).toBe(value);
  const streamed: string[] = [];
  for await (const chunk of traceLlmStream(LLM, chunks)) streamed.push(chunk);
  expect(streamed).toEqual(['a', 'b']);
  await expect((async () => { for await (const _ of traceLlmStream(LLM, failingChunks)); })()).rejects.toBe(error);
  expect(
    await traceWorkflow({ name: 'w' }, () =>
      traceNode({ name: 'n', type: 'agent' }, () =>
        traceAgentRun({ name: 'a', type: 't' }, async (agent) => {
          agent.recordRetry('flaky');
          expect(await traceRouterDecision({ routerName: 'r' }, async () => 'left')).toBe('left');
          return traceToolCall({ name: 't' }, async () => value);
        }),
      ),
    ),
  ).toBe(value);
  await expect(traceWorkflow({ name: 'w' }, () => traceAgentRun({ name: 'a', type: 't' }, () => traceToolCall({ name: 't' }, fail)))).rejects.toBe(error);
  expect(() => traceNode({ name: 'n', type: 'function' }, () => { throw error; })).toThrow(error);
}

describe('a faulty SDK pipeline', () => {
  it('a span processor that throws on start and on end', async () => {
    const faulty: SpanProcessor = {
      onStart(_span: Span, _context: Context) {
        throw new Error('onStart exploded');
      },
      onEnd(_span: ReadableSpan) {
        throw new Error('onEnd exploded');
      },
      forceFlush: async () => {},
      shutdown: async () => {},
    };
    quietDiagnostics();
    telemetry = useInMemoryTelemetry({ spanProcessors: [faulty] });
    await exerciseEveryHelper();
    // Metrics do not depend on the span pipeline.
    expect(await telemetry.counter('llm.requests.total')).toBe(3);
  });

  it('an exporter that throws', async () => {
    const exporter: SpanExporter = {
      export() {
        throw new Error('export exploded');
      },
      shutdown: async () => {},
    };
    quietDiagnostics();
    telemetry = useInMemoryTelemetry({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
    await exerciseEveryHelper();
  });

  it('providers whose tracers and meters cannot even be created', async () => {
    ensureContextManager();
    const tracerProvider: TracerProvider = {
      getTracer() {
        throw new Error('no tracer for you');
      },
    };
    const meterProvider = {
      getMeter() {
        throw new Error('no meter for you');
      },
    } as unknown as MeterProvider;
    const messages = quietDiagnostics();
    bindProviders({ tracerProvider, meterProvider });
    await exerciseEveryHelper();
    expect(messages.join('\n')).toMatch(/no tracer for you/);
  });
});

describe('faulty inputs to the helpers', () => {
  it('a usage option that throws leaves the result alone and records the call without tokens', async () => {
    const messages = quietDiagnostics();
    telemetry = useInMemoryTelemetry();
    const response = { text: 'ok' };
    const result = await traceLlmCall(LLM, async () => response, {
      usage: () => {
        throw new Error('extractor bug');
      },
    });
    expect(result).toBe(response);
    expect(await telemetry.counter('llm.requests.total', { status: 'success' })).toBe(1);
    expect(await telemetry.points('llm.tokens.total')).toEqual([]);
    expect(messages.join('\n')).toMatch(/usage option threw Error; no token usage recorded/);
  });

  it('a usage option that throws on a stream chunk', async () => {
    quietDiagnostics();
    telemetry = useInMemoryTelemetry();
    const seen: number[] = [];
    const stream = traceLlmStream(LLM, async function* () { yield 1; yield 2; }, {
      usage: () => {
        throw new Error('chunk extractor bug');
      },
    });
    for await (const chunk of stream) seen.push(chunk);
    expect(seen).toEqual([1, 2]);
    expect((await telemetry.span('chat gpt-4o')).attributes['llm.stream.completed']).toBe(true);
  });

  it('a response whose fields throw when read', async () => {
    telemetry = useInMemoryTelemetry();
    const hostile = {
      get usage(): never {
        throw new Error('getter exploded');
      },
      get choices(): never {
        throw new Error('getter exploded');
      },
    };
    expect(await traceLlmCall(LLM, async () => hostile)).toBe(hostile);
    expect(await telemetry.counter('llm.requests.total', { status: 'success' })).toBe(1);
  });

  it('a response whose other fields throw still has its usage recorded, in every conventions mode', async () => {
    const usage = { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 };
    const throwingChoices = {
      usage,
      get choices(): never {
        throw new Error('getter exploded');
      },
    };
    const throwingDetails = {
      choices: [{ finish_reason: 'stop' }],
      usage: {
        ...usage,
        get completion_tokens_details(): never {
          throw new Error('getter exploded');
        },
      },
    };
    for (const conventions of ['flo', 'gen_ai', 'both'] as const) {
      for (const hostile of [throwingChoices, throwingDetails]) {
        telemetry = useInMemoryTelemetry();
        setConventions(conventions);
        try {
          expect(await traceLlmCall(LLM, async () => hostile)).toBe(hostile);
          const [span] = await telemetry.spans();
          const key = conventions === 'flo' ? 'llm.usage.prompt_tokens' : 'gen_ai.usage.input_tokens';
          expect(span?.attributes[key], `${conventions}: ${key}`).toBe(12);
          const metric = conventions === 'flo' ? 'llm.tokens.prompt' : 'gen_ai.client.token.usage';
          expect((await telemetry.points(metric)).length, `${conventions}: ${metric}`).toBeGreaterThan(0);
        } finally {
          setConventions('both');
          await telemetry.shutdown();
          telemetry = undefined;
        }
      }
    }
  });

  it('bad values from the framework are dropped, the call still runs', async () => {
    const messages = quietDiagnostics();
    telemetry = useInMemoryTelemetry();
    expect(await traceLlmCall({ provider: 'openai', model: 'gpt-4o', temperature: Number.NaN }, async () => 'ok')).toBe('ok');
    expect(traceAgentRun({ name: 'a', type: 't', historySize: -3 }, () => 'ok')).toBe('ok');
    expect((await telemetry.span('chat gpt-4o')).attributes['llm.temperature']).toBeUndefined();
    expect(await telemetry.points('agent.history.size')).toEqual([]);
    expect(messages.join('\n')).toMatch(/llm.temperature/);
  });

  it('an info function that throws runs the call untraced', async () => {
    quietDiagnostics();
    telemetry = useInMemoryTelemetry();
    const double = wrapToolCall(
      () => {
        throw new Error('no name');
      },
      (x: number) => x * 2,
    );
    expect(double(4)).toBe(8);
    expect(await telemetry.spans()).toEqual([]);
  });

  it('a thrown non-Error value passes through unchanged', async () => {
    telemetry = useInMemoryTelemetry();
    const thrown = { code: 7 };
    await expect(traceLlmCall(LLM, async () => Promise.reject(thrown))).rejects.toBe(thrown);
    // An object that is no Error and names no type: the conventions' value for an unknown type.
    expect(await telemetry.points('llm.errors.total')).toEqual([{ attributes: { model: 'gpt-4o', provider: 'openai', error_type: '_OTHER' }, value: 1 }]);
  });
});

describe('the helpers never throw into the application', () => {
  const helpers: ReadonlyArray<[string, (info: never, fn: () => unknown) => unknown]> = [
    ['traceLlmCall', (info, fn) => traceLlmCall(info, fn)],
    ['traceAgentRun', (info, fn) => traceAgentRun(info, fn)],
    ['traceToolCall', (info, fn) => traceToolCall(info, fn)],
    ['traceWorkflow', (info, fn) => traceWorkflow(info, fn)],
    ['traceNode', (info, fn) => traceNode(info, fn)],
    ['traceRouterDecision', (info, fn) => traceRouterDecision(info, fn as () => string)],
  ];

  it.each(helpers.flatMap(([name, helper]) => [[name, helper, null] as const, [name, helper, undefined] as const]))(
    '%s(%s, fn) runs fn, returns its value untraced, and warns once naming the helper',
    async (name, helper, info) => {
      const messages = quietDiagnostics();
      telemetry = useInMemoryTelemetry();
      let ran = 0;
      const result = () => {
        ran += 1;
        return 'route';
      };
      expect(helper(info as never, result)).toBe('route');
      expect(helper(info as never, result)).toBe('route');
      expect(ran).toBe(2);
      expect(await telemetry.spans()).toEqual([]);
      expect(messages.filter((message) => message.includes(`${name} was given ${String(info)} instead of its info object`))).toHaveLength(1);
    },
  );

  it('traceLlmStream(undefined, open) streams the chunks untraced', async () => {
    quietDiagnostics();
    telemetry = useInMemoryTelemetry();
    const received: string[] = [];
    for await (const chunk of traceLlmStream(undefined as never, async function* () {
      yield 'a';
      yield 'b';
    })) {
      received.push(chunk);
    }
    expect(received).toEqual(['a', 'b']);
    expect(await telemetry.spans()).toEqual([]);
  });

  it('a thenable returned by the wrapped function resolves to its value, its then called once', async () => {
    telemetry = useInMemoryTelemetry();
    let calls = 0;
    const thenable = {
      then(resolve: (value: string) => void) {
        calls += 1;
        setTimeout(() => resolve('from the thenable'), 1);
      },
    };
    expect(await traceToolCall({ name: 'lookup' }, () => thenable)).toBe('from the thenable');
    expect(calls).toBe(1);
    expect((await telemetry.span('execute_tool lookup')).status.code).toBe(0);
  });

  it('a promise of a subclass comes back itself, its own members kept, and is recorded when the caller consumes it', async () => {
    telemetry = useInMemoryTelemetry();
    const response = new Response('{}', { status: 200 });
    let reads = 0;
    class ApiPromise<T> extends Promise<T> {
      override then<A = T, B = never>(onFulfilled?: ((value: T) => A | PromiseLike<A>) | null, onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<A | B> {
        reads += 1;
        return super.then(onFulfilled, onRejected);
      }
      withResponse(): Promise<{ data: T; response: Response }> {
        return this.then((data) => ({ data, response }));
      }
    }
    const reply = { model: 'gpt-4o', choices: [{ message: { role: 'assistant', content: 'ok' } }], usage: { prompt_tokens: 4, completion_tokens: 2 } };
    const created = new ApiPromise<typeof reply>((resolve) => setTimeout(() => resolve(reply), 1));
    const returned = traceLlmCall(LLM, () => created);
    expect(returned).toBe(created);
    // Nothing reads it before the caller does (an SDK's then parses the body).
    expect(reads).toBe(0);
    expect(await returned.withResponse()).toEqual({ data: reply, response });
    expect((await telemetry.span('chat gpt-4o')).attributes['gen_ai.usage.input_tokens']).toBe(4);
    // Once consumed, the instance is as it was: its methods are its class's again.
    expect(Object.getOwnPropertyNames(returned)).toEqual([]);
  });

  it('a frozen promise of a subclass is observed at once, through its own then', async () => {
    telemetry = useInMemoryTelemetry();
    class ApiPromise<T> extends Promise<T> {}
    const reply = { model: 'gpt-4o', choices: [{ message: { role: 'assistant', content: 'ok' } }], usage: { prompt_tokens: 4, completion_tokens: 2 } };
    const created = Object.freeze(new ApiPromise<typeof reply>((resolve) => setTimeout(() => resolve(reply), 1)));
    expect(traceLlmCall(LLM, () => created)).toBe(created);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect((await telemetry.span('chat gpt-4o')).attributes['gen_ai.usage.input_tokens']).toBe(4);
  });

  it('a Proxy returned synchronously comes back unchanged, even when reading it throws or it is revoked', async () => {
    quietDiagnostics();
    telemetry = useInMemoryTelemetry();
    const { proxy: revoked, revoke } = Proxy.revocable({}, {});
    revoke();
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('no reading me');
        },
      },
    );
    expect(traceToolCall({ name: 'revoked' }, () => revoked)).toBe(revoked);
    expect(traceLlmCall(LLM, () => hostile)).toBe(hostile);
    expect((await telemetry.span('execute_tool revoked')).status.code).toBe(0);
  });

  it.each([
    ['an object without a prototype', () => Object.create(null) as unknown],
    ['an object whose name getter throws', () => ({ get name(): string { throw new Error('no name'); }, get message(): string { throw new Error('no message'); } })],
    ['an Error whose name getter throws', () => Object.defineProperty(new Error('x'), 'name', { get() { throw new Error('no name'); } })],
  ])('a thrown %s sets status ERROR with error.type _OTHER, and is rethrown as it was', async (_case, make) => {
    quietDiagnostics();
    telemetry = useInMemoryTelemetry();
    const thrown = make();
    await expect(traceToolCall({ name: 'odd' }, async () => Promise.reject(thrown))).rejects.toBe(thrown);
    const span = await telemetry.span('execute_tool odd');
    expect(span.status.code).toBe(2);
    expect(span.attributes['error.type']).toBe('_OTHER');
  });

  it('an Error whose message getter throws still sets status ERROR and its class', async () => {
    quietDiagnostics();
    telemetry = useInMemoryTelemetry();
    const thrown = Object.defineProperty(new DomainError(), 'message', { get() { throw new Error('no message'); } });
    await expect(traceToolCall({ name: 'odd' }, async () => Promise.reject(thrown))).rejects.toBe(thrown);
    const span = await telemetry.span('execute_tool odd');
    expect(span.status.code).toBe(2);
    expect(span.attributes['error.type']).toBe('DomainError');
  });
});
