/**
 * derivedWithSpan: a helper's own context value and its span in one context switch. The result
 * must be what trace.setSpan(derived, span) gives, and nothing else may change: not the parent,
 * not a context of another implementation, not one shared with the parent.
 */
import { createContextKey, ROOT_CONTEXT, trace, type Context } from '@opentelemetry/api';
import { isTracingSuppressed, suppressTracing } from '@opentelemetry/core';
import { describe, expect, it } from 'vitest';
import { derivedWithSpan } from '../../src/runtime/spans.ts';

const KEY = createContextKey('test: derived value');
const OTHER = createContextKey('test: other value');
const span = (id: string) => trace.wrapSpanContext({ traceId: '1'.repeat(32), spanId: id.repeat(16), traceFlags: 1 });

/** A context of another implementation, as some context managers or tests use. */
class MapContext implements Context {
  readonly #entries: ReadonlyMap<symbol, unknown>;
  constructor(entries: ReadonlyMap<symbol, unknown> = new Map()) {
    this.#entries = entries;
  }
  getValue(key: symbol): unknown {
    return this.#entries.get(key);
  }
  setValue(key: symbol, value: unknown): Context {
    return new MapContext(new Map(this.#entries).set(key, value));
  }
  deleteValue(key: symbol): Context {
    const entries = new Map(this.#entries);
    entries.delete(key);
    return new MapContext(entries);
  }
}

describe('derivedWithSpan', () => {
  it('gives the derived context with the span, every other entry kept, the parent untouched', () => {
    const outer = span('a');
    const inner = span('b');
    const parent = trace.setSpan(ROOT_CONTEXT.setValue(OTHER, 'kept'), outer);
    const derived = parent.setValue(KEY, 'mine');
    const result = derivedWithSpan(parent, derived, inner);
    // The API's own contexts: the span is written into the context just derived, no second copy.
    expect(result).toBe(derived);
    expect(trace.getSpan(result)).toBe(inner);
    expect(result.getValue(KEY)).toBe('mine');
    expect(result.getValue(OTHER)).toBe('kept');
    expect(trace.getSpan(parent)).toBe(outer);
    expect(parent.getValue(KEY)).toBeUndefined();
    // Derived further as any context is.
    const further = trace.setSpan(result.setValue(KEY, 'next'), outer);
    expect([trace.getSpan(further), further.getValue(KEY), result.getValue(KEY), trace.getSpan(result)]).toEqual([outer, 'next', 'mine', inner]);
    expect(trace.getSpan(trace.deleteSpan(result))).toBeUndefined();
  });

  it('keeps what suppressTracing set', () => {
    const parent = ROOT_CONTEXT;
    const result = derivedWithSpan(parent, suppressTracing(parent), span('c'));
    expect(isTracingSuppressed(result)).toBe(true);
    expect(isTracingSuppressed(parent)).toBe(false);
    expect(trace.getSpan(result)?.spanContext().spanId).toBe('c'.repeat(16));
  });

  it('sets the span the ordinary way on a context of another implementation, or one that is the parent itself', () => {
    const s = span('d');
    const foreign = new MapContext();
    const derivedForeign = foreign.setValue(KEY, 1);
    const result = derivedWithSpan(foreign, derivedForeign, s);
    expect(result).not.toBe(derivedForeign);
    expect(trace.getSpan(result)).toBe(s);
    expect(result.getValue(KEY)).toBe(1);
    expect(trace.getSpan(derivedForeign)).toBeUndefined();

    const parent = ROOT_CONTEXT.setValue(KEY, 2);
    const same = derivedWithSpan(parent, parent, s);
    expect(trace.getSpan(same)).toBe(s);
    expect(trace.getSpan(parent)).toBeUndefined();
  });

  it('leaves the derived context as it is without a span', () => {
    const derived = ROOT_CONTEXT.setValue(KEY, 3);
    expect(derivedWithSpan(ROOT_CONTEXT, derived, undefined)).toBe(derived);
  });
});

describe('InstrumentedSpan.recordError', () => {
  it('reports a span that fails to record the error through diag, and never throws', async () => {
    const { diag, DiagLogLevel } = await import('@opentelemetry/api');
    const { InstrumentedSpan } = await import('../../src/runtime/spans.ts');
    const { resetReportedProblems } = await import('../../src/runtime/diagnostics.ts');
    const { LLM_GENERATE_SPAN } = await import('../../src/generated/spans.ts');
    const warnings: string[] = [];
    const noop = () => {};
    diag.setLogger({ warn: (message: string) => warnings.push(message), error: noop, info: noop, debug: noop, verbose: noop }, DiagLogLevel.WARN);
    resetReportedProblems();
    try {
      const failing = { ...span('f'), recordException: () => { throw new Error('exporter gone'); } } as unknown as ConstructorParameters<typeof InstrumentedSpan>[0];
      expect(() => new InstrumentedSpan(failing, LLM_GENERATE_SPAN as never).recordError(new Error('boom'))).not.toThrow();
      expect(warnings).toEqual(['flo telemetry: span.llm.generate: recording an error failed: exporter gone']);
    } finally {
      diag.disable();
    }
  });
});
