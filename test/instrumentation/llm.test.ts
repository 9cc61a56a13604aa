/**
 * traceLlmCall / wrapLlmCall: the generate span, request/error counters,
 * latency and token metrics in both conventions, provider mapping.
 */
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { genAiProviderName, traceLlmCall, wrapLlmCall } from '../../src/instrumentation/index.ts';
import { setConventions } from '../../src/runtime/bind.ts';
import { captureDiagnostics } from '../support/harness.ts';
import { useInMemoryTelemetry, type InMemoryTelemetry } from '../support/in-memory.ts';

class RateLimitError extends Error {}

const OPENAI = { provider: 'openai', model: 'gpt-4o', temperature: 0.2 };
const FLO = { model: 'gpt-4o', provider: 'openai' };
const GEN_AI = { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o' };
const completion = (usage: object) => ({ choices: [{ message: { role: 'assistant', content: 'Hi!' } }], usage });

let telemetry: InMemoryTelemetry;
beforeEach(() => {
  setConventions('both');
  telemetry = useInMemoryTelemetry();
});
afterEach(async () => {
  await telemetry.shutdown();
  setConventions('both');
});

describe('a successful call', () => {
  it('returns the response itself and records the generate span', async () => {
    const response = completion({ prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 });
    const result = await traceLlmCall(OPENAI, async () => response);
    expect(result).toBe(response);

    // Both conventions (the default): named and shaped as the GenAI inference span, flo_ai's keys beside GenAI's.
    const span = await telemetry.span('chat gpt-4o');
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.attributes).toEqual({
      'gen_ai.operation.name': 'chat',
      'llm.provider': 'openai',
      'gen_ai.provider.name': 'openai',
      'llm.model': 'gpt-4o',
      'gen_ai.request.model': 'gpt-4o',
      'llm.temperature': 0.2,
      'gen_ai.request.temperature': 0.2,
      'llm.response.received': true,
      'llm.usage.prompt_tokens': 12,
      'gen_ai.usage.input_tokens': 12,
      'llm.usage.completion_tokens': 5,
      'gen_ai.usage.output_tokens': 5,
      'llm.usage.total_tokens': 17,
    });
  });

  it('records the flo metrics with their flat attributes', async () => {
    await traceLlmCall(OPENAI, async () => completion({ prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 }));

    expect(await telemetry.points('llm.requests.total')).toEqual([{ attributes: { ...FLO, status: 'success' }, value: 1 }]);
    expect(await telemetry.points('llm.tokens.prompt')).toEqual([{ attributes: FLO, value: 12 }]);
    expect(await telemetry.points('llm.tokens.completion')).toEqual([{ attributes: FLO, value: 5 }]);
    expect(await telemetry.points('llm.tokens.total')).toEqual([{ attributes: FLO, value: 17 }]);
    const [duration] = await telemetry.points('llm.request.duration');
    expect(duration?.attributes).toEqual(FLO);
    expect(duration?.value).toMatchObject({ count: 1 });
    expect(await telemetry.points('llm.errors.total')).toEqual([]);
  });

  it('records the GenAI metrics: duration in seconds, token usage per token type', async () => {
    await traceLlmCall(OPENAI, async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return completion({ prompt_tokens: 12, completion_tokens: 5 });
    });

    const milliseconds = await telemetry.histogram('llm.request.duration');
    const seconds = await telemetry.histogram('gen_ai.client.operation.duration', GEN_AI);
    expect(seconds.count).toBe(1);
    expect(milliseconds.sum).toBeGreaterThanOrEqual(15);
    expect(seconds.sum * 1000).toBeCloseTo(milliseconds.sum, 0);
    expect(await telemetry.histogram('gen_ai.client.token.usage', { ...GEN_AI, 'gen_ai.token.type': 'input' })).toEqual({ count: 1, sum: 12 });
    expect(await telemetry.histogram('gen_ai.client.token.usage', { ...GEN_AI, 'gen_ai.token.type': 'output' })).toEqual({ count: 1, sum: 5 });
    // No total reported: derived from the parts, on the span and the flo counter.
    expect(await telemetry.counter('llm.tokens.total')).toBe(17);
    expect((await telemetry.span('chat gpt-4o')).attributes['llm.usage.total_tokens']).toBe(17);
  });

  it('conforms to the spec', async () => {
    await traceLlmCall(OPENAI, async () => completion({ prompt_tokens: 1, completion_tokens: 1 }));
    await expect(traceLlmCall(OPENAI, async () => Promise.reject(new RateLimitError('429')))).rejects.toThrow();
    expect(await telemetry.telemetry()).toConformToSpec();
  });

  it('stays synchronous when the call is', async () => {
    const result = traceLlmCall(OPENAI, () => 'plain text answer');
    expect(result).toBe('plain text answer');
    expect((await telemetry.span('chat gpt-4o')).attributes['llm.response.received']).toBe(true);
  });

  it('is a child of the active span, and the call runs with the generate span active', async () => {
    const tracer = telemetry.tracerProvider.getTracer('test');
    let activeInside: string | undefined;
    await tracer.startActiveSpan('parent', async (parent) => {
      await traceLlmCall(OPENAI, async (span) => {
        activeInside = trace.getActiveSpan()?.spanContext().spanId;
        expect(span.otelSpan?.spanContext().spanId).toBe(activeInside);
        return 'ok';
      });
      parent.end();
    });
    const generate = await telemetry.span('chat gpt-4o');
    expect(generate.spanContext().spanId).toBe(activeInside);
    expect(generate.parentSpanContext?.spanId).toBe((await telemetry.span('parent')).spanContext().spanId);
  });
});

describe('token usage', () => {
  it('records no token metric and no usage attribute when the response reports none', async () => {
    await traceLlmCall(OPENAI, async () => ({ choices: [] }));
    for (const name of ['llm.tokens.prompt', 'llm.tokens.completion', 'llm.tokens.total', 'gen_ai.client.token.usage']) {
      expect(await telemetry.points(name)).toEqual([]);
    }
    expect(Object.keys((await telemetry.span('chat gpt-4o')).attributes).filter((key) => key.includes('usage'))).toEqual([]);
  });

  it('increments flo token counters only by counts above zero, as flo_ai does', async () => {
    await traceLlmCall(OPENAI, async () => completion({ prompt_tokens: 7, completion_tokens: 0, total_tokens: 7 }));
    expect(await telemetry.points('llm.tokens.completion')).toEqual([]);
    expect(await telemetry.counter('llm.tokens.prompt')).toBe(7);
    // The span and the GenAI histogram keep the reported zero.
    expect((await telemetry.span('chat gpt-4o')).attributes['llm.usage.completion_tokens']).toBe(0);
    expect(await telemetry.histogram('gen_ai.client.token.usage', { 'gen_ai.token.type': 'output' })).toEqual({ count: 1, sum: 0 });
  });

  it('takes usage from the option when given', async () => {
    const response = { text: 'hi', meta: { in: 3, out: 4 } };
    await traceLlmCall(OPENAI, async () => response, { usage: (result) => ({ promptTokens: result.meta.in, completionTokens: result.meta.out }) });
    expect(await telemetry.counter('llm.tokens.total')).toBe(7);
    expect(await telemetry.counter('llm.tokens.completion')).toBe(4);
  });

  it('reads usage a framework returns in the kit shape', async () => {
    await traceLlmCall(OPENAI, async () => ({ text: 'hi', usage: { promptTokens: 2, completionTokens: 3, totalTokens: 5 } }));
    expect(await telemetry.counter('llm.tokens.total')).toBe(5);
  });

  it('drops impossible counts from a usage option', async () => {
    await traceLlmCall(OPENAI, async () => 'x', { usage: () => ({ promptTokens: -1, completionTokens: 2.5, totalTokens: Number.NaN }) });
    expect(await telemetry.points('llm.tokens.prompt')).toEqual([]);
    expect(await telemetry.points('llm.tokens.total')).toEqual([]);
  });
});

describe('a failed call', () => {
  it('rethrows the very error and records span error, request and error counters', async () => {
    const error = new RateLimitError('429 Too Many Requests');
    const failing = traceLlmCall(OPENAI, async () => {
      throw error;
    });
    await expect(failing).rejects.toBe(error);

    const span = await telemetry.span('chat gpt-4o');
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: '429 Too Many Requests' });
    expect(span.attributes['error.type']).toBe('RateLimitError');
    expect(span.attributes['llm.response.received']).toBe(false);
    expect(span.events.map((event) => event.name)).toEqual(['exception']);
    expect(await telemetry.points('llm.requests.total')).toEqual([{ attributes: { ...FLO, status: 'error' }, value: 1 }]);
    expect(await telemetry.points('llm.errors.total')).toEqual([{ attributes: { ...FLO, error_type: 'RateLimitError' }, value: 1 }]);
  });

  it('records GenAI duration with error.type, and no flo latency for the failure', async () => {
    expect(() =>
      traceLlmCall(OPENAI, () => {
        throw new TypeError('bad');
      }),
    ).toThrow(TypeError);
    expect(await telemetry.points('llm.request.duration')).toEqual([]);
    expect(await telemetry.histogram('gen_ai.client.operation.duration', { ...GEN_AI, 'error.type': 'TypeError' })).toMatchObject({ count: 1 });
  });
});

describe('conventions', () => {
  it('flo: no GenAI metric and no GenAI span attribute', async () => {
    setConventions('flo');
    await traceLlmCall({ provider: 'gemini', model: 'gemini-2.5-pro' }, async () => ({ usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 4 } }));
    const names = (await telemetry.metrics()).map((metric) => metric.descriptor.name).sort();
    expect(names).toEqual(['llm.request.duration', 'llm.requests.total', 'llm.tokens.completion', 'llm.tokens.prompt', 'llm.tokens.total']);
    expect(Object.keys((await telemetry.span('llm.gemini.generate')).attributes).filter((key) => key.startsWith('gen_ai.'))).toEqual([]);
  });

  it('gen_ai: only the GenAI names, metrics and span shape', async () => {
    setConventions('gen_ai');
    await traceLlmCall({ provider: 'gemini', model: 'gemini-2.5-pro' }, async () => ({ usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 4 } }));
    const names = (await telemetry.metrics()).map((metric) => metric.descriptor.name).sort();
    expect(names).toEqual(['gen_ai.client.operation.duration', 'gen_ai.client.token.usage']);
    const span = await telemetry.span('chat gemini-2.5-pro');
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(Object.keys(span.attributes).filter((key) => !key.startsWith('gen_ai.'))).toEqual([]);
    expect(span.attributes).toMatchObject({ 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'gcp.gemini', 'gen_ai.request.model': 'gemini-2.5-pro', 'gen_ai.usage.input_tokens': 3, 'gen_ai.usage.output_tokens': 4 });
  });

  it('ignores an unknown setting', () => {
    const diagnostics = captureDiagnostics();
    setConventions('otel' as never);
    diagnostics.restore();
    expect(diagnostics.messages.join('\n')).toMatch(/unknown conventions "otel"/);
  });
});

describe('provider names', () => {
  it('maps framework names onto gen_ai.provider.name and passes unknown ones through', () => {
    expect(genAiProviderName('openai')).toBe('openai');
    expect(genAiProviderName('OpenAILLM')).toBe('openai');
    expect(genAiProviderName('Gemini')).toBe('gcp.gemini');
    expect(genAiProviderName('google-genai')).toBe('gcp.gemini');
    expect(genAiProviderName('VertexAI')).toBe('gcp.vertex_ai');
    expect(genAiProviderName('ChatAnthropic')).toBe('anthropic');
    expect(genAiProviderName('Claude')).toBe('anthropic');
    expect(genAiProviderName('azure_openai')).toBe('azure.ai.openai');
    expect(genAiProviderName('bedrock')).toBe('aws.bedrock');
    expect(genAiProviderName('MistralAI')).toBe('mistral_ai');
    expect(genAiProviderName('ollama')).toBe('ollama');
    expect(genAiProviderName('MyLab-Model')).toBe('MyLab-Model');
  });

  it('names the span after the given provider but gives GenAI keys the mapped one', async () => {
    await traceLlmCall({ provider: 'gemini', model: 'gemini-2.5-flash' }, async () => 'ok');
    const span = await telemetry.span('chat gemini-2.5-flash');
    expect(span.attributes['llm.provider']).toBe('gemini');
    expect(span.attributes['gen_ai.provider.name']).toBe('gcp.gemini');
    const [point] = await telemetry.points('gen_ai.client.operation.duration');
    expect(point?.attributes['gen_ai.provider.name']).toBe('gcp.gemini');
    expect((await telemetry.points('llm.requests.total'))[0]?.attributes).toMatchObject({ provider: 'gemini' });
  });
});

describe('wrapLlmCall', () => {
  class Client {
    readonly model = 'claude-sonnet-4-5';
    calls: string[] = [];
    async complete(prompt: string, maxTokens: number): Promise<{ text: string; usage: object }> {
      this.calls.push(prompt);
      return { text: `${prompt}:${maxTokens}`, usage: { input_tokens: 10, output_tokens: maxTokens } };
    }
  }

  it('keeps this, arguments, result and name; computes info per call', async () => {
    const client = new Client();
    const complete = wrapLlmCall((self: Client, [prompt]) => ({ provider: 'anthropic', model: self.model, prompt }), client.complete);
    expect(complete.name).toBe('complete');
    const result = await complete.call(client, 'hello', 3);
    expect(result.text).toBe('hello:3');
    expect(client.calls).toEqual(['hello']);
    const span = await telemetry.span('chat claude-sonnet-4-5');
    expect(span.attributes['llm.model']).toBe('claude-sonnet-4-5');
    expect(span.attributes['llm.usage.completion_tokens']).toBe(3);
    // Content capture is off by default: the prompt is not recorded.
    expect(span.attributes['llm.request.content']).toBeUndefined();
  });

  it('runs the function untraced when the info function throws', async () => {
    const diagnostics = captureDiagnostics();
    const wrapped = wrapLlmCall(
      () => {
        throw new Error('no model configured');
      },
      async (x: number) => x * 2,
    );
    expect(await wrapped(21)).toBe(42);
    diagnostics.restore();
    expect(await telemetry.spans()).toEqual([]);
    expect(diagnostics.messages.join('\n')).toMatch(/info function threw Error; the call ran untraced/);
  });
});

describe('while telemetry is off', () => {
  it('calls through and records nothing', async () => {
    await telemetry.shutdown();
    telemetry = useInMemoryTelemetry({ bind: false });
    expect(await traceLlmCall(OPENAI, async (span) => (span.isRecording ? 'recording' : 'not recording'))).toBe('not recording');
    expect(await telemetry.spans()).toEqual([]);
    expect(await telemetry.metrics()).toEqual([]);
  });
});
