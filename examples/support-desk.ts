/**
 * A small agent workflow instrumented with the kit: a router picks one of
 * two agents; the billing agent calls a tool (retrying once when it fails)
 * and then the model, and checks the answer (an evaluation, recorded as the
 * event `gen_ai.evaluation.result`); the general agent streams its answer.
 *
 *   workflow.support_desk
 *     workflow.router.triage          (asks the small model where to go)
 *     workflow.node.billing_agent     or   workflow.node.general_agent
 *       agent.billing.run                    agent.general.run
 *         agent.tool.lookup_invoice            llm.fake.stream
 *         llm.fake.generate
 *
 * Plain wrapper forms only: Node's type stripping (`node examples/demo.ts`)
 * does not support decorator syntax. With a compiler the same could be
 * written as `@agentRun(…)`, `@toolCall(…)` etc. on methods.
 */
import {
  recordEvaluation,
  traceAgentRun,
  traceLlmStream,
  traceNode,
  traceRouterDecision,
  traceWorkflow,
  wrapLlmCall,
  wrapToolCall,
} from '../src/instrumentation/index.ts';
import { FakeChatModel, FakeProviderError } from './fake-provider.ts';

export type Route = 'billing_agent' | 'general_agent';

export interface Invoice {
  readonly id: string;
  readonly amount: string;
  readonly charges: number;
}

/** A billing system whose first lookup of each invoice times out, so the agent has something to retry. */
export class InvoiceSystem {
  readonly #seen = new Set<string>();

  // wrapToolCall: every call becomes an `agent.tool.lookup_invoice` span, counted on the calling agent.
  lookup = wrapToolCall({ name: 'lookup_invoice' }, async (invoiceId: string): Promise<Invoice> => {
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (!this.#seen.has(invoiceId)) {
      this.#seen.add(invoiceId);
      throw new FakeProviderError(`billing API timed out looking up ${invoiceId}`);
    }
    return { id: invoiceId, amount: '49.00 EUR', charges: 2 };
  });
}

const triageModel = new FakeChatModel(
  'fake-mini',
  [
    { keyword: 'invoice', reply: 'billing' },
    { keyword: 'charged', reply: 'billing' },
  ],
  { fallback: 'general', latencyMs: 8 },
);

const answerModel = new FakeChatModel(
  'fake-large',
  [
    { keyword: 'charged twice', reply: 'I am sorry about the double charge. I have refunded the duplicate payment; it shows on your statement within five days.' },
    { keyword: 'password', reply: 'Open Settings, choose Security, then Reset password. We email you a link that stays valid for one hour.' },
  ],
  { fallback: 'Thanks for reaching out. A colleague will get back to you shortly.', latencyMs: 25 },
);

// wrapLlmCall: `this` is the model, the first argument the prompt (recorded only if content capture is on).
const complete = wrapLlmCall(
  (self: FakeChatModel, [prompt]) => ({ provider: self.provider, model: self.model, temperature: 0, prompt }),
  FakeChatModel.prototype.complete,
);

export class SupportDesk {
  readonly invoices = new InvoiceSystem();

  handle(question: string, history: readonly string[] = []): Promise<string> {
    return traceWorkflow({ name: 'support_desk', nodeCount: 3 }, async () => {
      const route = await this.triage(question);
      return traceNode({ name: route, type: 'agent' }, () => (route === 'billing_agent' ? this.billing(question, history) : this.general(question, history)));
    });
  }

  triage(question: string): Promise<Route> {
    return traceRouterDecision({ routerName: 'triage' }, async (): Promise<Route> => {
      const completion = await complete.call(triageModel, `Classify as billing or general: ${question}`);
      return completion.choices[0]?.message.content === 'billing' ? 'billing_agent' : 'general_agent';
    });
  }

  billing(question: string, history: readonly string[]): Promise<string> {
    return traceAgentRun({ name: 'billing', type: 'tool_using', historySize: history.length }, async (agent) => {
      const invoice = await this.lookupWithRetry(/INV-\d+/.exec(question)?.[0] ?? 'INV-0000', () => agent.recordRetry('tool_error'));
      const prompt = `Invoice ${invoice.id} for ${invoice.amount} was charged ${invoice.charges} times. Customer asks: ${question}`;
      const completion = await complete.call(answerModel, prompt);
      const answer = completion.choices[0]?.message.content ?? '';
      // A rule checks the answer; its verdict is an evaluation, linked to the agent run active here.
      const refunds = /refund/i.test(answer);
      recordEvaluation({ name: 'mentions_refund', scoreValue: refunds ? 1 : 0, scoreLabel: refunds ? 'pass' : 'fail' });
      return answer;
    });
  }

  general(question: string, history: readonly string[]): Promise<string> {
    return traceAgentRun({ name: 'general', type: 'conversational', historySize: history.length }, async () => {
      let answer = '';
      const stream = traceLlmStream({ provider: answerModel.provider, model: answerModel.model, temperature: 0.3, prompt: question }, () => answerModel.stream(question));
      for await (const chunk of stream) answer += chunk.choices[0]?.delta.content ?? '';
      return answer;
    });
  }

  async lookupWithRetry(invoiceId: string, onRetry: () => void): Promise<Invoice> {
    try {
      return await this.invoices.lookup(invoiceId);
    } catch {
      onRetry();
      return this.invoices.lookup(invoiceId);
    }
  }
}
