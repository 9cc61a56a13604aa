/**
 * The generated start attributes builders tell each span which required fields its start left out
 * (`requiredLeftOut`), so the span checks only those when it ends. Checked for every generated span
 * in every conventions selection, against an oracle read from the descriptor itself (its fields and
 * the selection's writes), not from the `required` list the builders' bits index:
 * - all required values given: nothing is said;
 * - each required field left out in turn: exactly that one is reported, under its first key;
 * - each given with a value of the wrong type (dropped at the start): reported missing too;
 * - left out at the start and set later through the span's setter: nothing is said.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as spans from '../../src/generated/spans.ts';
import type { AttributeField } from '../../src/runtime/attributes.ts';
import { resetReportedProblems } from '../../src/runtime/diagnostics.ts';
import { SELECTIONS, selectionName } from '../../src/runtime/rules.ts';
import type { InstrumentedSpan, SpanDescriptor } from '../../src/runtime/spans.ts';
import { captureDiagnostics } from '../support/harness.ts';
import { useInMemoryTelemetry, type InMemoryTelemetry } from '../support/in-memory.ts';

type Start = (attributes: Record<string, unknown>, options?: { name?: string }) => InstrumentedSpan;

/** Every generated span: its descriptor and its start function, paired by name (`LLM_GENERATE_SPAN`, `startLlmGenerateSpan`). */
const GENERATED = Object.entries(spans).flatMap(([name, value]) => {
  const match = /^start(\w+)Span$/.exec(name);
  if (match === null || typeof value !== 'function') return [];
  const constant = `${(match[1] as string).replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}_SPAN`;
  const descriptor = (spans as Record<string, unknown>)[constant] as SpanDescriptor<never> | undefined;
  return descriptor === undefined ? [] : [{ constant, descriptor, start: value as unknown as Start }];
});

/** A value that passes the field's check. */
function validValue(field: AttributeField): unknown {
  const member = field.spec.members?.[0];
  if (member !== undefined) return member;
  const samples: Record<string, unknown> = { string: 'x', int: 1, double: 0.5, boolean: true, 'string[]': ['x'], 'int[]': [1], 'double[]': [0.5], 'boolean[]': [true], any: 'x' };
  return samples[field.spec.kind];
}

/** A value the field's check rejects, where its kind has one. */
function wrongValue(field: AttributeField): unknown {
  return field.spec.kind === 'any' ? undefined : field.spec.kind === 'boolean' ? 'yes' : { not: 'a value' };
}

/** The oracle: the required fields a selection writes and that have no fixed value, with the key a report names. */
function requiredWritten(descriptor: SpanDescriptor<never>, selection: number): { index: number; field: AttributeField; key: string }[] {
  const writes = descriptor.conventions?.[selection]?.writes;
  return descriptor.fields.flatMap((field, index) => {
    const keys = writes === undefined ? [{ key: field.spec.key }] : (writes[index] ?? []);
    return field.required && field.fixed === undefined && keys.length > 0 ? [{ index, field, key: (keys[0] as { key: string }).key }] : [];
  });
}

function allRequired(descriptor: SpanDescriptor<never>): Record<string, unknown> {
  return Object.fromEntries(descriptor.fields.filter((field) => field.required).map((field) => [field.property, field.fixed ?? validValue(field)]));
}

const MISSING = /required attribute (\S+) is missing/;

let telemetry: InMemoryTelemetry | undefined;
let restore: (() => void) | undefined;
afterEach(async () => {
  restore?.();
  restore = undefined;
  await telemetry?.shutdown();
  telemetry = undefined;
});

/** Starts and ends one span with `attributes` (in the session of the test), `later` in between; the keys reported missing. */
function reportedMissing(start: Start, attributes: Record<string, unknown>, later?: (span: InstrumentedSpan) => void): string[] {
  resetReportedProblems();
  const diagnostics = captureDiagnostics();
  try {
    const span = start(attributes, { name: 'unnamed' });
    later?.(span);
    (span as unknown as { end(): void }).end();
    return diagnostics.messages.flatMap((message) => MISSING.exec(message)?.slice(1, 2) ?? []);
  } finally {
    diagnostics.restore();
  }
}

it('pairs every generated span with its descriptor', () => {
  expect(GENERATED.map((span) => span.constant)).toEqual(expect.arrayContaining(['AGENT_RUN_SPAN', 'LLM_GENERATE_SPAN', 'LLM_STREAM_SPAN', 'WORKFLOW_RUN_SPAN', 'GEN_AI_INFERENCE_CLIENT_SPAN']));
});

describe.each(SELECTIONS.map((selection, index) => ({ selection, index, name: selectionName(selection) })))('selection $name', ({ selection, index }) => {
  it.each(GENERATED.map((span) => ({ ...span, id: span.descriptor.id })))('$id: reports exactly the required fields the start left out', async ({ descriptor, start }) => {
    telemetry = useInMemoryTelemetry({ conventions: selection.conventions, semconvStabilityOptIn: selection.genAiOptIn === undefined ? [] : [selection.genAiOptIn] });
    if (descriptor.conventions?.[index]?.emitted === false) return;
    const required = requiredWritten(descriptor, index);
    expect(reportedMissing(start, allRequired(descriptor))).toEqual([]);
    for (const { field, key } of required) {
      const without = allRequired(descriptor);
      delete without[field.property];
      expect(reportedMissing(start, without), `${field.property} left out`).toEqual([key]);
      const wrong = wrongValue(field);
      if (wrong !== undefined) expect(reportedMissing(start, { ...allRequired(descriptor), [field.property]: wrong }), `${field.property} of the wrong type`).toEqual([key]);
      const setter = `set${field.property[0]!.toUpperCase()}${field.property.slice(1)}`;
      const set = (span: InstrumentedSpan) => (span as unknown as Record<string, (value: unknown) => void>)[setter]?.(validValue(field));
      const probe = start(allRequired(descriptor), { name: 'unnamed' });
      const settable = typeof (probe as unknown as Record<string, unknown>)[setter] === 'function';
      (probe as unknown as { end(): void }).end();
      if (settable) expect(reportedMissing(start, without, set), `${field.property} set after the start`).toEqual([]);
    }
  });
});
