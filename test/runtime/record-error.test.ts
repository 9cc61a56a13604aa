/**
 * InstrumentedSpan.recordError never throws into framework code: a span that fails to record
 * the error is reported through the diagnostic logger, with the text built only then.
 */
import { trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';

const span = (id: string) => trace.wrapSpanContext({ traceId: '1'.repeat(32), spanId: id.repeat(16), traceFlags: 1 });

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
      // A span with every method of a real one, whose recordException throws.
      const failing = Object.assign(Object.create(span('f')) as object, { recordException: () => { throw new Error('exporter gone'); } }) as unknown as ConstructorParameters<typeof InstrumentedSpan>[0];
      expect(() => new InstrumentedSpan(failing, LLM_GENERATE_SPAN as never).recordError(new Error('boom'))).not.toThrow();
      expect(warnings).toEqual(['flo telemetry: span.llm.generate: recording an error failed: exporter gone']);
    } finally {
      diag.disable();
    }
  });
});
