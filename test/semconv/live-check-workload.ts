/**
 * The workload the live-check test exports: every instrumentation helper, the way a framework calls
 * them, against a deterministic in-process model whose responses have the shape of OpenAI's Chat
 * Completions API (whole and streamed). No network, no timers beyond a few microtask hops.
 *
 *   workflow support_desk                                   traceWorkflow
 *     router triage → billing_agent  (an LLM call inside)   traceRouterDecision, traceLlmCall
 *     node billing_agent                                    traceNode
 *       agent billing                                       traceAgentRun
 *         tool lookup_invoice   fails (timeout)             wrapToolCall, failing
 *         retry (tool_error)                                AgentRun.recordRetry
 *         tool lookup_invoice   succeeds                    wrapToolCall
 *         LLM call (with the request: tools, service tier)  traceLlmCall
 *     node general_agent                                    traceNode
 *       agent general                                       traceAgentRun
 *         LLM stream, consumed to the end (role chunk,      traceLlmStream
 *           words, usage chunk)
 *         LLM call that fails (rate limited), caught        traceLlmCall, failing
 *     the billing answer evaluated (parented to its LLM span)  recordEvaluation
 *     a log line of the framework's own                      getLogger().emit
 *
 * Content capture is on (`captureContent: true` in the configuration the test passes), into spans
 * and events (`captureContentIn: 'span_and_event'`): in the GenAI modes every LLM call and stream
 * also emits its details event, the failed one its exception event.
 *
 * Every helper call is observed: inside the traced function the workload notes which span is active,
 * so the test knows which span each helper opened (or that it opened none, as nodes and routers must
 * not in `gen_ai` mode) without relying on the span names it checks.
 */
import { SeverityNumber, trace } from '@opentelemetry/api';
import type { InstrumentedSpan } from '../../src/runtime/spans.ts';
import { getLogger } from '../../src/runtime/configure.ts';
import {
  recordEvaluation,
  traceAgentRun,
  traceLlmCall,
  traceLlmStream,
  traceNode,
  traceRouterDecision,
  traceWorkflow,
  wrapToolCall,
} from '../../src/instrumentation/index.ts';

/** What a helper call was, so the test can tell which span should look how. */
export type Role = 'workflow' | 'router' | 'node' | 'agent' | 'tool' | 'llm' | 'stream';

export interface Observation {
  readonly role: Role;
  /** The span the helper opened: the span active inside the traced function, unless it is the caller's. */
  readonly spanId: string | undefined;
  /** Workflow, router, node, agent or tool name; the model for `llm` and `stream`. */
  readonly name: string;
  readonly provider?: string;
  /** The traced function threw. */
  readonly failed: boolean;
}

const activeSpanId = (): string | undefined => trace.getActiveSpan()?.spanContext().spanId;

export const WORKLOAD = {
  provider: 'openai',
  routerModel: 'gpt-4o-mini',
  answerModel: 'gpt-4o',
  workflow: 'support_desk',
  router: 'triage',
  agents: ['billing', 'general'],
  tool: 'lookup_invoice',
} as const;

interface ChatCompletion {
  readonly id: string;
  readonly object: 'chat.completion';
  readonly model: string;
  readonly service_tier: string;
  readonly system_fingerprint: string;
  readonly choices: ReadonlyArray<{ readonly index: number; readonly finish_reason: string; readonly message: { readonly role: 'assistant'; readonly content: string } }>;
  readonly usage: { readonly prompt_tokens: number; readonly completion_tokens: number; readonly total_tokens: number };
}

interface ChatChunk {
  readonly id: string;
  readonly object: 'chat.completion.chunk';
  readonly model: string;
  readonly service_tier: string;
  readonly system_fingerprint: string;
  readonly choices: ReadonlyArray<{ readonly index: number; readonly finish_reason: string | null; readonly delta: { readonly role?: 'assistant'; readonly content?: string } }>;
  readonly usage?: ChatCompletion['usage'] | null;
}

export class RateLimitError extends Error {
  override readonly name = 'RateLimitError';
  readonly status = 429;
}

export class ToolTimeoutError extends Error {
  override readonly name = 'ToolTimeoutError';
}

const LOOKUP_TOOL = {
  type: 'function',
  function: { name: 'lookup_invoice', description: 'Looks an invoice up.', parameters: { type: 'object', properties: { invoiceId: { type: 'string' } } } },
};

const words = (text: string) => text.split(/\s+/).filter(Boolean).length;
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** An OpenAI-shaped model: same answer for the same prompt, usage counted in words. */
class FakeOpenAi {
  #sequence = 0;

  async complete(model: string, prompt: string, reply: string): Promise<ChatCompletion> {
    await tick();
    const usage = { prompt_tokens: words(prompt), completion_tokens: words(reply), total_tokens: words(prompt) + words(reply) };
    return {
      id: this.#id(),
      object: 'chat.completion',
      model: `${model}-2024-08-06`,
      service_tier: 'default',
      system_fingerprint: 'fp_flo',
      choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: reply } }],
      usage,
    };
  }

  /** The role chunk, word by word, then a usage-only chunk, as with `stream_options: { include_usage: true }`. */
  async *stream(model: string, prompt: string, reply: string): AsyncGenerator<ChatChunk> {
    const id = this.#id();
    const base = { id, object: 'chat.completion.chunk', model: `${model}-2024-08-06`, service_tier: 'default', system_fingerprint: 'fp_flo' } as const;
    yield { ...base, choices: [{ index: 0, finish_reason: null, delta: { role: 'assistant', content: '' } }], usage: null };
    const parts = reply.split(' ');
    for (const [index, word] of parts.entries()) {
      await tick();
      const last = index === parts.length - 1;
      yield { ...base, choices: [{ index: 0, finish_reason: last ? 'stop' : null, delta: { content: index === 0 ? word : ` ${word}` } }], usage: null };
    }
    await tick();
    yield { ...base, choices: [], usage: { prompt_tokens: words(prompt), completion_tokens: words(reply), total_tokens: words(prompt) + words(reply) } };
  }

  #id(): string {
    this.#sequence += 1;
    return `chatcmpl-flo${String(this.#sequence).padStart(4, '0')}`;
  }
}

export interface WorkloadResult {
  readonly answer: string;
  /** One per helper call, in the order the traced functions started. */
  readonly observations: readonly Observation[];
}

/** Runs the workload once. Telemetry must be configured by the caller. */
export async function runWorkload(): Promise<WorkloadResult> {
  const model = new FakeOpenAi();
  const { provider, routerModel, answerModel } = WORKLOAD;
  const observations: Observation[] = [];

  /**
   * `fn`, noting the span active when it runs. Evaluated as the helper's argument, so `caller` is the
   * span active where the helper is called: the helper opened a span only if `fn` sees another one.
   */
  function observed<A extends unknown[], R>(role: Role, name: string, fn: (...args: A) => R, extra: { provider?: string } = {}): (...args: A) => R {
    const caller = activeSpanId();
    return (...args: A): R => {
      const active = activeSpanId();
      const index = observations.push({ role, name, ...extra, spanId: active === caller ? undefined : active, failed: false }) - 1;
      const failed = () => (observations[index] = { ...observations[index]!, failed: true });
      try {
        const result = fn(...args);
        if (result instanceof Promise) return result.catch((error: unknown) => (failed(), Promise.reject(error))) as R;
        return result;
      } catch (error) {
        failed();
        throw error;
      }
    };
  }

  let lookups = 0;
  let toolCaller: string | undefined;
  const lookupInvoice = wrapToolCall({ name: WORKLOAD.tool }, async (invoiceId: string) => {
    const active = activeSpanId();
    const index = observations.push({ role: 'tool', name: WORKLOAD.tool, spanId: active === toolCaller ? undefined : active, failed: false }) - 1;
    await tick();
    lookups += 1;
    if (lookups === 1) {
      observations[index] = { ...observations[index]!, failed: true };
      throw new ToolTimeoutError(`billing API timed out looking up ${invoiceId}`);
    }
    return `Invoice ${invoiceId}: 49.00 EUR, charged twice`;
  });
  const question = 'I was charged twice for invoice INV-1042, please refund one';

  const answer = await traceWorkflow(
    { name: WORKLOAD.workflow, nodeCount: 3 },
    observed('workflow', WORKLOAD.workflow, async () => {
      const route = await traceRouterDecision(
        { routerName: WORKLOAD.router },
        observed('router', WORKLOAD.router, async () => {
          const prompt = `Classify as billing or general: ${question}`;
          const reply = await traceLlmCall(
            { provider, model: routerModel, temperature: 0, prompt },
            observed('llm', routerModel, () => model.complete(routerModel, prompt, 'billing'), { provider }),
          );
          return reply.choices[0]?.message.content === 'billing' ? 'billing_agent' : 'general_agent';
        }),
      );

      const billing = await traceNode(
        { name: route, type: 'agent' },
        observed('node', route, () =>
          traceAgentRun(
            { name: 'billing', type: 'tool_using', historySize: 2 },
            observed('agent', 'billing', async (agent) => {
              let invoice: string;
              toolCaller = activeSpanId();
              try {
                invoice = await lookupInvoice('INV-1042');
              } catch {
                agent.recordRetry('tool_error');
                invoice = await lookupInvoice('INV-1042');
              }
              const prompt = `${invoice}. Customer asks: ${question}`;
              // The request as sent: tools (gen_ai.tool.definitions, content capture being on) and a service tier (openai.*).
              const request = { model: answerModel, messages: [{ role: 'user', content: prompt }], temperature: 0.2, tools: [LOOKUP_TOOL], service_tier: 'priority' };
              let answerSpan: InstrumentedSpan | undefined;
              const reply = await traceLlmCall(
                { provider, model: answerModel, temperature: 0.2, prompt, request },
                observed(
                  'llm',
                  answerModel,
                  (span: InstrumentedSpan) => {
                    answerSpan = span;
                    return model.complete(answerModel, prompt, 'I am sorry about the double charge, the duplicate payment is refunded.');
                  },
                  { provider },
                ),
              );
              // An LLM judge's verdict on the answer, once it is known: linked to the answer's span.
              recordEvaluation({ name: 'relevance', scoreValue: 0.9, scoreLabel: 'relevant', explanation: 'Addresses the double charge.', responseId: reply.id }, { span: answerSpan });
              return reply.choices[0]?.message.content ?? '';
            }),
          ),
        ),
      );

      const followUp = await traceNode(
        { name: 'general_agent', type: 'agent' },
        observed('node', 'general_agent', () =>
          traceAgentRun(
            { name: 'general', type: 'conversational', historySize: 3 },
            observed('agent', 'general', async () => {
              const prompt = 'When will the refund show on my statement?';
              let streamed = '';
              const request = { model: answerModel, messages: [{ role: 'user', content: prompt }], stream: true, stream_options: { include_usage: true } };
              const stream = traceLlmStream(
                { provider, model: answerModel, temperature: 0.3, prompt, request },
                observed('stream', answerModel, () => model.stream(answerModel, prompt, 'Within five business days.'), { provider }),
              );
              for await (const chunk of stream) streamed += chunk.choices[0]?.delta.content ?? '';
              try {
                await traceLlmCall(
                  { provider, model: answerModel, temperature: 0.3, prompt: 'Summarise the conversation' },
                  observed(
                    'llm',
                    answerModel,
                    async () => {
                      await tick();
                      throw new RateLimitError('429 Rate limit reached for gpt-4o');
                    },
                    { provider },
                  ),
                );
              } catch {
                // The framework falls back to the streamed answer.
              }
              return streamed;
            }),
          ),
        ),
      );

      // The framework's own log line: no event, but a log record all the same, in every mode.
      getLogger()?.emit({ severityNumber: SeverityNumber.INFO, severityText: 'INFO', body: 'support desk: answered' });
      return `${billing} ${followUp}`;
    }),
  );
  return { answer, observations };
}
