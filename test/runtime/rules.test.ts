/**
 * The value and kind rules of src/runtime/rules.ts: each rule's runtime form and the source text
 * the generator emits from it accept exactly the same values, and both agree with the tests'
 * independent oracle; the span members the generator keeps setters away from are exactly those
 * the runtime's span base class has.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  acceptsValue,
  fitsKind,
  kindCheckSource,
  SPAN_BASE_MEMBERS,
  valueRule,
  valueRuleSource,
  type AttributeKind,
  type InstrumentKind,
  type MetricValueType,
} from '../../src/runtime/rules.ts';
import { InstrumentedSpan } from '../../src/runtime/spans.ts';
import { acceptsValue as oracle } from '../support/value-rule.ts';

/** Compiles a rule's emitted source into the function generated code would run. */
const compiled = (source: string) => new Function('value', `return ${source};`) as (value: unknown) => boolean;

const EDGE_VALUES: readonly unknown[] = [
  0, -0, 1, -1, 0.5, -0.5, 2 ** 53, 2 ** 53 - 1, -(2 ** 53), Number.MAX_VALUE, Number.MIN_VALUE, NaN, Infinity, -Infinity,
  '', 'text', '1', true, false, null, undefined, [], ['a'], [1], {}, () => 1, Symbol('s'), 10n,
];
const SCALAR_KINDS: readonly AttributeKind[] = ['string', 'int', 'double', 'boolean'];
const INSTRUMENTS: readonly InstrumentKind[] = ['counter', 'updowncounter', 'histogram', 'gauge'];
const VALUE_TYPES: readonly MetricValueType[] = ['int', 'double'];

describe('attribute kinds', () => {
  it.each(SCALAR_KINDS)('%s: the emitted check accepts exactly what fitsKind accepts', (kind) => {
    const check = compiled(kindCheckSource(kind) as string);
    for (const value of EDGE_VALUES) expect(check(value), `${kind} ${String(value)}`).toBe(fitsKind(value, kind));
    fc.assert(fc.property(fc.anything(), (value) => check(value) === fitsKind(value, kind)));
  });

  it('arrays and any have no emitted check: generated code leaves them to the runtime', () => {
    expect(['string[]', 'int[]', 'double[]', 'boolean[]', 'any'].map((kind) => kindCheckSource(kind as AttributeKind))).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });
});

describe('metric values', () => {
  it.each(INSTRUMENTS.flatMap((instrument) => VALUE_TYPES.map((valueType) => [instrument, valueType] as const)))(
    '%s of %s values: the emitted rule, the runtime rule and the oracle agree',
    (instrument, valueType) => {
      const rule = valueRule(instrument, valueType);
      const emitted = compiled(valueRuleSource(rule));
      const numbers = [...EDGE_VALUES.filter((value): value is number => typeof value === 'number'), 3, -3, 1e-9];
      for (const value of numbers) {
        expect(acceptsValue(rule, value), `${value}`).toBe(oracle(instrument, valueType, value));
        expect(emitted(value), `${value}`).toBe(oracle(instrument, valueType, value));
      }
      fc.assert(fc.property(fc.double(), (value) => emitted(value) === acceptsValue(rule, value) && acceptsValue(rule, value) === oracle(instrument, valueType, value)));
    },
  );
});

describe('span base members', () => {
  it("are exactly the members of the runtime's InstrumentedSpan prototype", () => {
    expect([...SPAN_BASE_MEMBERS].sort()).toEqual(Object.getOwnPropertyNames(InstrumentedSpan.prototype).sort());
  });
});
