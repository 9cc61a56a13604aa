/**
 * The framework runs of bench section 12: a LangChain chain (prompt, a real ChatOpenAI, parser)
 * and an OpenAI Agents SDK run (an Agent with a tool: two model calls and the tool call), each
 * with the real framework code, their OpenAI client answering from memory through its `fetch`
 * option (no socket: the bench measures instrumentation, not HTTP). Each is run bare, with the
 * kit's adapter, and (LangChain) with OpenInference's LangChain instrumentation, the peer a
 * LangChain user would pick.
 */
import { LangChainInstrumentation } from '@arizeai/openinference-instrumentation-langchain';
import { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import * as CallbackManagerModule from '@langchain/core/callbacks/manager';
import { StringOutputParser } from '@langchain/core/output_parsers';
import { ChatPromptTemplate } from '@langchain/core/prompts';
import { ChatOpenAI } from '@langchain/openai';
import { Agent, run, setDefaultOpenAIClient, setTraceProcessors, setTracingDisabled, tool } from '@openai/agents';
import { trace } from '@opentelemetry/api';
import OpenAI from 'openai';
import { z } from 'zod';
import { createLangChainHandler } from '../src/adapters/langchain/index.ts';
import { createOpenAIAgentsProcessor } from '../src/adapters/openai-agents/index.ts';

const USAGE = { prompt_tokens: 42, completion_tokens: 7, total_tokens: 49 };
const CHAT_COMPLETION = JSON.stringify({
  id: 'chatcmpl-bench',
  object: 'chat.completion',
  created: 1_767_225_600,
  model: 'gpt-4o-mini-2026-01-01',
  choices: [{ index: 0, message: { role: 'assistant', content: 'The weather in Paris is rainy today', refusal: null }, logprobs: null, finish_reason: 'stop' }],
  usage: USAGE,
});

function response(output: unknown[], sequence: number): string {
  return JSON.stringify({
    id: `resp_bench${sequence}`,
    object: 'response',
    created_at: 1_767_225_600,
    status: 'completed',
    model: 'gpt-4o-mini-2026-01-01',
    output,
    usage: { input_tokens: 42, input_tokens_details: { cached_tokens: 0 }, output_tokens: 7, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 49 },
  });
}
const TOOL_CALL = response([{ type: 'function_call', id: 'fc_bench', call_id: 'call_bench', name: 'get_weather', arguments: '{"city":"Paris"}', status: 'completed' }], 1);
const ANSWER = response([{ type: 'message', id: 'msg_bench', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'The weather in Paris is rainy today', annotations: [] }] }], 2);

/** The OpenAI API from memory: Chat Completions answers; the Responses API calls the tool, then answers once the tool's output is in. */
const fakeFetch = async (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
  const path = String(url instanceof Request ? url.url : url);
  const body = path.endsWith('/responses') ? (String(init?.body).includes('function_call_output') ? ANSWER : TOOL_CALL) : CHAT_COMPLETION;
  return new Response(body, { status: 200, headers: { 'content-type': 'application/json' } });
};

// Never reached: every request is answered by fakeFetch.
const client = () => new OpenAI({ apiKey: 'bench', baseURL: 'http://127.0.0.1:9/v1', fetch: fakeFetch, maxRetries: 0 });

/** A handler that does nothing, awaited as the kit's is: what LangChain's callback machinery costs by itself. */
class NoOpHandler extends BaseCallbackHandler {
  name = 'no_op';
  constructor() {
    super({ _awaitHandler: true });
  }
  override handleChainStart(): void {}
  override handleChainEnd(): void {}
  override handleChatModelStart(): void {}
  override handleLLMEnd(): void {}
}

/** A processor that does nothing: what the Agents SDK's processor dispatch costs by itself. */
const NO_OP_PROCESSOR = {
  onTraceStart: async () => {},
  onTraceEnd: async () => {},
  onSpanStart: async () => {},
  onSpanEnd: async () => {},
  shutdown: async () => {},
  forceFlush: async () => {},
};

export function langChainChain() {
  const chain = ChatPromptTemplate.fromMessages([
    ['system', 'Answer in one sentence.'],
    ['human', 'Weather in {city}?'],
  ])
    .pipe(new ChatOpenAI({ model: 'gpt-4o-mini', apiKey: 'bench', maxRetries: 0, configuration: { fetch: fakeFetch, baseURL: 'http://127.0.0.1:9/v1' } }))
    .pipe(new StringOutputParser());
  const handler = createLangChainHandler();
  const noOp = new NoOpHandler();
  const instrumentation = new LangChainInstrumentation({ tracerProvider: trace.getTracerProvider() });
  // Off until asked for: the bare and kit sides must not carry it.
  instrumentation.disable();
  let patched = false;
  const openInference = (on: boolean): void => {
    if (on === patched) return;
    if (on) instrumentation.manuallyInstrument(CallbackManagerModule);
    else (instrumentation as unknown as { unpatch(module: typeof CallbackManagerModule): void }).unpatch(CallbackManagerModule);
    patched = on;
  };
  return {
    bare: () => {
      openInference(false);
      return chain.invoke({ city: 'Paris' });
    },
    noOp: () => {
      openInference(false);
      return chain.invoke({ city: 'Paris' }, { callbacks: [noOp] });
    },
    kit: () => {
      openInference(false);
      return chain.invoke({ city: 'Paris' }, { callbacks: [handler] });
    },
    openInference: () => {
      openInference(true);
      return chain.invoke({ city: 'Paris' });
    },
    stop: () => openInference(false),
  };
}

export function agentsRun() {
  setDefaultOpenAIClient(client() as never);
  setTracingDisabled(false);
  const processor = createOpenAIAgentsProcessor();
  const getWeather = tool({ name: 'get_weather', description: 'The weather in a city', parameters: z.object({ city: z.string() }), execute: async ({ city }) => `Sunny in ${city}` });
  const agent = new Agent({ name: 'weather_agent', instructions: 'You report the weather.', model: 'gpt-4o-mini', tools: [getWeather] });
  // Tracing on for every side, so the SDK's own spans cost the same: the bare side has no processor.
  type Side = 'bare' | 'noOp' | 'kit';
  let current: Side = 'bare';
  const use = (side: Side): void => {
    if (side === current) return;
    setTraceProcessors(side === 'kit' ? [processor] : side === 'noOp' ? [NO_OP_PROCESSOR] : []);
    current = side;
  };
  setTraceProcessors([]);
  const runAs = (side: Side) => () => {
    use(side);
    return run(agent, 'Weather in Paris?');
  };
  return {
    bare: runAs('bare'),
    noOp: runAs('noOp'),
    kit: runAs('kit'),
    stop: () => {
      setTraceProcessors([]);
      setTracingDisabled(true);
    },
  };
}
