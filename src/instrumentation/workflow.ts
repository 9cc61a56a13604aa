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
import { context, type Context } from '@opentelemetry/api';
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
import { contextWithSpan, runInSpan, spanEmitted, type SpanStartOptions } from '../runtime/spans.ts';
import { LinkedContext } from '../runtime/linked-context.ts';
import { errorType, hasInfo, session, textLength, warnFailed, type Session } from './internal.ts';
import { InertOperation, Lifecycle, OperationHandle, parentContext, spanOptions, startInstant, type Operation, type OperationOptions } from './operation.ts';
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
export function activeWorkflowName(active: Context = context.active()): string | undefined {
  return active.getValue(WORKFLOW_NAME_KEY) as string | undefined;
}

/**
 * The given workflow name, else the one traced around here. With neither it
 * stays missing: the runtime reports the missing required attribute once
 * through diag, which beats recording a made-up name.
 */
function resolvedWorkflowName(given: string | undefined, active?: Context): string {
  return (given ?? activeWorkflowName(active)) as string;
}

/** What the functions get while telemetry is off: spans that record nothing. */
const OFF_RUN = new WorkflowRunSpan(undefined, WORKFLOW_RUN_SPAN);
const OFF_NODE = new WorkflowNodeSpan(undefined, WORKFLOW_NODE_SPAN);
const OFF_ROUTER = new WorkflowRouterSpan(undefined, WORKFLOW_ROUTER_SPAN);
const NO_OPTIONS: OperationOptions = Object.freeze({});

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Runs `run` inside the `workflow.{name}` span; returns or throws exactly
 * what it does. Records the workflow's outcome and duration (flo_ai's
 * `workflow.executions.total`, `workflow.execution.duration` of successful
 * runs, `workflow.errors.total`, or GenAI's invocation duration, as the
 * session's conventions map them) and the length of a string result on the
 * span: what a `startWorkflow` handle records, the run's outcome going to one.
 */
export function traceWorkflow<T>(info: WorkflowInfo, run: (span: WorkflowRunSpan) => T, options?: SpanStartOptions): T {
  const current = session();
  if (current === undefined || !hasInfo('traceWorkflow', info)) return run(OFF_RUN);
  const active = context.active();
  const handle = new WorkflowRun<Awaited<T>>(info, options ?? NO_OPTIONS, options?.parent ?? active, current);
  // The workflow name goes in the context together with the span: one context switch for both.
  return runInSpan(handle.span, run, handle, LinkedContext.with(active, WORKFLOW_NAME_KEY, info.name));
}

/** A workflow run in progress, as `startWorkflow` returns it; nodes started under it take its name. */
export interface WorkflowHandle extends Operation {
  readonly span: WorkflowRunSpan;
  recordResult(result: unknown): void;
}

/** Starts a workflow run that ends in another call; records exactly what `traceWorkflow` records. Never throws. */
export function startWorkflow(info: WorkflowInfo, options: OperationOptions = NO_OPTIONS): WorkflowHandle {
  const current = session();
  if (current === undefined || !hasInfo('startWorkflow', info)) return new InertOperation(OFF_RUN);
  try {
    return new WorkflowRun(info, options, parentContext(options.parent), current).countIn(current);
  } catch (error) {
    warnFailed('startWorkflow', error);
    return new InertOperation(OFF_RUN);
  }
}

/** One workflow run, from its start to exactly one end. */
class WorkflowRun<R> extends OperationHandle<R> implements WorkflowHandle {
  protected readonly life = new Lifecycle('workflow');
  readonly span: WorkflowRunSpan;
  readonly #name: string;
  readonly #facts: Mutable<WorkflowRunFacts>;
  readonly #emitter: ConventionsEmitter;
  readonly #parent: Context;
  readonly #started: number;
  #resultLength: number | undefined;
  #context: Context | undefined;

  constructor(info: WorkflowInfo, options: OperationOptions, parent: Context, current: Session) {
    super();
    this.#name = info.name;
    this.#facts = {
      workflowName: info.name,
      status: STATUS_VALUE_SUCCESS,
      errorType: undefined,
      genAiOperationName: GEN_AI_OPERATION_NAME_VALUE_INVOKE_WORKFLOW,
      genAiInvocationIsNested: insideInvocation(parent),
      genAiAgentName: undefined,
      genAiWorkflowName: info.name,
      genAiRequestModel: undefined,
    };
    this.span = startWorkflowRunSpan(
      { workflowName: info.name, workflowNodeCount: info.nodeCount },
      spanOptions(options, parent),
    );
    this.#emitter = current.emitter;
    this.#parent = parent;
    this.#started = startInstant(options.startTime);
  }

  /** The workflow's span with its name: nodes and routers started in it take the name. */
  get context(): Context {
    this.#context ??= contextWithSpan(LinkedContext.with(this.#parent, WORKFLOW_NAME_KEY, this.#name), this.span);
    return this.#context;
  }

  recordResult(result: unknown): void {
    if (this.life.usable('recordResult')) this.#resultLength = textLength(result);
  }

  onSuccess(result: R): void {
    this.recordResult(result);
    this.end();
  }

  onFailure(error: unknown): void {
    this.life.fail(error);
    this.end();
  }

  end(): void {
    if (!this.life.close()) return;
    const failure = this.life.failure;
    try {
      if (failure === undefined) {
        if (this.#resultLength !== undefined) this.span.setWorkflowResultLength(this.#resultLength);
      } else {
        this.#facts.status = STATUS_VALUE_ERROR;
        this.#facts.errorType = errorType(failure.error);
      }
      this.#emitter.workflowRun(performance.now() - this.#started, this.#facts);
    } catch (error) {
      this.life.endFailed(error);
    } finally {
      if (failure !== undefined) this.span.recordError(failure.error);
      this.span.end();
    }
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
  if (current === undefined || !observesNodes(current) || !hasInfo('traceNode', info)) return run(OFF_NODE);
  const handle = new NodeRun<Awaited<T>>(info, options ?? NO_OPTIONS, options?.parent ?? context.active(), current);
  return runInSpan(handle.span, run, handle);
}

function observesNodes(current: Session): boolean {
  return current.emitter.records.workflowNode || spanEmitted(WORKFLOW_NODE_SPAN);
}

/** A node in progress, as `startNode` returns it. */
export interface NodeHandle extends Operation {
  readonly span: WorkflowNodeSpan;
}

/**
 * Starts a workflow node that ends in another call; records exactly what `traceNode` records.
 * Where the session's conventions leave nodes out, the handle records nothing and its context is
 * its parent's, so what starts under it hangs from the workflow. Never throws.
 */
export function startNode(info: NodeInfo, options: OperationOptions = NO_OPTIONS): NodeHandle {
  const current = session();
  if (current === undefined || !hasInfo('startNode', info)) return new InertOperation(OFF_NODE);
  try {
    const parent = parentContext(options.parent);
    if (!observesNodes(current)) return new InertOperation(OFF_NODE, parent);
    return new NodeRun(info, options, parent, current).countIn(current);
  } catch (error) {
    warnFailed('startNode', error);
    return new InertOperation(OFF_NODE);
  }
}

/** One node, from its start to exactly one end. */
class NodeRun<R> extends OperationHandle<R> implements NodeHandle {
  protected readonly life = new Lifecycle('workflow node');
  readonly span: WorkflowNodeSpan;
  readonly #facts: Mutable<WorkflowNodeFacts>;
  readonly #emitter: ConventionsEmitter;
  readonly #parent: Context;
  readonly #started: number;
  #context: Context | undefined;

  constructor(info: NodeInfo, options: OperationOptions, parent: Context, current: Session) {
    super();
    this.#facts = { workflowName: resolvedWorkflowName(info.workflowName, parent), nodeName: info.name, nodeType: info.type, status: STATUS_VALUE_SUCCESS };
    this.span = startWorkflowNodeSpan(this.#facts, spanOptions(options, parent));
    this.#emitter = current.emitter;
    this.#parent = parent;
    this.#started = startInstant(options.startTime);
  }

  get context(): Context {
    this.#context ??= contextWithSpan(this.#parent, this.span);
    return this.#context;
  }

  onSuccess(): void {
    this.end();
  }

  onFailure(error: unknown): void {
    this.life.fail(error);
    this.end();
  }

  end(): void {
    if (!this.life.close()) return;
    try {
      if (this.life.failure !== undefined) this.#facts.status = STATUS_VALUE_ERROR;
      const elapsedMs = performance.now() - this.#started;
      this.span.setNodeExecutionTimeMs(elapsedMs);
      this.#emitter.workflowNode(elapsedMs, this.#facts);
    } catch (error) {
      this.life.endFailed(error);
    } finally {
      if (this.life.failure !== undefined) this.span.recordError(this.life.failure.error);
      this.span.end();
    }
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
  if (current === undefined || !observesRouters(current) || !hasInfo('traceRouterDecision', info)) return decide(OFF_ROUTER);
  const decision = new RouterDecision(info, options ?? NO_OPTIONS, options?.parent ?? context.active(), current);
  return runInSpan(decision.span, decide, decision);
}

/**
 * Records a decision a router has made: the `workflow.router.{routerName}` span (from
 * `startTime`, when given, to now) with `router.decision`, and the chosen route, as
 * `traceRouterDecision` records them. For frameworks that report a decision after the fact.
 * Never throws; while telemetry is off it records nothing.
 */
export function recordRouterDecision(info: RouterInfo, route: string, options: OperationOptions = NO_OPTIONS): void {
  const current = session();
  if (current === undefined || !observesRouters(current) || !hasInfo('recordRouterDecision', info)) return;
  try {
    new RouterDecision(info, options, parentContext(options.parent), current).onSuccess(route);
  } catch (error) {
    warnFailed('recordRouterDecision', error);
  }
}

function observesRouters(current: Session): boolean {
  return current.emitter.records.workflowRouterDecision || spanEmitted(WORKFLOW_ROUTER_SPAN);
}

/** One router decision, from its start to its route. */
class RouterDecision extends OperationHandle<string> {
  protected readonly life = new Lifecycle('router decision');
  readonly span: WorkflowRouterSpan;
  readonly #workflowName: string;
  readonly #routerName: string;
  readonly #emitter: ConventionsEmitter;
  readonly #parent: Context;
  #decided = false;
  #route: string | undefined;

  constructor(info: RouterInfo, options: OperationOptions, parent: Context, current: Session) {
    super();
    this.#workflowName = resolvedWorkflowName(info.workflowName, parent);
    this.#routerName = info.routerName;
    this.span = startWorkflowRouterSpan({ workflowName: this.#workflowName, routerName: info.routerName }, spanOptions(options, parent));
    this.#emitter = current.emitter;
    this.#parent = parent;
  }

  get context(): Context {
    return contextWithSpan(this.#parent, this.span);
  }

  onSuccess(route: string): void {
    this.#decided = true;
    this.#route = route;
    this.end();
  }

  onFailure(error: unknown): void {
    this.life.fail(error);
    this.end();
  }

  end(): void {
    if (!this.life.close()) return;
    try {
      // A failed decision: the span carries the error; the spec counts decisions, not failed attempts.
      if (this.life.failure !== undefined || !this.#decided) return;
      const route = this.#route;
      this.span.setRouterDecision(route as string);
      if (typeof route === 'string') this.#emitter.workflowRouterDecision({ workflowName: this.#workflowName, routerName: this.#routerName, route });
    } catch (error) {
      this.life.endFailed(error);
    } finally {
      if (this.life.failure !== undefined) this.span.recordError(this.life.failure.error);
      this.span.end();
    }
  }
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
