/**
 * Instrumentation helpers for framework code: LLM calls (whole and
 * streamed), agent runs, tool calls, workflows, nodes and router decisions,
 * evaluation results,
 * as operation handles (`start…`, for frameworks whose start and end are
 * separate callbacks), and over them trace functions, higher-order wrappers
 * and TC39 method decorators. All built on the generated recorders and span
 * helpers: no telemetry name is written here.
 */
export { activeAgentRun, startAgentRun, traceAgentRun, wrapAgentRun, type AgentRun, type AgentRunHandle, type AgentRunInfo, type ToolCallOutcome } from './agent.ts';
export { capturedContent, DEFAULT_CONTENT_MAX_LENGTH, type ContentCaptureOptions, type ContentCaptureSettings, type ContentDestination, type ContentKind } from '../runtime/content.ts';
export { contentCapture, resetContentCapture, setContentCapture } from '../runtime/bind.ts';
export { genAiProviderName } from './conventions.ts';
export { agentRun, llmCall, llmStream, routerDecision, toolCall, workflowNode, workflowRun } from './decorators.ts';
export { recordEvaluation, type EvaluationOptions, type EvaluationResult } from './evaluation.ts';
export { startLlmCall, traceLlmCall, wrapLlmCall, type LlmCallHandle, type LlmCallOptions, type StartLlmCallOptions } from './llm.ts';
export type { Operation, OperationOptions, OperationParent } from './operation.ts';
export type { LlmCallInfo } from './llm-signals.ts';
export { traceLlmStream, wrapLlmStream, type LlmStreamEnd, type LlmStreamHandle, type LlmStreamOptions, type StartLlmStreamOptions, type StreamSource, type TracedStream } from './stream.ts';
export { extractChunkText, extractCompletionText } from './text.ts';
export { startToolCall, traceToolCall, wrapToolCall, type ToolCallHandle, type ToolCallInfo } from './tool.ts';
export { extractUsage, mergeUsage, normalizeUsage, type Usage } from './usage.ts';
export type { InfoSource } from './wrap.ts';
export {
  activeWorkflowName,
  recordRouterDecision,
  startNode,
  startWorkflow,
  traceNode,
  traceRouterDecision,
  traceWorkflow,
  wrapNode,
  wrapRouterDecision,
  wrapWorkflow,
  type NodeHandle,
  type NodeInfo,
  type RouterInfo,
  type WorkflowHandle,
  type WorkflowInfo,
} from './workflow.ts';
