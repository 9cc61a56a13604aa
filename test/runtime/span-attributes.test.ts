/**
 * Span start attributes: the runtime's toSpanAttributes loop defines them
 * (declaration order, the keys a conventions table gives each field, fixed
 * values, warnings for dropped values), and every generated table's
 * `startAttributes` builder must give exactly what the loop gives with the
 * same writes. A required attribute missing is reported when the span ends
 * without it (a helper may set it after the start).
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AGENT_RUN_SPAN,
  ALL_SPANS,
  LLM_GENERATE_SPAN,
  startAgentRunSpan,
  startLlmGenerateSpan,
  WORKFLOW_NODE_SPAN,
  type AgentRunSpanAttributes,
  type LlmGenerateSpanAttributes,
} from '../../src/generated/spans.ts';
import { toSpanAttributes } from '../../src/runtime/attributes.ts';
import { SELECTIONS, selectionIndex } from '../../src/runtime/rules.ts';
import { resetReportedProblems } from '../../src/runtime/diagnostics.ts';
import type { SpanConventions, SpanDescriptor } from '../../src/runtime/spans.ts';
import { captureDiagnostics } from '../support/harness.ts';
import { useInMemoryTelemetry } from '../support/in-memory.ts';

let restore: (() => void) | undefined;
afterEach(() => {
  restore?.();
});

const FLO = selectionIndex('flo', undefined);
const BOTH = selectionIndex('both', undefined);

function table<A extends object>(span: SpanDescriptor<A>, selection: number): SpanConventions<A> {
  const found = span.conventions?.[selection];
  if (found === undefined) throw new Error(`${span.id} has no table ${selection}`);
  return found;
}

/** Attributes and warnings of one build, warnings counted from a clean slate. */
function observe(build: () => unknown, messages: string[]): { attributes: unknown; warnings: string[] } {
  resetReportedProblems();
  messages.length = 0;
  const attributes = build();
  return { attributes: Object.entries(attributes as object), warnings: [...messages] };
}

const anyValue = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.array(fc.oneof(fc.string({ maxLength: 4 }), fc.integer()), { maxLength: 3 }),
  fc.constantFrom('chat', 'openai', 'success', 'invoke_agent'),
  fc.object({ maxDepth: 1 }),
);

describe('span start attributes', () => {
  it('every generated builder gives what the toSpanAttributes loop gives with its table’s writes, attributes and warnings, in each conventions selection', () => {
    const diagnostics = captureDiagnostics();
    restore = diagnostics.restore;
    const spans = ALL_SPANS as readonly SpanDescriptor<object>[];
    expect(spans.filter((span) => span.fields.length > 0).every((span) => span.conventions?.length === SELECTIONS.length && span.conventions.every((t) => t.startAttributes !== undefined))).toBe(true);
    const input = fc.record({
      span: fc.integer({ min: 0, max: spans.length - 1 }),
      selection: fc.integer({ min: 0, max: SELECTIONS.length - 1 }),
      entries: fc.array(fc.tuple(fc.nat(), anyValue), { maxLength: 12 }),
      unknown: fc.boolean(),
    });
    fc.assert(
      fc.property(input, ({ span: which, selection, entries, unknown }) => {
        const span = spans[which] as SpanDescriptor<object>;
        const { writes, startAttributes } = table(span, selection);
        const given: Record<string, unknown> = unknown ? { notDeclared: 1 } : {};
        for (const [position, value] of entries) {
          const field = span.fields[position % Math.max(1, span.fields.length)];
          if (field !== undefined) given[field.property] = value;
        }
        const expected = observe(() => toSpanAttributes(span.fields, given, span.id, writes), diagnostics.messages);
        const built = observe(() => startAttributes?.(given, writes, span.fields, span.id) ?? {}, diagnostics.messages);
        expect(built).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('writes a span’s attributes in declaration order whatever order they are given in', () => {
    const { writes, startAttributes } = table(LLM_GENERATE_SPAN, FLO);
    const given = { llmTemperature: 0.5, unknownProperty: 1, llmModel: 'gpt-4o', llmProvider: 'openai', genAiRequestSeed: undefined, genAiProviderName: 'openai', genAiOperationName: 'chat' };
    const expected = [
      ['llm.provider', 'openai'],
      ['llm.model', 'gpt-4o'],
      ['llm.temperature', 0.5],
    ];
    expect(Object.entries(toSpanAttributes(LLM_GENERATE_SPAN.fields, given, 'span.llm.generate', writes))).toEqual(expected);
    expect(Object.entries(startAttributes?.(given, writes, LLM_GENERATE_SPAN.fields, LLM_GENERATE_SPAN.id) ?? {})).toEqual(expected);
  });

  it('writes both keys of an attribute with a GenAI equivalent, in both conventions', () => {
    const given = { llmModel: 'gpt-4o', genAiOperationName: 'chat', llmProvider: 'OpenAILLM', genAiProviderName: 'openai' };
    const attributes = toSpanAttributes(LLM_GENERATE_SPAN.fields, given, 'span.llm.generate', table(LLM_GENERATE_SPAN, BOTH).writes);
    expect(Object.entries(attributes)).toEqual([
      ['gen_ai.operation.name', 'chat'],
      ['gen_ai.provider.name', 'openai'],
      ['llm.provider', 'OpenAILLM'],
      ['llm.model', 'gpt-4o'],
      ['gen_ai.request.model', 'gpt-4o'],
    ]);
  });

  it('without a table (a descriptor made by hand), writes every attribute under its own key', () => {
    const attributes = toSpanAttributes(LLM_GENERATE_SPAN.fields, { llmModel: 'gpt-4o', genAiOperationName: 'chat', llmProvider: 'openai' }, 'span.llm.generate');
    expect(Object.entries(attributes)).toEqual([
      ['gen_ai.operation.name', 'chat'],
      ['llm.provider', 'openai'],
      ['llm.model', 'gpt-4o'],
    ]);
  });

  it('reports dropped values at the start, in declaration order, and no missing one yet', () => {
    const diagnostics = captureDiagnostics();
    restore = diagnostics.restore;
    toSpanAttributes(LLM_GENERATE_SPAN.fields, { llmTemperature: 'hot', genAiOperationName: 'chat' }, 'span.llm.generate');
    toSpanAttributes(WORKFLOW_NODE_SPAN.fields, { nodeType: 3, nodeName: [] }, 'span.workflow.node');
    expect(diagnostics.messages).toEqual([
      'flo telemetry: span.llm.generate: dropped attribute llm.temperature: "hot" is not of type double',
      'flo telemetry: span.workflow.node: dropped attribute node.name: an array of other values is not of type string',
      'flo telemetry: span.workflow.node: dropped attribute node.type: 3 is not of type string',
    ]);
  });

  it('reports each required attribute a span ends without, once, in declaration order; one set after the start is not missing', async () => {
    const diagnostics = captureDiagnostics();
    restore = diagnostics.restore;
    const telemetry = useInMemoryTelemetry({ conventions: 'both' });
    try {
      // From plain JavaScript, whatever the types say.
      startLlmGenerateSpan({ llmTemperature: 0.2 } as unknown as LlmGenerateSpanAttributes, { name: 'chat' }).end();
      startLlmGenerateSpan({ llmTemperature: 0.2 } as unknown as LlmGenerateSpanAttributes, { name: 'chat' }).end();
      const agent = startAgentRunSpan({ agentName: 'planner', agentType: 'conversational' } as AgentRunSpanAttributes);
      agent.setGenAiProviderName('openai');
      agent.end();
      expect(diagnostics.messages).toEqual([
        'flo telemetry: span.llm.generate: required attribute gen_ai.operation.name is missing',
        'flo telemetry: span.llm.generate: required attribute gen_ai.provider.name is missing',
        'flo telemetry: span.llm.generate: required attribute llm.provider is missing',
        'flo telemetry: span.llm.generate: required attribute llm.model is missing',
      ]);
    } finally {
      await telemetry.shutdown();
    }
  });

  it('writes a fixed value whatever the caller passes, in the loop and the builders alike', () => {
    const given = { agentName: 'planner', agentType: 'conversational', genAiProviderName: 'openai', genAiOperationName: 'chat' } as AgentRunSpanAttributes;
    const { writes, startAttributes } = table(AGENT_RUN_SPAN, BOTH);
    for (const built of [toSpanAttributes(AGENT_RUN_SPAN.fields, given, AGENT_RUN_SPAN.id, writes), startAttributes?.(given, writes, AGENT_RUN_SPAN.fields, AGENT_RUN_SPAN.id)]) {
      expect(built?.['gen_ai.operation.name']).toBe('invoke_agent');
    }
    expect(toSpanAttributes(AGENT_RUN_SPAN.fields, undefined, AGENT_RUN_SPAN.id, writes)['gen_ai.operation.name']).toBe('invoke_agent');
  });

  it('reads values held in getters of a class instance, through the builder and the loop', () => {
    const { writes, startAttributes } = table(LLM_GENERATE_SPAN, FLO);
    class Info {
      get llmProvider() {
        return 'openai';
      }
      get llmModel() {
        return 'gpt-4o';
      }
    }
    const expected = { 'llm.provider': 'openai', 'llm.model': 'gpt-4o' };
    expect(toSpanAttributes(LLM_GENERATE_SPAN.fields, new Info(), 'span.llm.generate', writes)).toEqual(expected);
    expect(startAttributes?.(new Info() as LlmGenerateSpanAttributes, writes, LLM_GENERATE_SPAN.fields, LLM_GENERATE_SPAN.id)).toEqual(expected);
  });
});
