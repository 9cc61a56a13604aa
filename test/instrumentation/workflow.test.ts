/**
 * traceWorkflow, traceNode, traceRouterDecision: spans, node outcomes and
 * timing, router decisions, the workflow name inherited through context.
 */
import { SpanStatusCode } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { traceNode, traceRouterDecision, traceWorkflow, wrapNode, wrapRouterDecision, wrapWorkflow } from '../../src/instrumentation/index.ts';
import { formatTree, useInMemoryTelemetry, type InMemoryTelemetry } from '../support/in-memory.ts';

class NodeCrashed extends Error {}
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let telemetry: InMemoryTelemetry;
beforeEach(() => {
  telemetry = useInMemoryTelemetry();
});
afterEach(async () => {
  await telemetry.shutdown();
});

async function supportPipeline(question: string): Promise<string> {
  return traceWorkflow({ name: 'support', nodeCount: 3 }, async () => {
    const route = await traceRouterDecision({ routerName: 'triage' }, async () => (question.includes('bill') ? 'billing' : 'general'));
    const answer = await traceNode({ name: route, type: 'agent' }, async () => {
      await delay(5);
      return `answer from ${route}`;
    });
    return traceNode({ name: 'format', type: 'function' }, () => answer.toUpperCase());
  });
}

describe('a workflow', () => {
  it('returns its result and forms the tree workflow → router, nodes', async () => {
    expect(await supportPipeline('my bill is wrong')).toBe('ANSWER FROM BILLING');
    expect(formatTree(await telemetry.tree())).toEqual([
      'invoke_workflow support',
      '  workflow.router.triage',
      '  workflow.node.billing',
      '  workflow.node.format',
    ]);
  });

  it('sets the attributes of each span, nodes and router inheriting the workflow name', async () => {
    await supportPipeline('my bill is wrong');
    expect((await telemetry.span('invoke_workflow support')).attributes).toEqual({
      'gen_ai.operation.name': 'invoke_workflow',
      'workflow.name': 'support',
      'gen_ai.workflow.name': 'support',
      'workflow.node_count': 3,
      'workflow.result.length': 'ANSWER FROM BILLING'.length,
    });
    // A router has no GenAI counterpart: its span carries flo_ai's keys only.
    expect((await telemetry.span('workflow.router.triage')).attributes).toEqual({
      'workflow.name': 'support',
      'router.name': 'triage',
      'router.decision': 'billing',
    });
    const node = await telemetry.span('workflow.node.billing');
    expect(node.attributes).toMatchObject({ 'workflow.name': 'support', 'node.name': 'billing', 'node.type': 'agent' });
    expect(node.attributes['node.execution_time_ms']).toBeGreaterThanOrEqual(4);
  });

  it('records executions, node outcomes and durations, and router decisions', async () => {
    await supportPipeline('my bill is wrong');
    await supportPipeline('hello');
    await supportPipeline('another bill');
    expect(await telemetry.points('workflow.executions.total')).toEqual([{ attributes: { workflow_name: 'support', status: 'success' }, value: 3 }]);
    expect(await telemetry.histogram('workflow.execution.duration', { workflow_name: 'support' })).toMatchObject({ count: 3 });
    expect(await telemetry.points('workflow.router.decisions')).toEqual([
      { attributes: { workflow_name: 'support', router_name: 'triage', route: 'billing' }, value: 2 },
      { attributes: { workflow_name: 'support', router_name: 'triage', route: 'general' }, value: 1 },
    ]);
    expect(await telemetry.counter('workflow.nodes.executed', { node_name: 'format', node_type: 'function', status: 'success' })).toBe(3);
    const billing = await telemetry.histogram('workflow.node.duration', { workflow_name: 'support', node_name: 'billing', node_type: 'agent' });
    expect(billing.count).toBe(2);
    expect(billing.sum).toBeGreaterThanOrEqual(8);
    expect(await telemetry.telemetry()).toConformToSpec();
  });
});

describe('failures', () => {
  it('a failing node records its failure and time, and the workflow its error', async () => {
    const crash = new NodeCrashed('out of memory');
    const run = traceWorkflow({ name: 'etl' }, async () => {
      await traceNode({ name: 'extract', type: 'function' }, () => 'rows');
      await traceNode({ name: 'load', type: 'function' }, async () => {
        await delay(2);
        throw crash;
      });
    });
    await expect(run).rejects.toBe(crash);

    const load = await telemetry.span('workflow.node.load');
    expect(load.status.code).toBe(SpanStatusCode.ERROR);
    expect(load.attributes['error.type']).toBe('NodeCrashed');
    expect(load.attributes['node.execution_time_ms']).toBeGreaterThan(1);
    expect(await telemetry.points('workflow.nodes.executed')).toEqual([
      { attributes: { workflow_name: 'etl', node_name: 'extract', node_type: 'function', status: 'success' }, value: 1 },
      { attributes: { workflow_name: 'etl', node_name: 'load', node_type: 'function', status: 'error' }, value: 1 },
    ]);
    expect(await telemetry.histogram('workflow.node.duration', { node_name: 'load' })).toEqual({ count: 0, sum: 0 });
    expect(await telemetry.points('workflow.executions.total')).toEqual([{ attributes: { workflow_name: 'etl', status: 'error' }, value: 1 }]);
    expect(await telemetry.points('workflow.errors.total')).toEqual([{ attributes: { workflow_name: 'etl', error_type: 'NodeCrashed' }, value: 1 }]);
    expect(await telemetry.points('workflow.execution.duration')).toEqual([]);
    expect((await telemetry.span('invoke_workflow etl')).attributes['error.type']).toBe('NodeCrashed');
  });

  it('a failing router records the error and no decision', async () => {
    expect(() =>
      traceRouterDecision({ workflowName: 'w', routerName: 'r' }, () => {
        throw new RangeError('no route');
      }),
    ).toThrow(RangeError);
    const router = await telemetry.span('workflow.router.r');
    expect(router.attributes['router.decision']).toBeUndefined();
    expect(router.attributes['error.type']).toBe('RangeError');
    expect(await telemetry.points('workflow.router.decisions')).toEqual([]);
  });
});

describe('explicit names and wrappers', () => {
  it('an explicit workflow name wins over the context; a sync router stays sync', async () => {
    traceWorkflow({ name: 'outer' }, () => {
      expect(traceRouterDecision({ routerName: 'pick', workflowName: 'other' }, () => 'left')).toBe('left');
      traceNode({ name: 'n', type: 'function', workflowName: 'other' }, () => undefined);
    });
    expect((await telemetry.span('workflow.router.pick')).attributes['workflow.name']).toBe('other');
    expect((await telemetry.span('workflow.node.n')).attributes['workflow.name']).toBe('other');
  });

  it('wrapped functions keep their this and arguments', async () => {
    class Graph {
      readonly name = 'graph';
      readonly nodes = ['a', 'b'];
      route = wrapRouterDecision((self: Graph) => ({ routerName: `${self.name}_router` }), function (this: Graph, input: string) {
        return this.nodes.includes(input) ? input : 'a';
      });
      step = wrapNode((_self: Graph, [name]) => ({ name, type: 'function' }), async function (this: Graph, name: string) {
        return `${this.name}:${name}`;
      });
      run = wrapWorkflow((self: Graph) => ({ name: self.name, nodeCount: self.nodes.length }), async function (this: Graph, input: string) {
        return this.step(this.route(input));
      });
    }
    const graph = new Graph();
    expect(await graph.run('b')).toBe('graph:b');
    expect(formatTree(await telemetry.tree())).toEqual(['invoke_workflow graph', '  workflow.router.graph_router', '  workflow.node.b']);
    expect((await telemetry.span('workflow.node.b')).attributes['workflow.name']).toBe('graph');
  });
});
