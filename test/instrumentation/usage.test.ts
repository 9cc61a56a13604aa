/**
 * extractUsage over each provider's documented response shape, and the
 * completion-text readers content capture uses.
 */
import { describe, expect, it } from 'vitest';
import { extractChunkText, extractCompletionText, extractUsage, mergeUsage, normalizeUsage } from '../../src/instrumentation/index.ts';

describe('extractUsage', () => {
  it('OpenAI Chat Completions', () => {
    const response = {
      id: 'chatcmpl-1',
      object: 'chat.completion',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hi' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 19, completion_tokens: 10, total_tokens: 29, prompt_tokens_details: { cached_tokens: 4 }, completion_tokens_details: { reasoning_tokens: 0 } },
    };
    expect(extractUsage(response)).toEqual({ promptTokens: 19, completionTokens: 10, totalTokens: 29, cacheReadTokens: 4 });
  });

  it('OpenAI Responses API', () => {
    const response = {
      object: 'response',
      output_text: 'Hi',
      usage: { input_tokens: 36, input_tokens_details: { cached_tokens: 0 }, output_tokens: 87, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 123 },
    };
    expect(extractUsage(response)).toEqual({ promptTokens: 36, completionTokens: 87, totalTokens: 123, cacheReadTokens: 0 });
  });

  it('Anthropic Messages: cache tokens are added to the prompt, total derived', () => {
    const response = {
      type: 'message',
      content: [{ type: 'text', text: 'Hi' }],
      usage: { input_tokens: 10, cache_read_input_tokens: 100, cache_creation_input_tokens: 20, output_tokens: 15 },
    };
    expect(extractUsage(response)).toEqual({ promptTokens: 130, completionTokens: 15, totalTokens: 145, cacheReadTokens: 100, cacheCreationTokens: 20 });
  });

  it('Anthropic without cache fields', () => {
    expect(extractUsage({ usage: { input_tokens: 8, output_tokens: 2 } })).toEqual({ promptTokens: 8, completionTokens: 2, totalTokens: 10 });
  });

  it('Gemini: thinking tokens count as completion', () => {
    const response = {
      candidates: [{ content: { parts: [{ text: 'Hi' }], role: 'model' } }],
      usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 7, thoughtsTokenCount: 3, totalTokenCount: 15, cachedContentTokenCount: 2 },
    };
    expect(extractUsage(response)).toEqual({ promptTokens: 5, completionTokens: 10, totalTokens: 15, cacheReadTokens: 2 });
  });

  it('Ollama', () => {
    const response = { model: 'llama3.2', message: { role: 'assistant', content: 'Hi' }, done: true, prompt_eval_count: 26, eval_count: 298 };
    expect(extractUsage(response)).toEqual({ promptTokens: 26, completionTokens: 298, totalTokens: 324 });
  });

  it("the kit's own shape, and the camelCase input/output one", () => {
    expect(extractUsage({ usage: { promptTokens: 1, completionTokens: 2, totalTokens: 3 } })).toEqual({ promptTokens: 1, completionTokens: 2, totalTokens: 3 });
    expect(extractUsage({ usage: { inputTokens: 4, outputTokens: 5 } })).toEqual({ promptTokens: 4, completionTokens: 5, totalTokens: 9 });
  });

  it('none when absent or not countable', () => {
    for (const response of [undefined, null, 'text', 42, {}, { choices: [] }, { usage: null }, { usage: {} }, { usage: { prompt_tokens: null, completion_tokens: '3' } }]) {
      expect(extractUsage(response)).toBeUndefined();
    }
    expect(extractUsage({ usage: { prompt_tokens: -1, completion_tokens: 1.5, total_tokens: 4 } })).toEqual({ totalTokens: 4 });
  });

  it('never throws, even when reading the response does', () => {
    const hostile = {
      get usage(): never {
        throw new Error('getter exploded');
      },
    };
    expect(extractUsage(hostile)).toBeUndefined();
    expect(extractUsage(new Proxy({}, { has: () => { throw new Error('trap'); }, get: () => { throw new Error('trap'); } }))).toBeUndefined();
  });
});

describe('mergeUsage and normalizeUsage', () => {
  it('later fields win, earlier ones stay', () => {
    expect(mergeUsage({ promptTokens: 10, completionTokens: 1 }, { completionTokens: 20 })).toEqual({ promptTokens: 10, completionTokens: 20 });
    expect(mergeUsage(undefined, { totalTokens: 3 })).toEqual({ totalTokens: 3 });
    expect(mergeUsage({ totalTokens: 3 }, undefined)).toEqual({ totalTokens: 3 });
  });

  it('normalizeUsage checks counts and derives the total', () => {
    expect(normalizeUsage({ promptTokens: 2, completionTokens: 3 })).toEqual({ promptTokens: 2, completionTokens: 3, totalTokens: 5 });
    expect(normalizeUsage({ promptTokens: Number.NaN })).toBeUndefined();
    expect(normalizeUsage(undefined)).toBeUndefined();
  });
});

describe('completion text', () => {
  it('reads whole responses of each provider', () => {
    expect(extractCompletionText('plain')).toBe('plain');
    expect(extractCompletionText({ choices: [{ message: { content: 'openai chat' } }] })).toBe('openai chat');
    expect(extractCompletionText({ output_text: 'openai responses' })).toBe('openai responses');
    expect(extractCompletionText({ content: [{ type: 'text', text: 'anthro' }, { type: 'tool_use' }, { type: 'text', text: 'pic' }] })).toBe('anthropic');
    expect(extractCompletionText({ candidates: [{ content: { parts: [{ text: 'gem' }, { text: 'ini' }] } }] })).toBe('gemini');
    expect(extractCompletionText({ message: { content: 'ollama chat' } })).toBe('ollama chat');
    expect(extractCompletionText({ response: 'ollama generate' })).toBe('ollama generate');
    expect(extractCompletionText({ something: 'else' })).toBeUndefined();
  });

  it('reads stream chunks of each provider', () => {
    expect(extractChunkText('piece')).toBe('piece');
    expect(extractChunkText({ choices: [{ delta: { content: 'oa' } }] })).toBe('oa');
    expect(extractChunkText({ choices: [], usage: { prompt_tokens: 1 } })).toBeUndefined();
    expect(extractChunkText({ type: 'response.output_text.delta', delta: 'resp' })).toBe('resp');
    expect(extractChunkText({ type: 'content_block_delta', delta: { type: 'text_delta', text: 'an' } })).toBe('an');
    expect(extractChunkText({ candidates: [{ content: { parts: [{ text: 'ge' }] } }] })).toBe('ge');
    expect(extractChunkText({ message: { content: 'ol' }, done: false })).toBe('ol');
  });
});

describe('what the readers build', () => {
  // toEqual ignores keys whose value is undefined; these pin that none are there and the key order.
  it('usage has only the counts reported, in one order (a derived total last)', () => {
    const usage = extractUsage({ usage: { completion_tokens: 2, prompt_tokens: 1, cache_creation_input_tokens: 3 } });
    expect(Object.entries(usage ?? {})).toEqual([
      ['promptTokens', 4],
      ['completionTokens', 2],
      ['cacheCreationTokens', 3],
      ['totalTokens', 6],
    ]);
    expect(Object.keys(normalizeUsage({ reasoningTokens: 1, promptTokens: 5, totalTokens: undefined }) ?? {})).toEqual(['promptTokens', 'reasoningTokens']);
    expect(normalizeUsage({ promptTokens: -1, totalTokens: undefined })).toBeUndefined();
    expect(extractUsage({ usageMetadata: {} })).toBeUndefined();
  });
});
