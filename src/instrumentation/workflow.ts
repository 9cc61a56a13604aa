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
import { context } from '@opentelemetry/api';
import { GEN_AI_OPERATION_NAME_VALUE_INVOKE_WORKFLOW, STATUS_VALUE_ERROR, STATUS_VALUE_SUCCESS } from '../generated/attributes.ts';
import type { ConventionsEmitter, WorkflowNodeFacts, WorkflowRunFacts } from '../generated/conventions.ts';
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
import { runInSpan, spanEmitted, type OutcomeHooks, type SpanStartOptions } from '../runtime/spans.ts';
import { LinkedContext } from '../runtime/linked-context.ts';
import { errorType, hasInfo, session, textLength } from './internal.ts';
import { insideInvocation, WORKFLOW_NAME_KEY } from './invocation.ts';
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

/** What the functions get while telemetry is off: spans that record nothing. */
const OFF_RUN = new WorkflowRunSpan(undefined, WORKFLOW_RUN_SPAN);
const OFF_NODE = new WorkflowNodeSpan(undefined, WORKFLOW_NODE_SPAN);
const OFF_ROUTER = new WorkflowRouterSpan(undefined, WORKFLOW_ROUTER_SPAN);

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Runs `run` inside the `workflow.{name}` span; returns or throws exactly
 * what it does. Records the workflow's outcome and duration (flo_ai's
 * `workflow.executions.total`, `workflow.execution.duration` of successful
 * runs, `workflow.errors.total`, or GenAI's invocation duration, as the
 * session's conventions map them) and the length of a string result on the span.
 */
export function traceWorkflow<T>(info: WorkflowInfo, run: (span: WorkflowRunSpan) => T, options?: SpanStartOptions): T {
  const current = session();
  if (current === undefined || !hasInfo('traceWorkflow', info)) return run(OFF_RUN);
  const active = context.active();
  const facts: Mutable<WorkflowRunFacts> = {
    workflowName: info.name,
    status: STATUS_VALUE_SUCCESS,
    errorType: undefined,
    genAiOperationName: GEN_AI_OPERATION_NAME_VALUE_INVOKE_WORKFLOW,
    genAiInvocationIsNested: insideInvocation(active),
    genAiAgentName: undefined,
    genAiWorkflowName: info.name,
    genAiRequestModel: undefined,
  };
  const span = startWorkflowRunSpan({ workflowName: info.name, workflowNodeCount: info.nodeCount }, options);
  // The workflow name goes in the context together with the span: one context switch for both.
  return runInSpan(span, run, new WorkflowOutcome<Awaited<T>>(span, facts, current.emitter), LinkedContext.with(active, WORKFLOW_NAME_KEY, info.name));
}

/** What a workflow run records once its outcome is known: one object per run, no closures. */
class WorkflowOutcome<R> implements OutcomeHooks<R> {
  readonly #span: WorkflowRunSpan;
  readonly #facts: Mutable<WorkflowRunFacts>;
  readonly #emitter: ConventionsEmitter;
  readonly #started = performance.now();

  constructor(span: WorkflowRunSpan, facts: Mutable<WorkflowRunFacts>, emitter: ConventionsEmitter) {
    this.#span = span;
    this.#facts = facts;
    this.#emitter = emitter;
  }

  onSuccess(result: R): void {
    const resultLength = textLength(result);
    if (resultLength !== undefined) this.#span.setWorkflowResultLength(resultLength);
    this.#emitter.workflowRun(performance.now() - this.#started, this.#facts);
  }

  onFailure(error: unknown): void {
    this.#facts.status = STATUS_VALUE_ERROR;
    this.#facts.errorType = errorType(error);
    this.#emitter.workflowRun(performance.now() - this.#started, this.#facts);
  }
}

/**
 * Runs `run` inside the `workflow.node.{name}` span. Records the node's
 * outcome and duration (flo_ai's `workflow.nodes.executed` by status,
 * `workflow.node.duration` of successful nodes) and `node.execution_time_ms`
 * on the span whatever the outcome. A node is flo_ai's concept only: with the
 * GenAI conventions alone its span is not emitted (its children hang from the
 * workflow) and it records nothing.
 */
export function traceNode<T>(info: NodeInfo, run: (span: WorkflowNodeSpan) => T, options?: SpanStartOptions): T {
  const current = session();
  // Nothing to observe where the session's conventions neither emit the span nor record the node.
  if (current === undefined || !(current.emitter.records.workflowNode || spanEmitted(WORKFLOW_NODE_SPAN)) || !hasInfo('traceNode', info)) return run(OFF_NODE);
  const facts: Mutable<WorkflowNodeFacts> = { workflowName: resolvedWorkflowName(info.workflowName), nodeName: info.name, nodeType: info.type, status: STATUS_VALUE_SUCCESS };
  const span = startWorkflowNodeSpan(facts, options);
  return runInSpan(span, run, new NodeOutcome<Awaited<T>>(span, facts, current.emitter));
}

/** What a node records once its outcome is known: one object per node, no closures. */
class NodeOutcome<R> implements OutcomeHooks<R> {
  readonly #span: WorkflowNodeSpan;
  readonly #facts: Mutable<WorkflowNodeFacts>;
  readonly #emitter: ConventionsEmitter;
  readonly #started = performance.now();

  constructor(span: WorkflowNodeSpan, facts: Mutable<WorkflowNodeFacts>, emitter: ConventionsEmitter) {
    this.#span = span;
    this.#facts = facts;
    this.#emitter = emitter;
  }

  onSuccess(): void {
    this.#record();
  }

  onFailure(): void {
    this.#facts.status = STATUS_VALUE_ERROR;
    this.#record();
  }

  #record(): void {
    const elapsedMs = performance.now() - this.#started;
    this.#span.setNodeExecutionTimeMs(elapsedMs);
    this.#emitter.workflowNode(elapsedMs, this.#facts);
  }
}

/**
 * Runs the router's `decide` inside the `workflow.router.{routerName}` span
 * and returns its choice unchanged; sets `router.decision` and reports the
 * chosen route (flo_ai's `workflow.router.decisions`). Like a node, a router is
 * flo_ai's concept only.
 */
export function traceRouterDecision<T extends string | PromiseLike<string>>(
  info: RouterInfo,
  decide: (span: WorkflowRouterSpan) => T,
  options?: SpanStartOptions,
): T {
  const current = session();
  if (current === undefined || !(current.emitter.records.workflowRouterDecision || spanEmitted(WORKFLOW_ROUTER_SPAN)) || !hasInfo('traceRouterDecision', info)) return decide(OFF_ROUTER);
  const workflowName = resolvedWorkflowName(info.workflowName);
  const span = startWorkflowRouterSpan({ workflowName, routerName: info.routerName }, options);
  const emitter = current.emitter;
  return runInSpan(span, decide, {
    onSuccess(route) {
      span.setRouterDecision(route);
      if (typeof route === 'string') emitter.workflowRouterDecision({ workflowName, routerName: info.routerName, route });
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
