/**
 * Every stream shape the README claims, opened the way an application opens it: through the real
 * `openai` and `@anthropic-ai/sdk` clients where they are devDependencies, through `fetch` and the
 * provider's own wire format (Gemini's `alt=sse`, Ollama's NDJSON) where no SDK is one; all against
 * the local fake server (test/support/fake-llm-server.ts). Each shape says what usage the fake
 * server reports for it, as the GenAI conventions count it (cached input tokens in the input,
 * reasoning tokens in the output), and how many of its events carry output (content deltas).
 */
import { postStream, type FakeLlmServer } from './fake-llm-server.ts';
import { anthropicClient, openAiClient } from './sdk-clients.ts';

export interface ExpectedUsage {
  readonly input: number;
  readonly output: number;
  readonly total: number;
  readonly cacheRead?: number;
  readonly cacheWrite?: number;
  readonly reasoning?: number;
}

export interface StreamShape {
  readonly name: string;
  readonly provider: string;
  readonly model: string;
  /** The request as sent, for `traceLlmStream`'s `request`. */
  readonly request: Record<string, unknown>;
  readonly open: (server: FakeLlmServer) => Promise<AsyncIterable<unknown>> | AsyncIterable<unknown>;
  readonly usage: ExpectedUsage;
  /** The events that carry output (text, reasoning or tool-call deltas); the others are lifecycle events. */
  readonly outputChunks: number;
  /** The response model the stream reports. */
  readonly responseModel: string;
}

/** The fake server's answer, "The weather in Paris is rainy today": seven words, one output token each. */
const WORDS = 7;
const PROMPT = 42;
const CACHE_READ = 8;
const CACHE_WRITE = 4;
const REASONING = 5;
const MESSAGES = [{ role: 'user' as const, content: 'Weather in Paris?' }];

async function* events(list: Promise<Record<string, unknown>[]>): AsyncGenerator<Record<string, unknown>> {
  yield* await list;
}

export const STREAM_SHAPES: readonly StreamShape[] = [
  {
    name: 'OpenAI Chat Completions, stream_options.include_usage',
    provider: 'openai',
    model: 'gpt-4o',
    request: { model: 'gpt-4o', messages: MESSAGES, stream: true, stream_options: { include_usage: true } },
    open: (server) => openAiClient(server).chat.completions.create({ model: 'gpt-4o', messages: MESSAGES, stream: true, stream_options: { include_usage: true } }),
    usage: { input: PROMPT, output: WORDS, total: PROMPT + WORDS, cacheRead: CACHE_READ },
    // The role chunk carries an empty content: not output; the finish and usage chunks neither.
    outputChunks: WORDS,
    responseModel: 'gpt-4o-2026-01-01',
  },
  {
    name: 'OpenAI Responses, responses.create({ stream: true })',
    provider: 'openai',
    model: 'o4-mini',
    request: { model: 'o4-mini', input: 'Weather in Paris?', stream: true, reasoning: { effort: 'low' } },
    open: (server) => openAiClient(server).responses.create({ model: 'o4-mini', input: 'Weather in Paris?', stream: true, reasoning: { effort: 'low' } }),
    usage: { input: PROMPT, output: WORDS + REASONING, total: PROMPT + WORDS + REASONING, cacheRead: CACHE_READ, reasoning: REASONING },
    outputChunks: WORDS,
    responseModel: 'o4-mini-2026-01-01',
  },
  {
    name: 'OpenAI Responses, responses.stream() (ResponseStream)',
    provider: 'openai',
    model: 'o4-mini',
    request: { model: 'o4-mini', input: 'Weather in Paris?', stream: true, reasoning: { effort: 'low' } },
    open: (server) => openAiClient(server).responses.stream({ model: 'o4-mini', input: 'Weather in Paris?', reasoning: { effort: 'low' } }),
    usage: { input: PROMPT, output: WORDS + REASONING, total: PROMPT + WORDS + REASONING, cacheRead: CACHE_READ, reasoning: REASONING },
    outputChunks: WORDS,
    responseModel: 'o4-mini-2026-01-01',
  },
  {
    name: 'Anthropic Messages, messages.create({ stream: true })',
    provider: 'anthropic',
    model: 'claude-sonnet-5-5',
    request: { model: 'claude-sonnet-5-5', max_tokens: 1024, messages: MESSAGES, stream: true, thinking: { type: 'enabled', budget_tokens: 512 } },
    open: (server) =>
      anthropicClient(server).messages.create({ model: 'claude-sonnet-5-5', max_tokens: 1024, messages: MESSAGES, stream: true, thinking: { type: 'enabled', budget_tokens: 512 } }),
    // Anthropic's input_tokens leaves the cache out; the convention's input includes it (30 + 8 + 4).
    usage: { input: PROMPT, output: WORDS + REASONING, total: PROMPT + WORDS + REASONING, cacheRead: CACHE_READ, cacheWrite: CACHE_WRITE, reasoning: REASONING },
    // The thinking delta and the seven text deltas; the signature delta is no output.
    outputChunks: WORDS + 1,
    responseModel: 'claude-sonnet-5-5-20260101',
  },
  {
    name: 'Anthropic Messages, messages.stream() (MessageStream)',
    provider: 'anthropic',
    model: 'claude-sonnet-5-5',
    request: { model: 'claude-sonnet-5-5', max_tokens: 1024, messages: MESSAGES, stream: true, thinking: { type: 'enabled', budget_tokens: 512 } },
    open: (server) =>
      anthropicClient(server).messages.stream({ model: 'claude-sonnet-5-5', max_tokens: 1024, messages: MESSAGES, thinking: { type: 'enabled', budget_tokens: 512 } }),
    usage: { input: PROMPT, output: WORDS + REASONING, total: PROMPT + WORDS + REASONING, cacheRead: CACHE_READ, cacheWrite: CACHE_WRITE, reasoning: REASONING },
    outputChunks: WORDS + 1,
    responseModel: 'claude-sonnet-5-5-20260101',
  },
  {
    name: 'Gemini streamGenerateContent?alt=sse (fetch)',
    provider: 'gemini',
    model: 'gemini-2.5-flash',
    request: { contents: [{ role: 'user', parts: [{ text: 'Weather in Paris?' }] }], generationConfig: { thinkingConfig: { thinkingBudget: 512 } } },
    open: (server) =>
      events(
        postStream(`${server.url}/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse`, {
          contents: [{ role: 'user', parts: [{ text: 'Weather in Paris?' }] }],
          generationConfig: { thinkingConfig: { thinkingBudget: 512 } },
        }),
      ),
    usage: { input: PROMPT, output: WORDS + REASONING, total: PROMPT + WORDS + REASONING, cacheRead: CACHE_READ, reasoning: REASONING },
    outputChunks: WORDS,
    responseModel: 'gemini-2.5-flash',
  },
  {
    name: 'Ollama /api/chat (NDJSON, fetch)',
    provider: 'ollama',
    model: 'llama3.2',
    request: { model: 'llama3.2', messages: MESSAGES },
    open: (server) => events(postStream(`${server.url}/api/chat`, { model: 'llama3.2', messages: MESSAGES })),
    usage: { input: PROMPT, output: WORDS, total: PROMPT + WORDS },
    // The final line carries the counts and an empty message: no output.
    outputChunks: WORDS,
    responseModel: 'llama3.2',
  },
  {
    name: 'Ollama /api/generate (NDJSON, fetch)',
    provider: 'ollama',
    model: 'llama3.2',
    request: { model: 'llama3.2', prompt: 'Weather in Paris?' },
    open: (server) => events(postStream(`${server.url}/api/generate`, { model: 'llama3.2', prompt: 'Weather in Paris?' })),
    usage: { input: PROMPT, output: WORDS, total: PROMPT + WORDS },
    outputChunks: WORDS,
    responseModel: 'llama3.2',
  },
];
