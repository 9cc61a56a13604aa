/**
 * A deterministic stand-in for an LLM provider: no network, no randomness.
 * Its replies have the shape of OpenAI's Chat Completions API (a whole
 * completion with `usage`, or chunks with `delta.content` and a final
 * `include_usage` chunk), so the kit reads their token usage exactly as it
 * would read OpenAI's. Token counts are word counts; latency is fixed.
 */

export interface ChatCompletion {
  readonly model: string;
  readonly choices: ReadonlyArray<{ readonly message: { readonly role: 'assistant'; readonly content: string } }>;
  readonly usage: { readonly prompt_tokens: number; readonly completion_tokens: number; readonly total_tokens: number };
}

export interface ChatChunk {
  readonly choices: ReadonlyArray<{ readonly delta: { readonly content?: string } }>;
  readonly usage?: ChatCompletion['usage'];
}

/** Answers by the first rule whose keyword the prompt contains. */
export interface CannedReply {
  readonly keyword: string;
  readonly reply: string;
}

export class FakeProviderError extends Error {
  override readonly name = 'FakeProviderError';
}

const sleep = (milliseconds: number) => new Promise<void>((resolve) => setTimeout(resolve, milliseconds));
const countTokens = (text: string) => text.split(/\s+/).filter(Boolean).length;

export class FakeChatModel {
  readonly provider = 'fake';
  readonly model: string;
  readonly #replies: readonly CannedReply[];
  readonly #fallback: string;
  readonly #latencyMs: number;

  constructor(model: string, replies: readonly CannedReply[], options: { fallback: string; latencyMs?: number }) {
    this.model = model;
    this.#replies = replies;
    this.#fallback = options.fallback;
    this.#latencyMs = options.latencyMs ?? 20;
  }

  async complete(prompt: string): Promise<ChatCompletion> {
    await sleep(this.#latencyMs);
    const content = this.#replyTo(prompt);
    const usage = this.#usage(prompt, content);
    return { model: this.model, choices: [{ message: { role: 'assistant', content } }], usage };
  }

  /** Streams the reply word by word, then a usage-only chunk, as OpenAI does with `stream_options.include_usage`. */
  async *stream(prompt: string): AsyncGenerator<ChatChunk> {
    await sleep(this.#latencyMs);
    const content = this.#replyTo(prompt);
    for (const [index, word] of content.split(' ').entries()) {
      await sleep(3);
      yield { choices: [{ delta: { content: index === 0 ? word : ` ${word}` } }] };
    }
    yield { choices: [], usage: this.#usage(prompt, content) };
  }

  #replyTo(prompt: string): string {
    const lower = prompt.toLowerCase();
    return this.#replies.find((rule) => lower.includes(rule.keyword))?.reply ?? this.#fallback;
  }

  #usage(prompt: string, content: string): ChatCompletion['usage'] {
    const promptTokens = countTokens(prompt);
    const completionTokens = countTokens(content);
    return { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
  }
}
