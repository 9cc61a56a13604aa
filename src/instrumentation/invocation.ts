/**
 * Agent runs and workflows are invocations (in the GenAI conventions' words); one inside another
 * is nested. Each puts what it is in the active context under its own key, so a tool call or an
 * LLM call can find the run it belongs to, and an invocation can tell whether it is nested.
 */
import { context, createContextKey, type Context } from '@opentelemetry/api';

export const AGENT_RUN_KEY = createContextKey('flo instrumentation: agent run');
export const WORKFLOW_NAME_KEY = createContextKey('flo instrumentation: workflow name');

/** Whether an agent run or a workflow traced by the kit is in progress here: an invocation started now is nested in it. */
export function insideInvocation(active: Context = context.active()): boolean {
  return active.getValue(AGENT_RUN_KEY) !== undefined || active.getValue(WORKFLOW_NAME_KEY) !== undefined;
}
