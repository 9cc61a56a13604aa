/**
 * Workflows (flo_ai's Arium), their nodes and their routers. The workflow
 * name is put in the active context, so nodes and routers inside a traced
 * workflow need not repeat it.
 *
 * With the GenAI conventions the workflow span is `invoke_workflow {name}`;
 * nodes and routers have no GenAI counterpart, so when only the GenAI
 * conventions are emitted they record nothing (their children then hang
 * from the workflow span).
 */
import { context, createContextKey } from '@opentelemetry/api';
import { GEN_AI_OPERATION_NAME_VALUE_INVOKE_WORKFLOW, STATUS_VALUE_ERROR, STATUS_VALUE_SUCCESS, type StatusValue } from '../generated/attributes.ts';
import {
  recordWorkflowErrorsTotal,
  recordWorkflowExecutionDuration,
  recordWorkflowExecutionsTotal,
  recordWorkflowNodeDuration,
  recordWorkflowNodesExecuted,
  recordWorkflowRouterDecisions,
} from '../generated/metrics.ts';
import {
  startWorkflowNodeSpan,
  startWorkflowRouterSpan,
  startWorkflowRunSpan,
  WORKFLOW_NODE_SPAN,
  WORKFLOW_ROUTER_SPAN,
  WORKFLOW_RUN_SPAN,
  WorkflowNodeSpan,
  WorkflowRouterSpan,
  WorkflowRunSpan,
} from '../generated/spans.ts';
import { runInSpan, type OutcomeHooks, type SpanStartOptions } from '../runtime/spans.ts';
import { LinkedContext } from '../runtime/linked-context.ts';
import { emitsFlo, emitsGenAi, errorType, hasInfo, telemetryOn, textLength } from './internal.ts';
import { callThrough, wrapWith, type InfoSource } from './wrap.ts';

export interface WorkflowInfo {
  readonly name: string;
  /** Nodes in the workflow graph. */
  readonly nodeCount?: number;
}

export interface NodeInfo {
  readonly name: string;
  /** The kind of node (`agent`, `tool`, `function`, `router`). */
  readonly type: string;
  /** Default: the workflow traced around this node. */
  readonly workflowName?: string;
}

export interface RouterInfo {
  readonly routerName: string;
  /** Default: the workflow traced around this decision. */
  readonly workflowName?: string;
}

const WORKFLOW_NAME_KEY = createContextKey('flo instrumentation: workflow name');

/** The name of the innermost workflow traced around here, if any. */
export function activeWorkflowName(): string | undefined {
  return context.active().getValue(WORKFLOW_NAME_KEY) as string | undefined;
}

/**
 * The given workflow name, else the one traced around here. With neither it
 * stays missing: the runtime reports the missing required attribute once
 * through diag, which beats recording a made-up name.
 */
function resolvedWorkflowName(given: string | undefined): string {
  return (given ?? activeWorkflowName()) as string;
}

/**
 * Runs `run` inside the `workflow.{name}` span; returns or throws exactly
 * what it does. Records `workflow.executions.total` with the outcome,
 * `workflow.execution.duration` (successful runs), `workflow.errors.total`,
 * and the length of a string result on the span.
 */
export function traceWorkflow<T>(info: WorkflowInfo, run: (span: WorkflowRunSpan) => T, options?: SpanStartOptions): T {
  if (!hasInfo('traceWorkflow', info)) return run(new WorkflowRunSpan(undefined, WORKFLOW_RUN_SPAN));
  const span = startWorkflowRunSpan(
    {
      workflowName: info.name,
      workflowNodeCount: emitsFlo() ? info.nodeCount : undefined,
      genAiOperationName: emitsGenAi() ? GEN_AI_OPERATION_NAME_VALUE_INVOKE_WORKFLOW : undefined,
    },
    options,
  );
  if (!telemetryOn()) return run(span);
  // The workflow name goes in the context together with the span: one context switch for both.
  return runInSpan(span, run, new WorkflowOutcome<Awaited<T>>(span, info.name), LinkedContext.with(context.active(), WORKFLOW_NAME_KEY, info.name));
}

/** What a workflow run records once its outcome is known: one object per run, no closures. */
class WorkflowOutcome<R> implements OutcomeHooks<R> {
  readonly #span: WorkflowRunSpan;
  readonly #workflowName: string;
  readonly #flo = emitsFlo();
  readonly #started = performance.now();

  constructor(span: WorkflowRunSpan, workflowName: string) {
    this.#span = span;
    this.#workflowName = workflowName;
  }

  onSuccess(result: R): void {
    if (!this.#flo) return;
    const resultLength = textLength(result);
    if (resultLength !== undefined) this.#span.setWorkflowResultLength(resultLength);
    recordWorkflowExecutionsTotal(1, { workflowName: this.#workflowName, status: STATUS_VALUE_SUCCESS });
    recordWorkflowExecutionDuration(performance.now() - this.#started, { workflowName: this.#workflowName });
  }

  onFailure(error: unknown): void {
    if (!this.#flo) return;
    recordWorkflowExecutionsTotal(1, { workflowName: this.#workflowName, status: STATUS_VALUE_ERROR });
    recordWorkflowErrorsTotal(1, { workflowName: this.#workflowName, errorType: errorType(error) });
  }
}

/**
 * Runs `run` inside the `workflow.node.{name}` span. Records
 * `workflow.nodes.executed` with the outcome (node success and failure
 * rates), `workflow.node.duration` (successful nodes), and
 * `node.execution_time_ms` on the span whatever the outcome.
 */
export function traceNode<T>(info: NodeInfo, run: (span: WorkflowNodeSpan) => T, options?: SpanStartOptions): T {
  if (!hasInfo('traceNode', info)) return run(new WorkflowNodeSpan(undefined, WORKFLOW_NODE_SPAN));
  const workflowName = resolvedWorkflowName(info.workflowName);
  // A node is flo_ai's concept only: with the GenAI conventions alone it records nothing.
  if (!emitsFlo()) return run(new WorkflowNodeSpan(undefined, WORKFLOW_NODE_SPAN));
  const attributes = { workflowName, nodeName: info.name, nodeType: info.type };
  const span = startWorkflowNodeSpan(attributes, options);
  if (!telemetryOn()) return run(span);
  return runInSpan(span, run, new NodeOutcome<Awaited<T>>(span, attributes));
}

/** What a node records once its outcome is known: one object per node, no closures. */
class NodeOutcome<R> implements OutcomeHooks<R> {
  readonly #span: WorkflowNodeSpan;
  readonly #attributes: { readonly workflowName: string; readonly nodeName: string; readonly nodeType: string };
  readonly #started = performance.now();

  constructor(span: WorkflowNodeSpan, attributes: { readonly workflowName: string; readonly nodeName: string; readonly nodeType: string }) {
    this.#span = span;
    this.#attributes = attributes;
  }

  onSuccess(): void {
    recordWorkflowNodeDuration(this.#record(STATUS_VALUE_SUCCESS), this.#attributes);
  }

  onFailure(): void {
    this.#record(STATUS_VALUE_ERROR);
  }

  #record(status: StatusValue): number {
    const elapsedMs = performance.now() - this.#started;
    this.#span.setNodeExecutionTimeMs(elapsedMs);
    const { workflowName, nodeName, nodeType } = this.#attributes;
    recordWorkflowNodesExecuted(1, { workflowName, nodeName, nodeType, status });
    return elapsedMs;
  }
}

/**
 * Runs the router's `decide` inside the `workflow.router.{routerName}` span
 * and returns its choice unchanged; sets `router.decision` and counts the
 * chosen route in `workflow.router.decisions`.
 */
export function traceRouterDecision<T extends string | PromiseLike<string>>(
  info: RouterInfo,
  decide: (span: WorkflowRouterSpan) => T,
  options?: SpanStartOptions,
): T {
  if (!hasInfo('traceRouterDecision', info) || !emitsFlo()) return decide(new WorkflowRouterSpan(undefined, WORKFLOW_ROUTER_SPAN));
  const workflowName = resolvedWorkflowName(info.workflowName);
  const span = startWorkflowRouterSpan({ workflowName, routerName: info.routerName }, options);
  if (!telemetryOn()) return decide(span);
  return runInSpan(span, decide, {
    onSuccess(route) {
      span.setRouterDecision(route);
      if (typeof route === 'string') recordWorkflowRouterDecisions(1, { workflowName, routerName: info.routerName, route });
    },
    onFailure() {
      // The span carries the error; the spec counts decisions, not failed attempts.
    },
  });
}

export function wrapWorkflow<This, Args extends unknown[], R>(
  info: InfoSource<WorkflowInfo, This, NoInfer<Args>>,
  fn: (this: This, ...args: Args) => R,
  options?: SpanStartOptions,
): (this: This, ...args: Args) => R {
  return wrapWith('workflow', info, fn, (resolved, call) => traceWorkflow(resolved, call, options), callThrough);
}

export function wrapNode<This, Args extends unknown[], R>(
  info: InfoSource<NodeInfo, This, NoInfer<Args>>,
  fn: (this: This, ...args: Args) => R,
  options?: SpanStartOptions,
): (this: This, ...args: Args) => R {
  return wrapWith('workflow node', info, fn, (resolved, call) => traceNode(resolved, call, options), callThrough);
}

export function wrapRouterDecision<This, Args extends unknown[], R extends string | PromiseLike<string>>(
  info: InfoSource<RouterInfo, This, NoInfer<Args>>,
  fn: (this: This, ...args: Args) => R,
  options?: SpanStartOptions,
): (this: This, ...args: Args) => R {
  return wrapWith('router decision', info, fn, (resolved, call) => traceRouterDecision(resolved, call, options), callThrough);
}
