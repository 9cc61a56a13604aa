/**
 * Prompt and completion capture: off by default, redacted before it is
 * truncated, dropped (never recorded raw) when the redaction hook fails.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resetContentCapture, setContentCapture, traceLlmCall, traceLlmStream } from '../../src/instrumentation/index.ts';
import { contentCapture } from '../../src/runtime/bind.ts';
import { truncate } from '../../src/runtime/content.ts';
import { captureDiagnostics } from '../support/harness.ts';
import { useInMemoryTelemetry, type InMemoryTelemetry } from '../support/in-memory.ts';

const LLM = { provider: 'openai', model: 'gpt-4o' };
const answer = (content: string) => ({ choices: [{ message: { role: 'assistant', content } }] });
const PROMPT = 'llm.request.content';
const COMPLETION = 'llm.response.content';

let telemetry: InMemoryTelemetry;
beforeEach(() => {
  resetContentCapture();
  telemetry = useInMemoryTelemetry();
});
afterEach(async () => {
  resetContentCapture();
  await telemetry.shutdown();
});

async function generateSpan() {
  return telemetry.span('chat gpt-4o');
}

it('records neither prompt nor completion by default', async () => {
  expect(contentCapture().enabled).toBe(false);
  await traceLlmCall({ ...LLM, prompt: 'my card is 4111 1111 1111 1111' }, async () => answer('noted'));
  const span = await generateSpan();
  expect(span.attributes[PROMPT]).toBeUndefined();
  expect(span.attributes[COMPLETION]).toBeUndefined();
  expect(JSON.stringify(span.attributes)).not.toContain('4111');
});

it('records both when enabled', async () => {
  setContentCapture({ enabled: true });
  await traceLlmCall({ ...LLM, prompt: 'Say hi' }, async () => answer('Hi!'));
  const span = await generateSpan();
  expect(span.attributes[PROMPT]).toBe('Say hi');
  expect(span.attributes[COMPLETION]).toBe('Hi!');
  expect(await telemetry.telemetry()).toConformToSpec();
});

it('accepts true as shorthand, and false turns it off again', async () => {
  setContentCapture(true);
  await traceLlmCall({ ...LLM, prompt: 'one' }, () => 'two');
  setContentCapture(false);
  await traceLlmCall({ ...LLM, prompt: 'three' }, () => 'four');
  const [first, second] = await telemetry.spans();
  expect(first?.attributes[PROMPT]).toBe('one');
  expect(first?.attributes[COMPLETION]).toBe('two');
  expect(second?.attributes[PROMPT]).toBeUndefined();
});

it('redacts the whole text first, then truncates', async () => {
  const seen: Array<[string, string]> = [];
  setContentCapture({
    enabled: true,
    maxLength: 12,
    redact: (text, kind) => {
      seen.push([kind, text]);
      return text.replaceAll(/sk-[a-z0-9]+/g, '[key]');
    },
  });
  const prompt = 'use key sk-abcdef123456 for the call';
  await traceLlmCall({ ...LLM, prompt }, async () => answer('done with sk-zzz9 and more text after it'));
  // With both conventions each text is recorded twice, flo_ai's string and GenAI's message part,
  // and every recorded copy goes through the hook whole.
  expect(seen).toEqual([
    ['prompt', prompt],
    ['prompt', prompt],
    ['completion', 'done with sk-zzz9 and more text after it'],
    ['completion', 'done with sk-zzz9 and more text after it'],
  ]);
  const span = await generateSpan();
  // Truncating first would have kept "use key sk-a".
  expect(span.attributes[PROMPT]).toBe('use key [key');
  expect(span.attributes[COMPLETION]).toBe('done with [k');
  expect(JSON.parse(String(span.attributes['gen_ai.input.messages']))).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'use key [key' }] }]);
  expect(JSON.parse(String(span.attributes['gen_ai.output.messages']))).toEqual([
    { role: 'assistant', parts: [{ type: 'text', content: 'done with [k' }], finish_reason: 'stop' },
  ]);
});

it('drops the text, never the raw one, when the hook throws, and says so without the text', async () => {
  const diagnostics = captureDiagnostics();
  setContentCapture({
    enabled: true,
    redact: (text) => {
      if (text.includes('secret')) throw new RangeError('cannot redact');
      return text;
    },
  });
  const response = answer('a harmless answer');
  const result = await traceLlmCall({ ...LLM, prompt: 'the secret plan' }, async () => response);
  diagnostics.restore();
  expect(result).toBe(response);
  const span = await generateSpan();
  expect(span.attributes[PROMPT]).toBeUndefined();
  expect(span.attributes[COMPLETION]).toBe('a harmless answer');
  const logged = diagnostics.messages.join('\n');
  expect(logged).toMatch(/redact hook threw RangeError for a prompt; the prompt was not recorded/);
  expect(logged).not.toContain('secret plan');
});

it('drops the text when the hook returns something else than a string', async () => {
  setContentCapture({ enabled: true, redact: () => undefined as unknown as string });
  await traceLlmCall({ ...LLM, prompt: 'p' }, async () => answer('c'));
  const span = await generateSpan();
  expect(span.attributes[PROMPT]).toBeUndefined();
  expect(span.attributes[COMPLETION]).toBeUndefined();
});

it('falls back to the default length for a bad maxLength', () => {
  const diagnostics = captureDiagnostics();
  setContentCapture({ enabled: true, maxLength: -5 });
  diagnostics.restore();
  expect(contentCapture().maxLength).toBe(4096);
  expect(diagnostics.messages.join('\n')).toMatch(/maxLength -5/);
});

it('uses the completionText option for shapes it does not know', async () => {
  setContentCapture({ enabled: true });
  await traceLlmCall(LLM, async () => ({ reply: { body: 'custom shape' } }), { completionText: (result) => result.reply.body });
  expect((await generateSpan()).attributes[COMPLETION]).toBe('custom shape');
});

it('captures the streamed completion, redacted and truncated', async () => {
  setContentCapture({ enabled: true, maxLength: 20, redact: (text) => text.replaceAll('Bob', '[name]') });
  async function* chunks() {
    for (const piece of ['Hello ', 'B', 'ob, ', 'how are ', 'you today?']) yield { choices: [{ delta: { content: piece } }] };
  }
  const received: unknown[] = [];
  for await (const chunk of traceLlmStream({ ...LLM, prompt: 'greet Bob' }, () => chunks())) received.push(chunk);
  expect(received).toHaveLength(5);
  const span = await telemetry.span('chat gpt-4o');
  expect(span.attributes[PROMPT]).toBe('greet [name]');
  expect(span.attributes[COMPLETION]).toBe('Hello [name], how ar');
});

describe('truncate', () => {
  it('never splits a surrogate pair', () => {
    expect(truncate('ab😀cd', 3)).toBe('ab');
    expect(truncate('ab😀cd', 4)).toBe('ab😀');
    expect(truncate('short', 10)).toBe('short');
  });
});
