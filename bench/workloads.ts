/**
 * What is measured: an LLM call, an agent run and a 5-node workflow, each
 * bare, through the kit, by hand with @opentelemetry/api, and through the
 * peer (@arizeai/openinference-core). The "provider" is a function returning
 * an OpenAI-shaped response, so only instrumentation cost is measured.
 */
import { traceLLM, getLLMAttributes } from '@arizeai/openinference-core';
import { SpanKind, SpanStatusCode, type Meter, type Tracer } from '@opentelemetry/api';
import {
  ATTR_LLM_MODEL,
  ATTR_LLM_PROVIDER,
  GEN_AI_OPERATION_NAME_VALUE_CHAT,
  GEN_AI_PROVIDER_NAME_VALUE_OPENAI,
  LLM_REQUEST_DURATION_METRIC,
  LLM_REQUESTS_TOTAL_METRIC,
  LLM_GENERATE_SPAN,
  STATUS_VALUE_SUCCESS,
  recordLlmRequestDuration,
  recordLlmRequestsTotal,
  traceAgentRun,
  traceLlmCall,
  traceNode,
  traceToolCall,
  traceWorkflow,
  withLlmGenerateSpan,
} from '../src/index.ts';

export const LLM = { provider: 'openai', model: 'gpt-4o', temperature: 0.2 } as const;
const RESPONSE = Object.freeze({
  model: 'gpt-4o',
  choices: [{ message: { role: 'assistant', content: 'Paris.' } }],
  usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 },
});
const DURATION_MS = 12.5;

export type Response = typeof RESPONSE;
/** The provider call: what a client returns once the HTTP response is parsed. */
export const bareCallSync = (): Response => RESPONSE;
export const bareCall = async (): Promise<Response> => RESPONSE;
const bareTool = async (): Promise<string> => 'sunny';

// ---------------------------------------------------------------------------
// 1. the generated recorders against the same done by hand

/** The span's start attributes: flo_ai's (what row 1 writes, in `flo`) and the GenAI ones the span requires. */
const LLM_SPAN = { llmProvider: LLM.provider, llmModel: LLM.model, genAiOperationName: GEN_AI_OPERATION_NAME_VALUE_CHAT, genAiProviderName: GEN_AI_PROVIDER_NAME_VALUE_OPENAI };

/** A span with its attributes, a counter and a histogram, through the generated code. */
export function generatedRecorders(): number {
  return withLlmGenerateSpan({ llmProvider: LLM.provider, llmModel: LLM.model, genAiOperationName: GEN_AI_OPERATION_NAME_VALUE_CHAT, genAiProviderName: GEN_AI_PROVIDER_NAME_VALUE_OPENAI }, () => {
    recordLlmRequestsTotal(1, { model: LLM.model, provider: LLM.provider, status: STATUS_VALUE_SUCCESS });
    recordLlmRequestDuration(DURATION_MS, { model: LLM.model, provider: LLM.provider });
    return 1;
  });
}

/** Exactly the same with @opentelemetry/api: same span, kind, attributes, error handling, instruments and advice. */
export function handWritten(tracer: Tracer, meter: Meter): () => number {
  const requests = meter.createCounter(LLM_REQUESTS_TOTAL_METRIC.name, { unit: LLM_REQUESTS_TOTAL_METRIC.unit, description: LLM_REQUESTS_TOTAL_METRIC.description });
  const duration = meter.createHistogram(LLM_REQUEST_DURATION_METRIC.name, {
    unit: LLM_REQUEST_DURATION_METRIC.unit,
    description: LLM_REQUEST_DURATION_METRIC.description,
    advice: { explicitBucketBoundaries: [...(LLM_REQUEST_DURATION_METRIC.explicitBucketBoundaries ?? [])] },
  });
  const name = LLM_GENERATE_SPAN.name(LLM_SPAN);
  return () =>
    tracer.startActiveSpan(name, { kind: SpanKind.CLIENT, attributes: { [ATTR_LLM_PROVIDER]: LLM.provider, [ATTR_LLM_MODEL]: LLM.model } }, (span) => {
      try {
        requests.add(1, { model: LLM.model, provider: LLM.provider, status: STATUS_VALUE_SUCCESS });
        duration.record(DURATION_MS, { model: LLM.model, provider: LLM.provider });
        return 1;
      } catch (error) {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR });
        throw error;
      } finally {
        span.end();
      }
    });
}

// ---------------------------------------------------------------------------
// 2.–4. the kit's helpers, and the peer's

export const kitLlmCallSync = () => traceLlmCall(LLM, bareCallSync);
export const kitLlmCall = () => traceLlmCall(LLM, bareCall);

/** The peer's LLM wrapper with the same facts: provider, model, token counts; no prompt or completion text. */
export function peerLlmCall(): () => Promise<Response> {
  return traceLLM(bareCall, {
    name: `llm.${LLM.provider}.generate`,
    processInput: () => getLLMAttributes({ provider: LLM.provider, modelName: LLM.model, invocationParameters: { temperature: LLM.temperature } }),
    processOutput: (response: Response) =>
      getLLMAttributes({
        tokenCount: { prompt: response.usage.prompt_tokens, completion: response.usage.completion_tokens, total: response.usage.total_tokens },
      }),
  });
}

/** An agent that calls a tool, then the model. */
export async function bareAgentRun(): Promise<string> {
  await bareTool();
  const response = await bareCall();
  return response.choices[0]?.message.content ?? '';
}

export function kitAgentRun(): Promise<string> {
  return traceAgentRun({ name: 'planner', type: 'tool_using', historySize: 4 }, async () => {
    await traceToolCall({ name: 'weather' }, bareTool);
    const response = await traceLlmCall(LLM, bareCall);
    return response.choices[0]?.message.content ?? '';
  });
}

export const NODES = ['plan', 'search', 'summarise', 'review', 'answer'] as const;

/** A workflow of 5 nodes, each an agent run. */
export async function bareWorkflow(): Promise<number> {
  for (const _node of NODES) await bareAgentRun();
  return NODES.length;
}

export function kitWorkflow(): Promise<number> {
  return traceWorkflow({ name: 'research', nodeCount: NODES.length }, async () => {
    for (const node of NODES) await traceNode({ name: node, type: 'agent' }, kitAgentRun);
    return NODES.length;
  });
}
