/**
 * Parent/child trees across await, timers, setImmediate, Promise.all and
 * concurrently interleaved runs: several workflows run at once with random
 * (seeded, so reproducible) delays, and every tree is checked.
 */
import { setImmediate as immediate } from 'node:timers/promises';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { traceAgentRun, traceLlmCall, traceLlmStream, traceNode, traceRouterDecision, traceToolCall, traceWorkflow } from '../../src/instrumentation/index.ts';
import { nameTree, useInMemoryTelemetry, type InMemoryTelemetry, type NameTree, type SpanNode } from '../support/in-memory.ts';

let telemetry: InMemoryTelemetry;
beforeEach(() => {
  telemetry = useInMemoryTelemetry();
});
afterEach(async () => {
  await telemetry.shutdown();
});

/** mulberry32: a tiny seeded generator, so a failing interleaving can be replayed. */
function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function* words(text: string, pause: () => Promise<void>) {
  for (const word of text.split(' ')) {
    await pause();
    yield word;
  }
}

/** One workflow whose every step waits a random while, in a different way each time. */
async function runWorkflow(id: number, random: () => number): Promise<string> {
  const sleep = () => new Promise<void>((resolve) => setTimeout(resolve, Math.floor(random() * 8)));
  return traceWorkflow({ name: `wf-${id}`, nodeCount: 2 }, async () => {
    const route = await traceRouterDecision({ routerName: `triage-${id}` }, async () => {
      await sleep();
      return id % 2 === 0 ? 'billing' : 'general';
    });
    const answer = await traceNode({ name: route, type: 'agent' }, () =>
      traceAgentRun({ name: `agent-${id}`, type: 'tool_using' }, async () => {
        await Promise.all([
          traceToolCall({ name: `lookup-${id}` }, async () => {
            await sleep();
            await immediate();
            return 'found';
          }),
          // A tool call started from a timer callback, not from an awaiting function.
          new Promise<string>((resolve) => setTimeout(() => resolve(traceToolCall({ name: `calc-${id}` }, () => '42')), Math.floor(random() * 8))),
        ]);
        const draft = await traceLlmCall({ provider: 'openai', model: `model-${id}` }, async () => {
          await sleep();
          return `draft ${id}`;
        });
        let streamed = '';
        for await (const word of traceLlmStream({ provider: 'openai', model: `model-${id}` }, () => words('a streamed answer', sleep))) streamed += word;
        return `${draft} ${streamed}`;
      }),
    );
    await sleep();
    return traceNode({ name: `format-${id}`, type: 'function' }, () => answer.toUpperCase());
  });
}

function expectedTree(id: number): NameTree {
  const leaf = (name: string): NameTree => ({ name, children: [] });
  return canonical({
    name: `invoke_workflow wf-${id}`,
    children: [
      leaf(`workflow.router.triage-${id}`),
      {
        name: `workflow.node.${id % 2 === 0 ? 'billing' : 'general'}`,
        children: [
          {
            name: `invoke_agent agent-${id}`,
            children: [leaf(`execute_tool lookup-${id}`), leaf(`execute_tool calc-${id}`), leaf(`chat model-${id}`), leaf(`chat model-${id}`)],
          },
        ],
      },
      leaf(`workflow.node.format-${id}`),
    ],
  });
}

/** Children in name order: spans started in the same microsecond have no meaningful order. */
function canonical(tree: NameTree): NameTree {
  return { name: tree.name, children: tree.children.map(canonical).sort((a, b) => a.name.localeCompare(b.name)) };
}

function descendants(node: SpanNode): ReadableSpan[] {
  return node.children.flatMap((child) => [child.span, ...descendants(child)]);
}

it.each([1, 2, 3])('keeps eight interleaved workflows apart (seed %i)', async (seed) => {
  const random = seededRandom(seed);
  const ids = [0, 1, 2, 3, 4, 5, 6, 7];
  const results = await Promise.all(ids.map((id) => runWorkflow(id, random)));
  expect(results).toEqual(ids.map((id) => `DRAFT ${id} ASTREAMEDANSWER`));

  const roots = await telemetry.tree();
  expect(roots).toHaveLength(ids.length);
  for (const id of ids) {
    const root = roots.find((node) => node.span.name === `invoke_workflow wf-${id}`);
    expect(root, `workflow ${id}`).toBeDefined();
    if (root === undefined) continue;
    expect(canonical(nameTree(root))).toEqual(expectedTree(id));
    const traceId = root.span.spanContext().traceId;
    for (const span of descendants(root)) {
      expect(span.spanContext().traceId).toBe(traceId);
      // Every span of this tree belongs to this workflow's run: no attribute leaked in from another one.
      for (const key of ['workflow.name', 'agent.name', 'llm.model']) {
        const value = span.attributes[key];
        if (value !== undefined) expect(String(value)).toMatch(new RegExp(`-${id}$`));
      }
    }
  }
  expect(new Set(roots.map((root) => root.span.spanContext().traceId)).size).toBe(ids.length);
});
