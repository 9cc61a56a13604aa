/**
 * TC39 standard method decorators (TypeScript 5 decorators; not
 * `experimentalDecorators`) over the `wrap…` functions:
 *
 *   class Agent {
 *     @agentRun((self: Agent) => ({ name: self.name, type: 'tool_using' }))
 *     async run(input: string): Promise<string> { … }
 *   }
 *
 * The info is fixed, or a function of the instance and the arguments (as a
 * tuple: `(self: Llm, [prompt]: [string]) => ({ …, prompt })`), computed per
 * call. Each decorator returns a method of the same type, so the decorated
 * method keeps its signature; `llmStream` requires a method returning an
 * `AsyncIterable` (e.g. an `async *` method) and replaces it with an async
 * generator of the same chunks, which TypeScript checks against the declared
 * return type.
 *
 * Decorator syntax needs a compiler that implements it (tsc, esbuild);
 * Node's type stripping rejects it, so code run by `node file.ts` uses the
 * wrapper forms.
 */
import type { SpanStartOptions } from '../runtime/spans.ts';
import { wrapAgentRun, type AgentRunInfo } from './agent.ts';
import { wrapLlmCall, type LlmCallOptions } from './llm.ts';
import type { LlmCallInfo } from './llm-signals.ts';
import { wrapLlmStream, type LlmStreamOptions, type StreamSource, type TracedStream } from './stream.ts';
import { wrapToolCall, type ToolCallInfo } from './tool.ts';
import type { InfoSource } from './wrap.ts';
import { wrapNode, wrapRouterDecision, wrapWorkflow, type NodeInfo, type RouterInfo, type WorkflowInfo } from './workflow.ts';

type Method<This, Args extends unknown[], R> = (this: This, ...args: Args) => R;

/** A decorator that returns a method of exactly the decorated method's type. */
type SameTypeDecorator<This, Args extends unknown[], Bound = unknown> = <T extends This, A extends Args, R extends Bound>(
  method: Method<T, A, R>,
  context: ClassMethodDecoratorContext<T, Method<T, A, R>>,
) => Method<T, A, R>;

/** Traces every call as an LLM request (`traceLlmCall`). `Result` types the `usage`/`completionText` options. */
export function llmCall<This = unknown, Args extends unknown[] = unknown[], Result = unknown>(
  info: InfoSource<LlmCallInfo, This, Args>,
  options?: LlmCallOptions<Result>,
): SameTypeDecorator<This, Args, Result | PromiseLike<Result>> {
  return (method) => wrapLlmCall(info, method, options as LlmCallOptions<unknown> | undefined);
}

/** Traces every iteration of the returned stream (`traceLlmStream`). */
export function llmStream<This = unknown, Args extends unknown[] = unknown[], Chunk = unknown>(
  info: InfoSource<LlmCallInfo, This, Args>,
  options?: LlmStreamOptions<Chunk>,
) {
  return <T extends This, A extends Args, C extends Chunk>(
    method: Method<T, A, StreamSource<C>>,
    _context: ClassMethodDecoratorContext<T, Method<T, A, StreamSource<C>>>,
  ): Method<T, A, TracedStream<C>> => wrapLlmStream(info, method, options as LlmStreamOptions<C> | undefined);
}

/** Traces every call as an agent run (`traceAgentRun`); inside, `activeAgentRun()` reaches the run. */
export function agentRun<This = unknown, Args extends unknown[] = unknown[]>(
  info: InfoSource<AgentRunInfo, This, Args>,
  options?: SpanStartOptions,
): SameTypeDecorator<This, Args> {
  return (method) => wrapAgentRun(info, method, options);
}

/** Traces every call as a tool execution (`traceToolCall`). */
export function toolCall<This = unknown, Args extends unknown[] = unknown[]>(
  info: InfoSource<ToolCallInfo, This, Args>,
  options?: SpanStartOptions,
): SameTypeDecorator<This, Args> {
  return (method) => wrapToolCall(info, method, options);
}

/** Traces every call as a workflow execution (`traceWorkflow`). */
export function workflowRun<This = unknown, Args extends unknown[] = unknown[]>(
  info: InfoSource<WorkflowInfo, This, Args>,
  options?: SpanStartOptions,
): SameTypeDecorator<This, Args> {
  return (method) => wrapWorkflow(info, method, options);
}

/** Traces every call as a workflow node (`traceNode`). */
export function workflowNode<This = unknown, Args extends unknown[] = unknown[]>(
  info: InfoSource<NodeInfo, This, Args>,
  options?: SpanStartOptions,
): SameTypeDecorator<This, Args> {
  return (method) => wrapNode(info, method, options);
}

/** Traces every call as a router decision (`traceRouterDecision`); the method returns the chosen route. */
export function routerDecision<This = unknown, Args extends unknown[] = unknown[]>(
  info: InfoSource<RouterInfo, This, Args>,
  options?: SpanStartOptions,
): SameTypeDecorator<This, Args, string | PromiseLike<string>> {
  return (method) => wrapRouterDecision(info, method, options);
}
