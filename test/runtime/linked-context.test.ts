/**
 * The kit's contexts (src/runtime/linked-context.ts): the `Context` contract of
 * @opentelemetry/api kept (newest value wins, immutable, deletes hide what is
 * below), the SDK's own uses of it working on them (the active span, tracing
 * suppressed, AsyncLocalStorage), the chain folded past MAX_LAYERS, and the
 * kit's spans running in one.
 */
import { context, createContextKey, ROOT_CONTEXT, trace, type Context } from '@opentelemetry/api';
import { isTracingSuppressed, suppressTracing } from '@opentelemetry/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { traceAgentRun, traceLlmCall, traceToolCall, traceWorkflow } from '../../src/instrumentation/index.ts';
import { withLlmGenerateSpan } from '../../src/generated/spans.ts';
import { setConventions } from '../../src/runtime/bind.ts';
import { LinkedContext, MAX_LAYERS } from '../../src/runtime/linked-context.ts';
import { useInMemoryTelemetry, type InMemoryTelemetry } from '../support/in-memory.ts';

const A = createContextKey('test: a');
const B = createContextKey('test: b');
const UNSET = createContextKey('test: never set');

describe('the Context contract', () => {
  it('sees values set on it and below it, the newest first', () => {
    const base = ROOT_CONTEXT.setValue(A, 'base a').setValue(B, 'base b');
    const one = LinkedContext.with(base, A, 'layer a');
    const two = one.setValue(B, 'layer b');
    expect([one.getValue(A), one.getValue(B)]).toEqual(['layer a', 'base b']);
    expect([two.getValue(A), two.getValue(B)]).toEqual(['layer a', 'layer b']);
    expect(two.getValue(UNSET)).toBeUndefined();
  });

  it('is immutable: setValue and deleteValue leave the context they were called on as it was', () => {
    const base = ROOT_CONTEXT.setValue(A, 'base a');
    const one = LinkedContext.with(base, B, 'b');
    const changed = one.setValue(A, 'changed');
    const deleted = one.deleteValue(B);
    expect([one.getValue(A), one.getValue(B)]).toEqual(['base a', 'b']);
    expect([changed.getValue(A), deleted.getValue(B)]).toEqual(['changed', undefined]);
    expect(base.getValue(B)).toBeUndefined();
  });

  it('hides a deleted key whether it was set in a layer or in the context below', () => {
    const base = ROOT_CONTEXT.setValue(A, 'base a');
    const linked = LinkedContext.with(base, B, 'b');
    const both = linked.deleteValue(A).deleteValue(B);
    expect([both.getValue(A), both.getValue(B)]).toEqual([undefined, undefined]);
    // Set again after the delete: seen again.
    expect(both.setValue(A, 'again').getValue(A)).toBe('again');
  });

  it('over() adds nothing: a bridge answers what the context below does, and a linked context is reused as it is', () => {
    const base = ROOT_CONTEXT.setValue(A, 'base a');
    const bridge = LinkedContext.over(base);
    expect(bridge).not.toBe(base);
    expect([bridge.getValue(A), bridge.getValue(B)]).toEqual(['base a', undefined]);
    const linked = LinkedContext.with(base, B, 'b');
    expect(LinkedContext.over(linked)).toBe(linked);
  });
});

describe('what the SDK keeps in a context', () => {
  it('carries the active span and tracing suppression, as BaseContext does', () => {
    const span = trace.wrapSpanContext({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 });
    const linked = trace.setSpan(LinkedContext.over(ROOT_CONTEXT), span);
    expect(linked).toBeInstanceOf(LinkedContext);
    expect(trace.getSpan(linked)).toBe(span);
    expect(isTracingSuppressed(linked)).toBe(false);
    const suppressed = suppressTracing(linked);
    expect(isTracingSuppressed(suppressed)).toBe(true);
    expect(trace.getSpan(suppressed)).toBe(span);
    expect(trace.getSpan(trace.deleteSpan(suppressed))).toBeUndefined();
  });
});

describe('a long chain', () => {
  /** A context below the layers that counts the copies it makes, as BaseContext would make them. */
  function countingBase(): { base: Context; copies: () => number } {
    let copies = 0;
    const make = (values: ReadonlyMap<symbol, unknown>): Context => ({
      getValue: (key) => values.get(key),
      setValue: (key, value) => {
        copies += 1;
        return make(new Map(values).set(key, value));
      },
      deleteValue: (key) => {
        copies += 1;
        const next = new Map(values);
        next.delete(key);
        return make(next);
      },
    });
    return { base: make(new Map()), copies: () => copies };
  }

  it('stays layers up to MAX_LAYERS, then is folded into the context below, every value kept', () => {
    const { base, copies } = countingBase();
    const keys = Array.from({ length: MAX_LAYERS * 3 }, (_, index) => createContextKey(`test: layer ${index}`));
    let linked: Context = LinkedContext.with(base, keys[0] as symbol, 0);
    for (let index = 1; index < MAX_LAYERS; index += 1) linked = linked.setValue(keys[index] as symbol, index);
    expect(copies()).toBe(0);
    for (let index = MAX_LAYERS; index < keys.length; index += 1) linked = linked.setValue(keys[index] as symbol, index);
    // Folded twice: each time the MAX_LAYERS layers above the last fold were set on the context below, once each.
    expect(copies()).toBe(2 * MAX_LAYERS);
    expect(keys.map((key) => linked.getValue(key))).toEqual(keys.map((_, index) => index));
  });

  it('folds deletes and bridges too: the newest of each key wins', () => {
    const { base } = countingBase();
    let linked: Context = LinkedContext.over(base.setValue(A, 'base a')).setValue(B, 'b').deleteValue(A);
    for (let index = 0; index < MAX_LAYERS * 2; index += 1) linked = linked.setValue(B, index);
    expect([linked.getValue(A), linked.getValue(B)]).toEqual([undefined, MAX_LAYERS * 2 - 1]);
  });
});

describe("the kit's spans", () => {
  let telemetry: InMemoryTelemetry;
  beforeEach(() => {
    setConventions('both');
    telemetry = useInMemoryTelemetry();
  });
  afterEach(async () => {
    await telemetry.shutdown();
  });

  it('run in a linked context: a generated with…Span and every helper, nested, none copying the context map', async () => {
    const seen: Context[] = [];
    const note = () => seen.push(context.active());
    withLlmGenerateSpan({ llmProvider: 'openai', genAiOperationName: 'chat', genAiProviderName: 'openai', llmModel: 'gpt-4o' }, note);
    await traceWorkflow({ name: 'research', nodeCount: 1 }, () =>
      traceAgentRun({ name: 'planner', type: 'tool_using' }, async () => {
        note();
        await traceToolCall({ name: 'weather' }, async () => note());
        await traceLlmCall({ provider: 'openai', model: 'gpt-4o' }, async () => {
          note();
          return { model: 'gpt-4o' };
        });
      }),
    );
    expect(seen).toHaveLength(4);
    for (const active of seen) expect(active).toBeInstanceOf(LinkedContext);
    // Each saw its own span, under the one before it.
    const spans = seen.map((active) => trace.getSpan(active)?.spanContext().spanId);
    expect(new Set(spans).size).toBe(4);
    // The application's own spans inside an LLM call are kept (nothing suppresses tracing there).
    expect(isTracingSuppressed(seen[3] as Context)).toBe(false);
  });
});
