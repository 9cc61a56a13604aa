/**
 * Error messages and stack traces are application text. By default they
 * reach telemetry only while content capture is on, through its redaction
 * hook; `errorMessages` changes that. Every path an error takes to a span
 * is checked: a thrown call, a rejected promise, a failing stream, and the
 * span's status message and `error.message` attribute.
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import { traceAgentRun, traceLlmCall, traceLlmStream, traceToolCall, wrapToolCall } from '../../src/instrumentation/index.ts';
import { withLlmGenerateSpan } from '../../src/generated/spans.ts';
import { resetContentCapture, setContentCapture } from '../../src/runtime/bind.ts';
import type { ErrorMessagePolicy } from '../../src/runtime/error-text.ts';
import { captureDiagnostics } from '../support/harness.ts';
import { useInMemoryTelemetry, type InMemoryTelemetry } from '../support/in-memory.ts';

const LLM = { provider: 'openai', model: 'gpt-4o' };
const SECRET = '4111 1111 1111 1111, Ana';
/** What `JSON.parse(completion)` throws: V8's message quotes the start of the completion. */
function parseCompletion(): never {
  JSON.parse(`x${SECRET}`);
  throw new Error('unreachable');
}

let telemetry: InMemoryTelemetry | undefined;
afterEach(async () => {
  resetContentCapture();
  await telemetry?.shutdown();
  telemetry = undefined;
});

function bind(errorMessages?: ErrorMessagePolicy): InMemoryTelemetry {
  // No policy given: the default of bindProviders(), as for any application.
  telemetry = useInMemoryTelemetry(errorMessages === undefined ? { errorMessages: 'with-content' } : { errorMessages });
  return telemetry;
}

function exception(span: ReadableSpan) {
  return span.events.find((event) => event.name === 'exception')?.attributes ?? {};
}

/** Every text of a span a backend would show. */
function everything(span: ReadableSpan): string {
  return JSON.stringify({ attributes: span.attributes, events: span.events, status: span.status });
}

async function failEverywhere(): Promise<void> {
  await expect(traceLlmCall(LLM, async () => parseCompletion())).rejects.toThrow(SyntaxError);
  expect(() => traceToolCall({ name: 'parse' }, () => parseCompletion())).toThrow(SyntaxError);
  await expect(traceAgentRun({ name: 'a', type: 't' }, async () => parseCompletion())).rejects.toThrow(SyntaxError);
  const stream = traceLlmStream(LLM, async function* () {
    yield 'partial';
    throw new Error(`provider said: ${SECRET}`);
  });
  await expect((async () => { for await (const _ of stream); })()).rejects.toThrow(SECRET);
  expect(() => withLlmGenerateSpan({ llmProvider: 'openai', genAiOperationName: 'chat', genAiProviderName: 'openai', llmModel: 'gpt-4o' }, () => parseCompletion())).toThrow(SyntaxError);
}

describe('with content capture off (the default)', () => {
  it('records the error type on every span, and no message, stack trace or status text', async () => {
    const { spans } = bind();
    await failEverywhere();
    const failed = await spans();
    expect(failed).toHaveLength(5);
    for (const span of failed) {
      expect(span.status).toEqual({ code: 2 });
      expect(exception(span)['exception.type']).toMatch(/^(SyntaxError|Error)$/);
      expect(exception(span)['exception.message']).toBeUndefined();
      expect(exception(span)['exception.stacktrace']).toBeUndefined();
      expect(span.attributes['error.message']).toBeUndefined();
      expect(everything(span)).not.toContain('4111');
    }
  });

  it('keeps the application\'s error untouched', async () => {
    bind();
    const error = await traceLlmCall(LLM, async () => parseCompletion()).catch((caught: unknown) => caught);
    expect(String(error)).toContain('x4111 1111');
  });

  it('keeps errors of the application\'s info functions and options out of the logs too', async () => {
    bind();
    const diagnostics = captureDiagnostics();
    const tool = wrapToolCall(() => parseCompletion(), () => 'ok');
    expect(tool()).toBe('ok');
    await traceLlmCall(LLM, async () => 'answer', { usage: () => parseCompletion() });
    diagnostics.restore();
    expect(diagnostics.messages.join('\n')).toContain('threw SyntaxError');
    expect(diagnostics.messages.join('\n')).not.toContain('4111');
  });
});

describe('with content capture on', () => {
  it('passes messages and stack traces through the redaction hook, stream errors included', async () => {
    const { spans } = bind();
    const kinds = new Set<string>();
    setContentCapture({
      enabled: true,
      redact: (text, kind) => {
        kinds.add(kind);
        return text.replaceAll('4111', '[card]');
      },
    });
    await failEverywhere();
    const failed = await spans();
    expect(kinds).toContain('error');
    for (const span of failed) {
      expect(everything(span)).not.toContain('4111');
      expect(String(exception(span)['exception.message'])).toContain('[card]');
      expect(String(exception(span)['exception.stacktrace'])).toContain('[card]');
      expect(span.status.message).toContain('[card]');
    }
    // No span carries the message as an attribute: error.message is deprecated in the conventions.
    expect(failed.filter((span) => span.attributes['error.message'] !== undefined)).toEqual([]);
  });

  it('truncates messages to maxLength, and drops them when the hook throws', async () => {
    const { spans } = bind();
    setContentCapture({ enabled: true, maxLength: 12 });
    await expect(traceLlmCall(LLM, async () => parseCompletion())).rejects.toThrow();
    setContentCapture({ enabled: true, redact: () => { throw new Error('hook bug'); } });
    await expect(traceLlmCall(LLM, async () => parseCompletion())).rejects.toThrow();
    const [truncated, dropped] = await spans();
    expect(String(exception(truncated as ReadableSpan)['exception.message'])).toHaveLength(12);
    expect(exception(dropped as ReadableSpan)['exception.message']).toBeUndefined();
    expect(everything(dropped as ReadableSpan)).not.toContain('4111');
  });
});

describe('errorMessages', () => {
  it("'always' records messages and stack traces as thrown, whatever content capture says", async () => {
    const { span } = bind('always');
    await expect(traceLlmCall(LLM, async () => parseCompletion())).rejects.toThrow();
    const recorded = await span('chat gpt-4o');
    expect(String(exception(recorded)['exception.message'])).toContain('x4111 1111');
    expect(String(exception(recorded)['exception.stacktrace'])).toContain('x4111 1111');
    expect(recorded.status.message).toContain('x4111 1111');
  });

  it("'never' records the type only, even with content capture on", async () => {
    const { span } = bind('never');
    setContentCapture({ enabled: true });
    await expect(traceLlmCall(LLM, async () => parseCompletion())).rejects.toThrow();
    const recorded = await span('chat gpt-4o');
    expect(exception(recorded)).toEqual({ 'exception.type': 'SyntaxError' });
    expect(recorded.status).toEqual({ code: 2 });
  });
});
