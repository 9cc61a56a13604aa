/**
 * toSpanAttributes walks the properties given when a span declares many
 * attributes (the LLM span), and every declared field otherwise: both ways
 * must give the same attributes, in declaration order, with the same warnings.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LLM_GENERATE_SPAN, WORKFLOW_NODE_SPAN } from '../../src/generated/spans.ts';
import { toSpanAttributes } from '../../src/runtime/attributes.ts';
import { setConventions } from '../../src/runtime/conventions.ts';
import { captureDiagnostics } from '../support/harness.ts';

let restore: (() => void) | undefined;
afterEach(() => {
  restore?.();
  setConventions('both');
});

describe('toSpanAttributes', () => {
  it('writes a long span’s attributes in declaration order whatever order they are given in', () => {
    setConventions('flo');
    const attributes = toSpanAttributes(LLM_GENERATE_SPAN.fields, { llmTemperature: 0.5, unknownProperty: 1, llmModel: 'gpt-4o', llmProvider: 'openai', genAiRequestSeed: undefined }, 'span.llm.generate');
    expect(Object.entries(attributes)).toEqual([
      ['llm.provider', 'openai'],
      ['llm.model', 'gpt-4o'],
      ['llm.temperature', 0.5],
    ]);
  });

  it('writes both keys of an attribute with a GenAI equivalent, in both conventions', () => {
    const attributes = toSpanAttributes(LLM_GENERATE_SPAN.fields, { llmModel: 'gpt-4o', genAiOperationName: 'chat', llmProvider: 'openai' }, 'span.llm.generate');
    expect(Object.entries(attributes)).toEqual([
      ['gen_ai.operation.name', 'chat'],
      ['llm.provider', 'openai'],
      ['gen_ai.provider.name', 'openai'],
      ['llm.model', 'gpt-4o'],
      ['gen_ai.request.model', 'gpt-4o'],
    ]);
  });

  it('reports missing required attributes and dropped values in declaration order, long list or short', () => {
    const diagnostics = captureDiagnostics();
    restore = diagnostics.restore;
    toSpanAttributes(LLM_GENERATE_SPAN.fields, { llmTemperature: 'hot', genAiOperationName: 'chat' }, 'span.llm.generate');
    toSpanAttributes(WORKFLOW_NODE_SPAN.fields, { nodeType: 3 }, 'span.workflow.node');
    expect(diagnostics.messages).toEqual([
      'flo telemetry: span.llm.generate: required attribute llm.provider is missing',
      'flo telemetry: span.llm.generate: required attribute llm.model is missing',
      'flo telemetry: span.llm.generate: dropped attribute llm.temperature: "hot" is not of type double',
      'flo telemetry: span.workflow.node: required attribute workflow.name is missing',
      'flo telemetry: span.workflow.node: required attribute node.name is missing',
      'flo telemetry: span.workflow.node: dropped attribute node.type: 3 is not of type string',
    ]);
  });

  it('reads values held in getters of a class instance', () => {
    setConventions('flo');
    class Info {
      get llmProvider() {
        return 'openai';
      }
      get llmModel() {
        return 'gpt-4o';
      }
    }
    expect(toSpanAttributes(LLM_GENERATE_SPAN.fields, new Info(), 'span.llm.generate')).toEqual({ 'llm.provider': 'openai', 'llm.model': 'gpt-4o' });
  });
});
