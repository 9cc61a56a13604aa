/**
 * Instrumentation helpers for framework code: LLM calls (whole and
 * streamed), agent runs, tool calls, workflows, nodes and router decisions,
 * evaluation results,
 * as trace functions, higher-order wrappers and TC39 method decorators. All
 * built on the generated recorders and span helpers: no telemetry name is
 * written here.
 */
export { activeAgentRun, traceAgentRun, wrapAgentRun, type AgentRun, type AgentRunInfo, type ToolCallOutcome } from './agent.ts';
export { capturedContent, DEFAULT_CONTENT_MAX_LENGTH, type ContentCaptureOptions, type ContentCaptureSettings, type ContentDestination, type ContentKind } from '../runtime/content.ts';
export { contentCapture, resetContentCapture, setContentCapture } from '../runtime/bind.ts';
export { genAiProviderName } from './conventions.ts';
export { agentRun, llmCall, llmStream, routerDecision, toolCall, workflowNode, workflowRun } from './decorators.ts';
export { recordEvaluation, type EvaluationOptions, type EvaluationResult } from './evaluation.ts';
export { traceLlmCall, wrapLlmCall, type LlmCallOptions } from './llm.ts';
export type { LlmCallInfo } from './llm-signals.ts';
export { traceLlmStream, wrapLlmStream, type LlmStreamOptions, type StreamSource, type TracedStream } from './stream.ts';
export { extractChunkText, extractCompletionText } from './text.ts';
export { traceToolCall, wrapToolCall, type ToolCallInfo } from './tool.ts';
export { extractUsage, mergeUsage, normalizeUsage, type Usage } from './usage.ts';
export type { InfoSource } from './wrap.ts';
export {
  activeWorkflowName,
  traceNode,
  traceRouterDecision,
  traceWorkflow,
  wrapNode,
  wrapRouterDecision,
  wrapWorkflow,
  type NodeInfo,
  type RouterInfo,
  type WorkflowInfo,
} from './workflow.ts';
