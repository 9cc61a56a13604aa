/**
 * `@flo-ai/telemetry-kit/langchain`: LangChain.js reports its work through callbacks, start and
 * end in separate calls, parents by run id. `createLangChainHandler()` is a callback handler
 * (`BaseCallbackHandler` of `@langchain/core`) that records each run through the kit's operation
 * handles, so LangChain's runs carry the same spans, GenAI and flo names, metrics, content
 * capture and redaction as the kit's own helpers:
 *
 *   LangChain run                                  the kit's operation
 *   chat model / LLM                               an LLM call (`startLlmCall`); streamed when
 *                                                  tokens arrive (`handleLLMNewToken`)
 *   tool                                           a tool call (`startToolCall`)
 *   chain whose run is an agent (see `isAgent`)    an agent run (`startAgentRun`)
 *   other root chain                               a workflow (`startWorkflow`)
 *   other nested chain                             a workflow node (`startNode`)
 *   prompt templates, output parsers, hidden runs  nothing: what runs under them goes under
 *                                                  their parent
 *
 * Token usage and the response model are read from LangChain's outputs (`usage_metadata`,
 * `response_metadata`, `llmOutput`); the provider and request model from the `ls_*` metadata
 * LangChain attaches to model runs. A model run starts its span when LangChain reports the first
 * token or the end, from the time LangChain reported the start: only then is it known whether
 * the call streamed (LangChain's own invocation parameters do not say).
 *
 *   const handler = createLangChainHandler();
 *   await chain.invoke(input, { callbacks: [handler] });
 *
 * Loading this module loads `@langchain/core` (an optional peer dependency of the kit); the kit's
 * main entry point never does.
 */
import { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import type { Serialized } from '@langchain/core/load/serializable';
import type { BaseMessage } from '@langchain/core/messages';
import type { LLMResult } from '@langchain/core/outputs';
import type { ChainValues } from '@langchain/core/utils/types';
import { startAgentRun, type AgentRunHandle } from '../../instrumentation/agent.ts';
import { warnFailed } from '../../instrumentation/internal.ts';
import { startLlmCall, type LlmCallHandle } from '../../instrumentation/llm.ts';
import type { LlmCallInfo } from '../../instrumentation/llm-signals.ts';
import type { Operation, OperationParent } from '../../instrumentation/operation.ts';
import type { LlmStreamHandle } from '../../instrumentation/stream.ts';
import { startToolCall, type ToolCallHandle } from '../../instrumentation/tool.ts';
import { startNode, startWorkflow, type NodeHandle, type WorkflowHandle } from '../../instrumentation/workflow.ts';
import { Runs } from '../runs.ts';
import { llmCallInfo, modelRunEnd, toolResult } from './convert.ts';

/** A chain run as the handler sees it when it starts, for `isAgent`. */
export interface LangChainRun {
  /** The run name (`runName`), else the chain's class name. */
  readonly name: string;
  /** LangChain's run type, when it gives one (`prompt`, `parser`, …). */
  readonly runType: string | undefined;
  readonly tags: readonly string[];
  readonly metadata: Readonly<Record<string, unknown>>;
}

export interface LangChainHandlerOptions {
  /**
   * Which chain runs are agent runs. Default: a run of type `agent`, or whose name contains
   * "agent" (`AgentExecutor`, LangGraph's `agent` node, `createAgent`'s graph).
   */
  readonly isAgent?: (run: LangChainRun) => boolean;
  /** The `type` of agent runs (`AgentRunInfo.type`). Default `langchain`. */
  readonly agentType?: string;
}

/** Run types that only reshape data: not operations of their own. */
const NOT_RECORDED = new Set(['prompt', 'parser']);
const HIDDEN_TAG = 'langsmith:hidden';

function defaultIsAgent(run: LangChainRun): boolean {
  return run.runType === 'agent' || /agent/i.test(run.name);
}

/** A model run between its start and its first token or end: its span starts then, from `startTime`. */
interface PendingModelRun {
  readonly info: LlmCallInfo;
  readonly parent: OperationParent | undefined;
  readonly startTime: number;
  handle: LlmCallHandle | LlmStreamHandle | undefined;
  streamed: boolean;
}

type ChainHandle = AgentRunHandle | WorkflowHandle | NodeHandle;

class FloTelemetryHandler extends BaseCallbackHandler {
  name = 'flo_telemetry';
  readonly #options: LangChainHandlerOptions;
  readonly #runs = new Runs<Operation>();
  readonly #models = new Map<string, PendingModelRun>();

  constructor(options: LangChainHandlerOptions) {
    // Awaited: the handler is synchronous and cheap, and run in LangChain's background queue its
    // callbacks would be timed when the queue gets to them, not when LangChain reported them.
    super({ _awaitHandler: true });
    this.#options = options;
  }

  /** One handler, one set of runs in flight: a copy would not find the parents of the runs it is told about. */
  override copy(): FloTelemetryHandler {
    return this;
  }

  // ── chains ──────────────────────────────────────────────────────────────

  /**
   * The arguments in the order LangChain's callback manager passes them (and its own tracers take
   * them), which is not the order of the parameter names `BaseCallbackHandler` declares.
   */
  override handleChainStart(
    chain: Serialized,
    _inputs: ChainValues,
    runId: string,
    parentRunId?: string,
    tags?: string[],
    metadata?: Record<string, unknown>,
    runType?: string,
    runName?: string,
  ): void {
    guard('handleChainStart', () => {
      const run: LangChainRun = { name: runName ?? className(chain), runType, tags: tags ?? [], metadata: metadata ?? {} };
      if ((runType !== undefined && NOT_RECORDED.has(runType)) || run.tags.includes(HIDDEN_TAG)) {
        this.#runs.skip(runId, parentRunId);
        return;
      }
      const parent = this.#runs.parentOf(parentRunId);
      const isAgent = (this.#options.isAgent ?? defaultIsAgent)(run);
      let handle: ChainHandle;
      if (isAgent) handle = startAgentRun({ name: run.name, type: this.#options.agentType ?? 'langchain' }, { parent });
      else if (parent === undefined) handle = startWorkflow({ name: run.name }, { parent });
      else handle = startNode({ name: run.name, type: runType ?? 'chain' }, { parent });
      this.#runs.add(runId, handle);
    });
  }

  override handleChainEnd(outputs: ChainValues, runId: string): void {
    guard('handleChainEnd', () => {
      const handle = this.#runs.take(runId) as ChainHandle | undefined;
      if (handle === undefined) return;
      if ('recordResult' in handle) handle.recordResult(chainResult(outputs));
      handle.end();
    });
  }

  override handleChainError(error: unknown, runId: string): void {
    guard('handleChainError', () => endFailed(this.#runs.take(runId), error));
  }

  // ── models ──────────────────────────────────────────────────────────────

  override handleChatModelStart(
    llm: Serialized,
    messages: BaseMessage[][],
    runId: string,
    parentRunId?: string,
    extraParams?: Record<string, unknown>,
    _tags?: string[],
    metadata?: Record<string, unknown>,
  ): void {
    guard('handleChatModelStart', () => this.#modelStart(runId, parentRunId, llmCallInfo({ serialized: llm, prompts: messages, extraParams, metadata, chat: true })));
  }

  override handleLLMStart(
    llm: Serialized,
    prompts: string[],
    runId: string,
    parentRunId?: string,
    extraParams?: Record<string, unknown>,
    _tags?: string[],
    metadata?: Record<string, unknown>,
  ): void {
    guard('handleLLMStart', () => this.#modelStart(runId, parentRunId, llmCallInfo({ serialized: llm, prompts, extraParams, metadata, chat: false })));
  }

  override handleLLMNewToken(token: string, _idx: unknown, runId: string): void {
    guard('handleLLMNewToken', () => {
      const run = this.#models.get(runId);
      if (run === undefined) return;
      if (run.handle === undefined) {
        run.streamed = true;
        run.handle = startLlmCall(run.info, { stream: true, parent: run.parent, startTime: run.startTime });
      }
      // The token is the text the chunk adds; usage, model and finish reasons come whole at the end.
      if (run.streamed) run.handle.recordChunk(token);
    });
  }

  override handleLLMEnd(output: LLMResult, runId: string): void {
    guard('handleLLMEnd', () => {
      const run = this.#takeModel(runId);
      if (run === undefined) return;
      const { response, usage } = modelRunEnd(output);
      const handle = run.handle ?? startLlmCall(run.info, { parent: run.parent, startTime: run.startTime });
      handle.recordResponse(response);
      if (usage !== undefined) handle.recordUsage(usage);
      handle.end();
    });
  }

  override handleLLMError(error: unknown, runId: string): void {
    guard('handleLLMError', () => {
      const run = this.#takeModel(runId);
      if (run === undefined) return;
      endFailed(run.handle ?? startLlmCall(run.info, { parent: run.parent, startTime: run.startTime }), error);
    });
  }

  #modelStart(runId: string, parentRunId: string | undefined, info: LlmCallInfo): void {
    this.#models.set(runId, { info, parent: this.#runs.parentOf(parentRunId), startTime: Date.now(), handle: undefined, streamed: false });
  }

  #takeModel(runId: string): PendingModelRun | undefined {
    const run = this.#models.get(runId);
    this.#models.delete(runId);
    return run;
  }

  // ── tools ───────────────────────────────────────────────────────────────

  override handleToolStart(
    tool: Serialized,
    _input: string,
    runId: string,
    parentRunId?: string,
    _tags?: string[],
    _metadata?: Record<string, unknown>,
    runName?: string,
    toolCallId?: string,
  ): void {
    guard('handleToolStart', () => {
      const handle = startToolCall(
        { name: runName ?? className(tool), type: 'function', ...(toolCallId === undefined || toolCallId === null ? {} : { callId: toolCallId }) },
        { parent: this.#runs.parentOf(parentRunId) },
      );
      this.#runs.add(runId, handle);
    });
  }

  override handleToolEnd(output: unknown, runId: string): void {
    guard('handleToolEnd', () => {
      const handle = this.#runs.take(runId) as ToolCallHandle | undefined;
      if (handle === undefined) return;
      handle.recordResult(toolResult(output));
      handle.end();
    });
  }

  override handleToolError(error: unknown, runId: string): void {
    guard('handleToolError', () => endFailed(this.#runs.take(runId), error));
  }

  /** Runs in flight, for tests: zero once every run LangChain started has ended. */
  get runsInFlight(): number {
    return this.#runs.size + this.#models.size;
  }
}

/** The class name of a serialized LangChain object: the last part of its `id`. */
function className(serialized: Serialized | undefined): string {
  const id = (serialized as { id?: unknown } | undefined)?.id;
  return Array.isArray(id) && typeof id.at(-1) === 'string' ? (id.at(-1) as string) : 'unknown';
}

/** A chain's result: its single output when it has one (`{ output }`), else the outputs. */
function chainResult(outputs: unknown): unknown {
  if (typeof outputs === 'object' && outputs !== null && 'output' in outputs && Object.keys(outputs).length === 1) return (outputs as { output: unknown }).output;
  return outputs;
}

function endFailed(handle: Operation | undefined, error: unknown): void {
  if (handle === undefined) return;
  handle.fail(error);
  handle.end();
}

/** A callback never throws into LangChain: a failure here is reported once, and LangChain's run goes on. */
function guard(callback: string, work: () => void): void {
  try {
    work();
  } catch (error) {
    warnFailed(`langchain handler: ${callback}`, error);
  }
}

/** A LangChain callback handler that records every run through the kit; see the module comment. */
export function createLangChainHandler(options: LangChainHandlerOptions = {}): BaseCallbackHandler & { readonly runsInFlight: number } {
  return new FloTelemetryHandler(options);
}
