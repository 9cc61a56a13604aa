/**
 * traceLlmStream: consumed to the end, stopped early, failing, never
 * consumed; chunk count, time to first chunk, usage from the final chunk.
 */
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { traceLlmStream, wrapLlmStream } from '../../src/instrumentation/index.ts';
import { setConventions } from '../../src/runtime/bind.ts';
import { useInMemoryTelemetry, type InMemoryTelemetry } from '../support/in-memory.ts';

const LLM = { provider: 'openai', model: 'gpt-4o-mini', temperature: 0 };
const FLO = { model: 'gpt-4o-mini', provider: 'openai' };
/** Both conventions (the default): the GenAI inference span's name, `{gen_ai.operation.name} {gen_ai.request.model}`. */
const SPAN = 'chat gpt-4o-mini';

class StreamBrokenError extends Error {}

/** A provider stream that records how it was used. */
class FakeStream<C> implements AsyncIterable<C> {
  pulled = 0;
  returned = 0;
  readonly chunks: readonly C[];
  readonly behaviour: { failAfter?: number; error?: unknown; delayMs?: number; returnThrows?: unknown };
  constructor(chunks: readonly C[], behaviour: FakeStream<C>['behaviour'] = {}) {
    this.chunks = chunks;
    this.behaviour = behaviour;
  }

  [Symbol.asyncIterator](): AsyncIterator<C> {
    return {
      next: async () => {
        if (this.behaviour.delayMs) await new Promise((resolve) => setTimeout(resolve, this.behaviour.delayMs));
        if (this.behaviour.failAfter !== undefined && this.pulled >= this.behaviour.failAfter) throw this.behaviour.error;
        const chunk = this.chunks[this.pulled];
        if (chunk === undefined) return { done: true, value: undefined };
        this.pulled += 1;
        return { done: false, value: chunk };
      },
      return: async () => {
        this.returned += 1;
        if (this.behaviour.returnThrows !== undefined) throw this.behaviour.returnThrows;
        return { done: true, value: undefined };
      },
    };
  }
}

async function collect<C>(stream: AsyncIterable<C>): Promise<C[]> {
  const chunks: C[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

let telemetry: InMemoryTelemetry;
beforeEach(() => {
  setConventions('both');
  telemetry = useInMemoryTelemetry();
});
afterEach(async () => {
  await telemetry.shutdown();
});

describe('consumed to the end', () => {
  it('passes every chunk through and records the stream span', async () => {
    const source = new FakeStream(['a', 'b', 'c'], { delayMs: 5 });
    expect(await collect(traceLlmStream(LLM, () => source))).toEqual(['a', 'b', 'c']);

    const span = await telemetry.span(SPAN);
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.stream': true,
      'llm.provider': 'openai',
      'llm.model': 'gpt-4o-mini',
      'llm.temperature': 0,
      'llm.operation': 'stream',
      'llm.stream.chunks': 3,
      'llm.stream.completed': true,
    });
    const ttfc = span.attributes['llm.stream.time_to_first_chunk_ms'] as number;
    const duration = span.attributes['llm.stream.duration_ms'] as number;
    expect(ttfc).toBeGreaterThanOrEqual(4);
    expect(duration).toBeGreaterThan(ttfc);
    expect(span.attributes['gen_ai.response.time_to_first_chunk']).toBeCloseTo(ttfc / 1000, 9);
    expect(source.returned).toBe(0);
  });

  it('records start and success, chunks, duration and time to first chunk', async () => {
    await collect(traceLlmStream(LLM, () => new FakeStream([1, 2, 3])));
    expect(await telemetry.points('llm.streams.total')).toEqual([
      { attributes: { ...FLO, status: 'start' }, value: 1 },
      { attributes: { ...FLO, status: 'success' }, value: 1 },
    ]);
    expect(await telemetry.points('llm.stream.chunks.total')).toEqual([{ attributes: FLO, value: 3 }]);
    expect(await telemetry.histogram('llm.stream.duration', FLO)).toMatchObject({ count: 1 });
    expect(await telemetry.histogram('llm.stream.time_to_first_chunk', FLO)).toMatchObject({ count: 1 });
    const genAi = { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini' };
    expect(await telemetry.histogram('gen_ai.client.operation.time_to_first_chunk', genAi)).toMatchObject({ count: 1 });
    expect(await telemetry.histogram('gen_ai.client.operation.duration', genAi)).toMatchObject({ count: 1 });
    expect(await telemetry.points('llm.errors.total')).toEqual([]);
    expect(await telemetry.telemetry()).toConformToSpec();
  });

  it('reads usage from OpenAI\'s final include_usage chunk', async () => {
    const chunks = [
      { choices: [{ delta: { content: 'Hel' } }] },
      { choices: [{ delta: { content: 'lo' } }] },
      { choices: [], usage: { prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 } },
    ];
    await collect(traceLlmStream(LLM, () => new FakeStream(chunks)));
    const span = await telemetry.span(SPAN);
    expect(span.attributes).toMatchObject({ 'llm.usage.prompt_tokens': 9, 'llm.usage.completion_tokens': 2, 'llm.usage.total_tokens': 11 });
    expect(await telemetry.counter('llm.tokens.total')).toBe(11);
    expect(await telemetry.counter('llm.tokens.prompt')).toBe(9);
  });

  it("folds Anthropic's usage events: input from message_start, running output from message_delta", async () => {
    const events = [
      { type: 'message_start', message: { usage: { input_tokens: 10, cache_read_input_tokens: 5, output_tokens: 1 } } },
      { type: 'content_block_delta', delta: { type: 'text_delta', text: 'Hi' } },
      { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 20 } },
      { type: 'message_stop' },
    ];
    await collect(traceLlmStream({ provider: 'anthropic', model: 'claude-haiku-4-5' }, () => new FakeStream(events)));
    const span = await telemetry.span('chat claude-haiku-4-5');
    expect(span.attributes).toMatchObject({ 'llm.usage.prompt_tokens': 15, 'llm.usage.completion_tokens': 20, 'llm.usage.total_tokens': 35 });
  });

  it('records no token metric when no chunk reports usage', async () => {
    await collect(traceLlmStream(LLM, () => new FakeStream(['x'])));
    expect(await telemetry.points('llm.tokens.total')).toEqual([]);
    expect(await telemetry.points('gen_ai.client.token.usage')).toEqual([]);
  });

  it('takes usage from the option, per chunk', async () => {
    const chunks = [{ n: 1 }, { n: 2, final: { i: 4, o: 6 } }];
    await collect(traceLlmStream(LLM, () => new FakeStream(chunks), { usage: (chunk) => (chunk.final ? { promptTokens: chunk.final.i, completionTokens: chunk.final.o } : undefined) }));
    expect(await telemetry.counter('llm.tokens.total')).toBe(10);
  });
});

describe('stopped early by the consumer', () => {
  it('closes the source, ends the span with completed=false, and is not an error', async () => {
    const source = new FakeStream(['a', 'b', 'c', 'd', 'e']);
    const seen: string[] = [];
    for await (const chunk of traceLlmStream(LLM, () => source)) {
      seen.push(chunk);
      if (seen.length === 2) break;
    }
    expect(seen).toEqual(['a', 'b']);
    expect(source.returned).toBe(1);
    const span = await telemetry.span(SPAN);
    expect(span.attributes).toMatchObject({ 'llm.stream.chunks': 2, 'llm.stream.completed': false });
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(await telemetry.counter('llm.streams.total', { status: 'success' })).toBe(1);
    expect(await telemetry.counter('llm.streams.total', { status: 'error' })).toBe(0);
    expect(await telemetry.points('llm.errors.total')).toEqual([]);
    expect(await telemetry.counter('llm.stream.chunks.total')).toBe(2);
  });

  it('lets an error thrown in the loop body through unchanged, as an early stop', async () => {
    const source = new FakeStream(['a', 'b']);
    const bodyError = new Error('consumer bug');
    await expect(
      (async () => {
        for await (const _chunk of traceLlmStream(LLM, () => source)) throw bodyError;
      })(),
    ).rejects.toBe(bodyError);
    expect(source.returned).toBe(1);
    expect((await telemetry.span(SPAN)).attributes['llm.stream.completed']).toBe(false);
    expect(await telemetry.points('llm.errors.total')).toEqual([]);
  });

  it('reports a source that fails to close as the stream error', async () => {
    const closeError = new StreamBrokenError('socket reset on close');
    const source = new FakeStream(['a', 'b'], { returnThrows: closeError });
    await expect(
      (async () => {
        for await (const _chunk of traceLlmStream(LLM, () => source)) break;
      })(),
    ).rejects.toBe(closeError);
    expect((await telemetry.span(SPAN)).attributes['error.type']).toBe('StreamBrokenError');
    expect(await telemetry.counter('llm.streams.total', { status: 'error' })).toBe(1);
  });

  it('return() before the first next() starts nothing', async () => {
    let opened = 0;
    const iterator = traceLlmStream(LLM, () => {
      opened += 1;
      return new FakeStream(['a']);
    })[Symbol.asyncIterator]();
    expect(await iterator.return(undefined)).toEqual({ done: true, value: undefined });
    expect(opened).toBe(0);
    expect(await telemetry.spans()).toEqual([]);
    expect(await telemetry.metrics()).toEqual([]);
  });
});

describe('failing', () => {
  it('rethrows the source error unchanged and records it', async () => {
    const error = new StreamBrokenError('connection reset');
    const source = new FakeStream(['a', 'b', 'c'], { failAfter: 2, error });
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const chunk of traceLlmStream(LLM, () => source)) seen.push(chunk);
      })(),
    ).rejects.toBe(error);
    expect(seen).toEqual(['a', 'b']);
    // A source that threw is finished: it is not closed again.
    expect(source.returned).toBe(0);

    const span = await telemetry.span(SPAN);
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'connection reset' });
    expect(span.attributes).toMatchObject({ 'error.type': 'StreamBrokenError', 'llm.stream.chunks': 2, 'llm.stream.completed': false });
    expect(await telemetry.points('llm.streams.total')).toEqual([
      { attributes: { ...FLO, status: 'start' }, value: 1 },
      { attributes: { ...FLO, status: 'error' }, value: 1 },
    ]);
    expect(await telemetry.points('llm.errors.total')).toEqual([{ attributes: { ...FLO, error_type: 'StreamBrokenError' }, value: 1 }]);
    expect(await telemetry.points('llm.stream.duration')).toEqual([]);
    expect(await telemetry.telemetry()).toConformToSpec();
  });

  it.each([
    ['throws', () => { throw new StreamBrokenError('401'); }],
    ['rejects', async () => { throw new StreamBrokenError('401'); }],
  ])('records an open that %s as a failed stream', async (_how, open) => {
    const stream = traceLlmStream(LLM, open as unknown as () => AsyncIterable<string>);
    await expect(collect(stream)).rejects.toThrow(StreamBrokenError);
    const span = await telemetry.span(SPAN);
    expect(span.attributes).toMatchObject({ 'error.type': 'StreamBrokenError', 'llm.stream.chunks': 0 });
    expect(span.attributes['llm.stream.time_to_first_chunk_ms']).toBeUndefined();
    expect(await telemetry.counter('llm.streams.total', { status: 'error' })).toBe(1);
  });

  it('an error thrown into the traced iterator closes the source and is recorded', async () => {
    const source = new FakeStream(['a', 'b']);
    const iterator = traceLlmStream(LLM, () => source)[Symbol.asyncIterator]();
    await iterator.next();
    const injected = new Error('cancelled by caller');
    await expect(iterator.throw(injected)).rejects.toBe(injected);
    expect(source.returned).toBe(1);
    expect((await telemetry.span(SPAN)).attributes['error.type']).toBe('Error');
  });
});

describe('never consumed', () => {
  it('opens nothing, starts no span and records nothing', async () => {
    let opened = 0;
    traceLlmStream(LLM, () => {
      opened += 1;
      return new FakeStream(['a']);
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(opened).toBe(0);
    expect(await telemetry.spans()).toEqual([]);
    expect(await telemetry.metrics()).toEqual([]);
  });
});

describe('context', () => {
  it('is a child of the span active where it was created, and open/next run with the stream span active', async () => {
    const tracer = telemetry.tracerProvider.getTracer('test');
    let activeInOpen: string | undefined;
    let activeInNext: string | undefined;
    const source: AsyncIterable<string> = {
      [Symbol.asyncIterator]: () => {
        let sent = false;
        return {
          next: async () => {
            activeInNext = trace.getActiveSpan()?.spanContext().spanId;
            if (sent) return { done: true, value: undefined };
            sent = true;
            return { done: false, value: 'x' };
          },
        };
      },
    };
    const stream = tracer.startActiveSpan('agent', (agent) => {
      agent.end();
      return traceLlmStream(LLM, () => {
        activeInOpen = trace.getActiveSpan()?.spanContext().spanId;
        return source;
      });
    });
    // Consumed outside the agent's context, as a caller would.
    await collect(stream);
    const streamSpan = await telemetry.span(SPAN);
    expect(streamSpan.parentSpanContext?.spanId).toBe((await telemetry.span('agent')).spanContext().spanId);
    expect(activeInOpen).toBe(streamSpan.spanContext().spanId);
    expect(activeInNext).toBe(streamSpan.spanContext().spanId);
  });

  it('is one request: opened once, and a second iteration yields nothing, like any generator', async () => {
    let opened = 0;
    const stream = traceLlmStream(LLM, () => {
      opened += 1;
      return new FakeStream(['a']);
    });
    expect(await collect(stream)).toEqual(['a']);
    expect(await collect(stream)).toEqual([]);
    expect(opened).toBe(1);
    expect((await telemetry.spans()).map((span) => span.name)).toEqual([SPAN]);
  });

  it('queues concurrent next() calls like an async generator', async () => {
    const iterator = traceLlmStream(LLM, () => new FakeStream(['a', 'b'], { delayMs: 2 }))[Symbol.asyncIterator]();
    const steps = await Promise.all([iterator.next(), iterator.next(), iterator.next()]);
    expect(steps).toEqual([
      { done: false, value: 'a' },
      { done: false, value: 'b' },
      { done: true, value: undefined },
    ]);
    expect((await telemetry.span(SPAN)).attributes['llm.stream.chunks']).toBe(2);
  });
});

describe('wrapLlmStream', () => {
  class Client {
    readonly model: string;
    constructor(model: string) {
      this.model = model;
    }
    async *stream(prompt: string): AsyncGenerator<string> {
      for (const word of prompt.split(' ')) yield `${this.model}:${word}`;
    }
  }

  it('keeps this and arguments, and only calls the function when iteration starts', async () => {
    const client = new Client('llama3.2');
    let calls = 0;
    const original = client.stream;
    const stream = wrapLlmStream((self: Client) => ({ provider: 'ollama', model: self.model }), function (this: Client, prompt: string) {
      calls += 1;
      return original.call(this, prompt);
    });
    const iterable = stream.call(client, 'hi there');
    expect(calls).toBe(0);
    expect(await collect(iterable)).toEqual(['llama3.2:hi', 'llama3.2:there']);
    expect(calls).toBe(1);
    expect((await telemetry.span('chat llama3.2')).attributes['llm.stream.chunks']).toBe(2);
  });
});

describe('while telemetry is off', () => {
  it('passes chunks through and records nothing', async () => {
    await telemetry.shutdown();
    telemetry = useInMemoryTelemetry({ bind: false });
    const source = new FakeStream(['a', 'b', 'c']);
    for await (const _chunk of traceLlmStream(LLM, () => source)) break;
    expect(source.returned).toBe(1);
    expect(await collect(traceLlmStream(LLM, () => new FakeStream(['x', 'y'])))).toEqual(['x', 'y']);
    expect(await telemetry.spans()).toEqual([]);
    expect(await telemetry.metrics()).toEqual([]);
  });
});
