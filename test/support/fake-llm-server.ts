/**
 * A local stand-in for the providers' HTTP APIs, faithful enough that the
 * real `openai` and `@anthropic-ai/sdk` clients parse what it sends, whole and
 * streamed. Listens on 127.0.0.1 only (port 0): no test traffic leaves the
 * machine.
 *
 *   POST /v1/chat/completions                         OpenAI Chat Completions (JSON; SSE `data:` chunks, `[DONE]`)
 *   POST /v1/responses                                OpenAI Responses API (JSON; SSE named events response.*)
 *   POST /v1/messages                                 Anthropic Messages (JSON; SSE message_start … message_stop, ping)
 *   POST /v1beta/models/{model}:generateContent       Gemini (JSON)
 *   POST /v1beta/models/{model}:streamGenerateContent?alt=sse   Gemini (SSE `data:` chunks)
 *   POST /api/chat, /api/generate                     Ollama (JSON; NDJSON lines, streaming unless "stream": false)
 *
 * The answer is canned and deterministic: `answer` split on spaces, one
 * "token" per word. What the request asks for shapes it as the real APIs do:
 * a token limit below the answer's length cuts it (finish reason length /
 * max_tokens / max_output_tokens / MAX_TOKENS); a stop sequence found in it
 * cuts it there (Anthropic reports stop_sequence); `n` / `candidateCount`
 * return that many choices; tools offered, while the last message is not a
 * tool result, make the model call the first tool with `toolArguments` (with `callEachTool`, the
 * first offered tool the conversation has not called yet, whatever the last message: an agent
 * with a tool and a handoff calls both, one per turn, then answers);
 * Anthropic `thinking`, Responses `reasoning`, Gemini `thinkingConfig` and
 * Ollama `think` add a reasoning block. Usage: `promptTokens` in (cached ones included as each
 * provider counts them), one token per word out, `reasoningTokens` more when
 * reasoning.
 *
 * Failures on demand: `failNext(status)` or the request header
 * `x-fake-fail: 429|500` answers with that status and the provider's error
 * JSON (OpenAI `{ error: { message, type, code } }`, Anthropic
 * `{ type: "error", error: { type, message } }`, Gemini `{ error: { code,
 * message, status } }`, Ollama `{ error }`).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeLlmOptions {
  /** The canned answer. Default: "The weather in Paris is rainy today". */
  readonly answer?: string;
  /** Prompt tokens reported, cached ones included. Default 42. */
  readonly promptTokens?: number;
  /** Prompt tokens read from the cache (OpenAI cached_tokens, Anthropic cache_read_input_tokens, Gemini cachedContentTokenCount). Default 8. */
  readonly cacheReadTokens?: number;
  /** Prompt tokens written to the cache (Anthropic only). Default 4. */
  readonly cacheCreationTokens?: number;
  /** Reasoning tokens added to the output when the request asks for reasoning. Default 5. */
  readonly reasoningTokens?: number;
  /** The arguments of a tool call. Default { city: 'Paris' }. */
  readonly toolArguments?: Record<string, unknown>;
  /** Call every offered tool once, in the order offered, before answering in text (see the header). Default false. */
  readonly callEachTool?: boolean;
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: Record<string, unknown>;
}

export interface FakeLlmServer {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly port: number;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /** The next `times` requests fail with `status` and the provider's error body. */
  failNext(status: 429 | 500, times?: number): void;
  close(): Promise<void>;
}

type Json = Record<string, unknown>;

const CREATED = 1_767_225_600; // 2026-01-01T00:00:00Z: fixed, so answers are reproducible

export async function startFakeLlmServer(options: FakeLlmOptions = {}): Promise<FakeLlmServer> {
  const settings = {
    answer: options.answer ?? 'The weather in Paris is rainy today',
    promptTokens: options.promptTokens ?? 42,
    cacheReadTokens: options.cacheReadTokens ?? 8,
    cacheCreationTokens: options.cacheCreationTokens ?? 4,
    reasoningTokens: options.reasoningTokens ?? 5,
    toolArguments: options.toolArguments ?? { city: 'Paris' },
    callEachTool: options.callEachTool ?? false,
  };
  const requests: RecordedRequest[] = [];
  const failures: Array<429 | 500> = [];
  let counter = 0;

  const server = createServer((request, response) => {
    void (async () => {
      const raw = await readBody(request);
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      let body: Json = {};
      try {
        body = raw.length === 0 ? {} : (JSON.parse(raw) as Json);
      } catch {
        body = {};
      }
      requests.push({ method: request.method ?? 'GET', path: url.pathname + url.search, headers: request.headers, body });
      const api = apiOf(url.pathname);
      if (api === undefined || request.method !== 'POST') {
        sendJson(response, 404, { error: { message: `no route ${request.method} ${url.pathname}` } });
        return;
      }
      const header = Number(request.headers['x-fake-fail']);
      const fail = header === 429 || header === 500 ? header : failures.shift();
      if (fail !== undefined) {
        sendError(response, api, fail);
        return;
      }
      counter += 1;
      const call = new Call(settings, body, counter, url);
      switch (api) {
        case 'chat':
          return body.stream === true ? sendSse(response, call.chatChunks().map((chunk) => ({ data: chunk })), true) : sendJson(response, 200, call.chat());
        case 'responses':
          return body.stream === true ? sendSse(response, call.responseEvents().map((event) => ({ event: event.type as string, data: event }))) : sendJson(response, 200, call.response());
        case 'anthropic':
          return body.stream === true ? sendSse(response, call.anthropicEvents().map((event) => ({ event: event.type as string, data: event }))) : sendJson(response, 200, call.anthropic());
        case 'gemini':
          return sendJson(response, 200, call.gemini());
        case 'gemini-stream':
          return sendSse(response, call.geminiChunks().map((chunk) => ({ data: chunk })));
        case 'ollama-chat':
        case 'ollama-generate':
          return body.stream === false ? sendJson(response, 200, call.ollama(api)) : sendNdjson(response, call.ollamaChunks(api));
      }
    })().catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, { error: { message: String(error) } });
      else response.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    failNext(status, times = 1) {
      for (let i = 0; i < times; i += 1) failures.push(status);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

type Api = 'chat' | 'responses' | 'anthropic' | 'gemini' | 'gemini-stream' | 'ollama-chat' | 'ollama-generate';

function apiOf(path: string): Api | undefined {
  if (path === '/v1/chat/completions') return 'chat';
  if (path === '/v1/responses') return 'responses';
  if (path === '/v1/messages') return 'anthropic';
  if (/^\/v1(beta)?\/models\/[^/]+:generateContent$/.test(path)) return 'gemini';
  if (/^\/v1(beta)?\/models\/[^/]+:streamGenerateContent$/.test(path)) return 'gemini-stream';
  if (path === '/api/chat') return 'ollama-chat';
  if (path === '/api/generate') return 'ollama-generate';
  return undefined;
}

interface Settings {
  answer: string;
  promptTokens: number;
  cacheReadTokens: number;
  cacheCreationTokens: number;
  reasoningTokens: number;
  toolArguments: Record<string, unknown>;
  callEachTool: boolean;
}

interface Tool {
  readonly name: string;
}

/** One request's answer, in each provider's format. */
class Call {
  readonly words: string[];
  readonly truncated: boolean;
  readonly stopSequence: string | undefined;
  readonly tool: Tool | undefined;
  readonly reasoning: boolean;
  readonly choices: number;
  readonly model: string;

  readonly settings: Settings;
  readonly body: Json;
  readonly sequence: number;

  constructor(settings: Settings, body: Json, sequence: number, url: URL) {
    this.settings = settings;
    this.body = body;
    this.sequence = sequence;
    const generation = (body.generationConfig ?? body.config ?? {}) as Json;
    const options = (body.options ?? {}) as Json;
    const limit = firstNumber(body.max_completion_tokens, body.max_tokens, body.max_output_tokens, generation.maxOutputTokens, options.num_predict);
    const stops = [body.stop, body.stop_sequences, generation.stopSequences, options.stop].flat().filter((stop): stop is string => typeof stop === 'string' && stop.length > 0);
    let text = settings.answer;
    let stopSequence: string | undefined;
    for (const stop of stops) {
      const at = text.indexOf(stop);
      if (at >= 0) {
        text = text.slice(0, at).trimEnd();
        stopSequence = stop;
      }
    }
    let words = text.split(' ').filter((word) => word.length > 0);
    this.truncated = limit !== undefined && limit >= 0 && limit < words.length;
    if (this.truncated) words = words.slice(0, limit);
    this.words = words;
    this.stopSequence = stopSequence;
    this.tool = settings.callEachTool ? nextUncalledTool(body) : offeredTool(body);
    this.reasoning = body.thinking !== undefined || body.reasoning !== undefined || body.think === true || generation.thinkingConfig !== undefined;
    this.choices = Math.max(1, firstNumber(body.n, generation.candidateCount) ?? 1);
    const pathModel = /models\/([^/:]+)/.exec(url.pathname)?.[1];
    this.model = typeof body.model === 'string' ? body.model : (pathModel ?? 'unknown');
  }

  get text(): string {
    return this.words.join(' ');
  }

  /** Pieces of the answer as a stream sends them: the first word, then " word" each. */
  get pieces(): string[] {
    return this.words.map((word, index) => (index === 0 ? word : ` ${word}`));
  }

  get outputTokens(): number {
    return this.tool !== undefined ? 9 : this.words.length;
  }

  get reasoningTokens(): number {
    return this.reasoning ? this.settings.reasoningTokens : 0;
  }

  get argumentsJson(): string {
    return JSON.stringify(this.settings.toolArguments);
  }

  id(prefix: string): string {
    return `${prefix}${String(this.sequence).padStart(4, '0')}`;
  }

  // ── OpenAI Chat Completions ────────────────────────────────────────────

  chatFinish(): string {
    return this.tool !== undefined ? 'tool_calls' : this.truncated ? 'length' : 'stop';
  }

  chatUsage(): Json {
    const completion = this.outputTokens * this.choices + this.reasoningTokens;
    return {
      prompt_tokens: this.settings.promptTokens,
      completion_tokens: completion,
      total_tokens: this.settings.promptTokens + completion,
      prompt_tokens_details: { cached_tokens: this.settings.cacheReadTokens, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: this.reasoningTokens, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    };
  }

  chatEnvelope(object: string): Json {
    return { id: this.id('chatcmpl-fake'), object, created: CREATED, model: `${this.model}-2026-01-01`, service_tier: 'default', system_fingerprint: 'fp_fake' };
  }

  chat(): Json {
    const choices = Array.from({ length: this.choices }, (_, index) => ({
      index,
      message:
        this.tool !== undefined
          ? { role: 'assistant', content: null, refusal: null, annotations: [], tool_calls: [{ id: this.id('call_fake'), type: 'function', function: { name: this.tool.name, arguments: this.argumentsJson } }] }
          : { role: 'assistant', content: this.text, refusal: null, annotations: [] },
      logprobs: null,
      finish_reason: this.chatFinish(),
    }));
    return { ...this.chatEnvelope('chat.completion'), choices, usage: this.chatUsage() };
  }

  chatChunks(): Json[] {
    const includeUsage = (this.body.stream_options as Json | undefined)?.include_usage === true;
    const envelope = { ...this.chatEnvelope('chat.completion.chunk'), ...(includeUsage ? { usage: null } : {}) };
    const chunk = (index: number, delta: Json, finish: string | null = null): Json => ({ ...envelope, choices: [{ index, delta, logprobs: null, finish_reason: finish }] });
    const chunks: Json[] = [];
    for (let index = 0; index < this.choices; index += 1) {
      if (this.tool !== undefined) {
        chunks.push(chunk(index, { role: 'assistant', content: null, tool_calls: [{ index: 0, id: this.id('call_fake'), type: 'function', function: { name: this.tool.name, arguments: '' } }] }));
        for (const piece of splitInTwo(this.argumentsJson)) chunks.push(chunk(index, { tool_calls: [{ index: 0, function: { arguments: piece } }] }));
      } else {
        chunks.push(chunk(index, { role: 'assistant', content: '', refusal: null }));
        for (const piece of this.pieces) chunks.push(chunk(index, { content: piece }));
      }
    }
    for (let index = 0; index < this.choices; index += 1) chunks.push(chunk(index, {}, this.chatFinish()));
    if (includeUsage) chunks.push({ ...envelope, choices: [], usage: this.chatUsage() });
    return chunks;
  }

  // ── OpenAI Responses API ───────────────────────────────────────────────

  responseOutput(): Json[] {
    const output: Json[] = [];
    if (this.reasoning) output.push({ type: 'reasoning', id: this.id('rs_fake'), summary: [{ type: 'summary_text', text: 'Looking up the weather.' }] });
    if (this.tool !== undefined) {
      output.push({ type: 'function_call', id: this.id('fc_fake'), call_id: this.id('call_fake'), name: this.tool.name, arguments: this.argumentsJson, status: 'completed' });
    } else {
      output.push(this.responseMessage('completed', this.text));
    }
    return output;
  }

  responseMessage(status: string, text: string): Json {
    return { type: 'message', id: this.id('msg_fake'), status, role: 'assistant', content: [{ type: 'output_text', text, annotations: [], logprobs: [] }] };
  }

  response(state: 'in_progress' | 'final' = 'final'): Json {
    const conversation = this.body.conversation;
    const final = state === 'final';
    const output = this.outputTokens + this.reasoningTokens;
    return {
      id: this.id('resp_fake'),
      object: 'response',
      created_at: CREATED,
      status: final ? (this.truncated ? 'incomplete' : 'completed') : 'in_progress',
      background: false,
      error: null,
      incomplete_details: final && this.truncated ? { reason: 'max_output_tokens' } : null,
      instructions: this.body.instructions ?? null,
      max_output_tokens: this.body.max_output_tokens ?? null,
      model: `${this.model}-2026-01-01`,
      output: final ? this.responseOutput() : [],
      parallel_tool_calls: true,
      previous_response_id: null,
      reasoning: { effort: null, summary: null },
      service_tier: 'default',
      store: true,
      temperature: this.body.temperature ?? 1,
      text: this.body.text ?? { format: { type: 'text' } },
      tool_choice: 'auto',
      tools: this.body.tools ?? [],
      top_p: this.body.top_p ?? 1,
      truncation: 'disabled',
      usage: final
        ? {
            input_tokens: this.settings.promptTokens,
            input_tokens_details: { cached_tokens: this.settings.cacheReadTokens },
            output_tokens: output,
            output_tokens_details: { reasoning_tokens: this.reasoningTokens },
            total_tokens: this.settings.promptTokens + output,
          }
        : null,
      metadata: {},
      ...(typeof conversation === 'string' ? { conversation: { id: conversation } } : typeof conversation === 'object' && conversation !== null ? { conversation } : {}),
    };
  }

  responseEvents(): Json[] {
    const events: Json[] = [];
    const add = (type: string, fields: Json): void => {
      events.push({ type, sequence_number: events.length, ...fields });
    };
    add('response.created', { response: this.response('in_progress') });
    add('response.in_progress', { response: this.response('in_progress') });
    this.responseOutput().forEach((item, outputIndex) => {
      if (item.type === 'message') {
        const empty = this.responseMessage('in_progress', '');
        add('response.output_item.added', { output_index: outputIndex, item: { ...empty, content: [] } });
        const part = { type: 'output_text', text: '', annotations: [], logprobs: [] };
        add('response.content_part.added', { item_id: item.id, output_index: outputIndex, content_index: 0, part });
        for (const piece of this.pieces) add('response.output_text.delta', { item_id: item.id, output_index: outputIndex, content_index: 0, delta: piece, logprobs: [] });
        add('response.output_text.done', { item_id: item.id, output_index: outputIndex, content_index: 0, text: this.text, logprobs: [] });
        add('response.content_part.done', { item_id: item.id, output_index: outputIndex, content_index: 0, part: { ...part, text: this.text } });
      } else if (item.type === 'function_call') {
        add('response.output_item.added', { output_index: outputIndex, item: { ...item, arguments: '', status: 'in_progress' } });
        for (const piece of splitInTwo(this.argumentsJson)) add('response.function_call_arguments.delta', { item_id: item.id, output_index: outputIndex, delta: piece });
        add('response.function_call_arguments.done', { item_id: item.id, output_index: outputIndex, name: item.name, arguments: this.argumentsJson });
      } else {
        add('response.output_item.added', { output_index: outputIndex, item });
      }
      add('response.output_item.done', { output_index: outputIndex, item });
    });
    const final = this.response('final');
    add(final.status === 'incomplete' ? 'response.incomplete' : 'response.completed', { response: final });
    return events;
  }

  // ── Anthropic Messages ─────────────────────────────────────────────────

  anthropicStop(): string {
    return this.tool !== undefined ? 'tool_use' : this.truncated ? 'max_tokens' : this.stopSequence !== undefined ? 'stop_sequence' : 'end_turn';
  }

  anthropicUsage(outputTokens: number): Json {
    const { promptTokens, cacheReadTokens, cacheCreationTokens } = this.settings;
    return {
      // Anthropic counts cached tokens apart from input_tokens.
      input_tokens: promptTokens - cacheReadTokens - cacheCreationTokens,
      cache_creation_input_tokens: cacheCreationTokens,
      cache_read_input_tokens: cacheReadTokens,
      cache_creation: { ephemeral_1h_input_tokens: 0, ephemeral_5m_input_tokens: cacheCreationTokens },
      output_tokens: outputTokens,
      output_tokens_details: this.reasoning ? { thinking_tokens: this.reasoningTokens } : null,
      server_tool_use: null,
      service_tier: 'standard',
      inference_geo: null,
      speed: null,
    };
  }

  anthropicContent(): Json[] {
    const content: Json[] = [];
    if (this.reasoning) content.push({ type: 'thinking', thinking: 'Looking up the weather.', signature: 'sig-fake' });
    if (this.tool !== undefined) {
      content.push({ type: 'text', text: 'Let me check.', citations: null });
      content.push({ type: 'tool_use', id: this.id('toolu_fake'), name: this.tool.name, input: this.settings.toolArguments, caller: { type: 'direct' } });
    } else {
      content.push({ type: 'text', text: this.text, citations: null });
    }
    return content;
  }

  anthropicMessage(final: boolean): Json {
    return {
      id: this.id('msg_fake'),
      type: 'message',
      role: 'assistant',
      model: `${this.model}-20260101`,
      content: final ? this.anthropicContent() : [],
      stop_reason: final ? this.anthropicStop() : null,
      stop_sequence: final && this.anthropicStop() === 'stop_sequence' ? (this.stopSequence ?? null) : null,
      stop_details: null,
      container: null,
      usage: final ? this.anthropicUsage(this.outputTokens + this.reasoningTokens) : { ...this.anthropicUsage(1), output_tokens_details: null },
    };
  }

  anthropic(): Json {
    return this.anthropicMessage(true);
  }

  anthropicEvents(): Json[] {
    const events: Json[] = [{ type: 'message_start', message: this.anthropicMessage(false) }];
    this.anthropicContent().forEach((block, index) => {
      if (block.type === 'thinking') {
        events.push({ type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } });
        events.push({ type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: block.thinking } });
        events.push({ type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: block.signature } });
      } else if (block.type === 'tool_use') {
        events.push({ type: 'content_block_start', index, content_block: { ...block, input: {} } });
        for (const piece of splitInTwo(this.argumentsJson)) events.push({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: piece } });
      } else {
        events.push({ type: 'content_block_start', index, content_block: { type: 'text', text: '', citations: null } });
        if (index === 0) events.push({ type: 'ping' });
        const pieces = this.tool !== undefined ? ['Let me', ' check.'] : this.pieces;
        for (const piece of pieces) events.push({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: piece } });
      }
      events.push({ type: 'content_block_stop', index });
    });
    const usage = this.anthropicUsage(this.outputTokens + this.reasoningTokens);
    events.push({
      type: 'message_delta',
      delta: { stop_reason: this.anthropicStop(), stop_sequence: this.anthropicStop() === 'stop_sequence' ? (this.stopSequence ?? null) : null, stop_details: null, container: null },
      usage: {
        input_tokens: usage.input_tokens,
        cache_creation_input_tokens: usage.cache_creation_input_tokens,
        cache_read_input_tokens: usage.cache_read_input_tokens,
        output_tokens: usage.output_tokens,
        output_tokens_details: usage.output_tokens_details,
        server_tool_use: null,
      },
    });
    events.push({ type: 'message_stop' });
    return events;
  }

  // ── Gemini generateContent ─────────────────────────────────────────────

  geminiFinish(): string {
    return this.truncated ? 'MAX_TOKENS' : 'STOP';
  }

  geminiUsage(candidatesTokens: number): Json {
    return {
      promptTokenCount: this.settings.promptTokens,
      candidatesTokenCount: candidatesTokens,
      totalTokenCount: this.settings.promptTokens + candidatesTokens + this.reasoningTokens,
      cachedContentTokenCount: this.settings.cacheReadTokens,
      ...(this.reasoning ? { thoughtsTokenCount: this.reasoningTokens } : {}),
      promptTokensDetails: [{ modality: 'TEXT', tokenCount: this.settings.promptTokens }],
    };
  }

  geminiParts(): Json[] {
    const parts: Json[] = [];
    if (this.reasoning) parts.push({ text: 'Looking up the weather.', thought: true });
    if (this.tool !== undefined) parts.push({ functionCall: { name: this.tool.name, args: this.settings.toolArguments } });
    else parts.push({ text: this.text });
    return parts;
  }

  gemini(): Json {
    return {
      candidates: Array.from({ length: this.choices }, (_, index) => ({ content: { parts: this.geminiParts(), role: 'model' }, finishReason: this.geminiFinish(), index })),
      usageMetadata: this.geminiUsage(this.outputTokens * this.choices),
      modelVersion: this.model,
      responseId: this.id('gemini-fake-'),
    };
  }

  geminiChunks(): Json[] {
    const pieces = this.tool !== undefined ? [undefined] : this.pieces;
    return pieces.map((piece, at) => {
      const last = at === pieces.length - 1;
      const parts = piece === undefined ? this.geminiParts() : [...(at === 0 && this.reasoning ? [{ text: 'Looking up the weather.', thought: true }] : []), { text: piece }];
      return {
        candidates: [{ content: { parts, role: 'model' }, ...(last ? { finishReason: this.geminiFinish() } : {}), index: 0 }],
        usageMetadata: last ? this.geminiUsage(this.outputTokens) : { promptTokenCount: this.settings.promptTokens, totalTokenCount: this.settings.promptTokens },
        modelVersion: this.model,
        responseId: this.id('gemini-fake-'),
      };
    });
  }

  // ── Ollama ─────────────────────────────────────────────────────────────

  ollamaFinal(api: 'ollama-chat' | 'ollama-generate', content: string): Json {
    return {
      model: this.model,
      created_at: new Date(CREATED * 1000).toISOString(),
      ...(api === 'ollama-chat' ? { message: this.ollamaMessage(content) } : { response: content, ...(this.reasoning ? { thinking: 'Looking up the weather.' } : {}) }),
      done: true,
      done_reason: this.truncated ? 'length' : 'stop',
      ...(api === 'ollama-generate' ? { context: [1, 2, 3] } : {}),
      total_duration: 5_000_000,
      load_duration: 1_000_000,
      prompt_eval_count: this.settings.promptTokens,
      prompt_eval_duration: 1_000_000,
      eval_count: this.outputTokens,
      eval_duration: 3_000_000,
    };
  }

  ollamaMessage(content: string): Json {
    return {
      role: 'assistant',
      content,
      ...(this.reasoning ? { thinking: 'Looking up the weather.' } : {}),
      ...(this.tool !== undefined ? { tool_calls: [{ function: { name: this.tool.name, arguments: this.settings.toolArguments } }] } : {}),
    };
  }

  ollama(api: 'ollama-chat' | 'ollama-generate'): Json {
    return this.ollamaFinal(api, this.tool !== undefined ? '' : this.text);
  }

  ollamaChunks(api: 'ollama-chat' | 'ollama-generate'): Json[] {
    const created_at = new Date(CREATED * 1000).toISOString();
    const pieces = this.tool !== undefined ? [] : this.pieces;
    const chunks: Json[] = pieces.map((piece) =>
      api === 'ollama-chat' ? { model: this.model, created_at, message: { role: 'assistant', content: piece }, done: false } : { model: this.model, created_at, response: piece, done: false },
    );
    const final = this.ollamaFinal(api, '');
    if (api === 'ollama-chat' && this.tool === undefined) final.message = { role: 'assistant', content: '' };
    chunks.push(final);
    return chunks;
  }
}

function offeredTool(body: Json): Tool | undefined {
  const tools = Array.isArray(body.tools) ? (body.tools as Json[]) : [];
  const first = tools[0];
  if (first === undefined) return undefined;
  const history = [body.messages, body.input, body.contents].find(Array.isArray) as Json[] | undefined;
  const last = history?.at(-1);
  if (last !== undefined && answersTool(last)) return undefined;
  const declarations = first.functionDeclarations as Json[] | undefined;
  const fn = (first.function ?? declarations?.[0] ?? first) as Json;
  return { name: typeof fn.name === 'string' ? fn.name : 'tool' };
}

/** The first offered tool no earlier turn of the conversation called (Chat Completions or Responses history). */
function nextUncalledTool(body: Json): Tool | undefined {
  const tools = Array.isArray(body.tools) ? (body.tools as Json[]) : [];
  const history = ([body.messages, body.input].find(Array.isArray) ?? []) as Json[];
  const called = new Set<unknown>();
  for (const entry of history) {
    if (entry.type === 'function_call') called.add(entry.name);
    if (Array.isArray(entry.tool_calls)) for (const call of entry.tool_calls as Json[]) called.add((call.function as Json | undefined)?.name);
  }
  const names = tools.map((tool) => ((tool.function ?? tool) as Json).name).filter((name): name is string => typeof name === 'string');
  const next = names.find((name) => !called.has(name));
  return next === undefined ? undefined : { name: next };
}

/** The last history entry is a tool result, so the model answers in text now. */
function answersTool(entry: Json): boolean {
  if (entry.role === 'tool' || entry.type === 'function_call_output') return true;
  const content = entry.content ?? entry.parts;
  return Array.isArray(content) && content.some((block: Json) => block.type === 'tool_result' || block.functionResponse !== undefined);
}

function firstNumber(...values: unknown[]): number | undefined {
  return values.find((value): value is number => typeof value === 'number' && Number.isFinite(value));
}

function splitInTwo(text: string): string[] {
  const half = Math.ceil(text.length / 2);
  return [text.slice(0, half), text.slice(half)];
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', 'x-request-id': 'req_fake', 'request-id': 'req_fake', ...headers });
  response.end(JSON.stringify(body));
}

function sendSse(response: ServerResponse, events: Array<{ event?: string; data: unknown }>, done = false): void {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-request-id': 'req_fake', 'request-id': 'req_fake' });
  for (const { event, data } of events) response.write(`${event === undefined ? '' : `event: ${event}\n`}data: ${JSON.stringify(data)}\n\n`);
  if (done) response.write('data: [DONE]\n\n');
  response.end();
}

function sendNdjson(response: ServerResponse, lines: unknown[]): void {
  response.writeHead(200, { 'content-type': 'application/x-ndjson' });
  for (const line of lines) response.write(`${JSON.stringify(line)}\n`);
  response.end();
}

const OPENAI_ERRORS = {
  429: { message: 'Rate limit reached for requests', type: 'requests', code: 'rate_limit_exceeded' },
  500: { message: 'The server had an error while processing your request.', type: 'server_error', code: null },
};
const ANTHROPIC_ERRORS = {
  429: { type: 'rate_limit_error', message: 'Number of request tokens has exceeded your per-minute rate limit' },
  500: { type: 'api_error', message: 'Internal server error' },
};
const GEMINI_ERRORS = {
  429: { code: 429, message: 'Resource has been exhausted (e.g. check quota).', status: 'RESOURCE_EXHAUSTED' },
  500: { code: 500, message: 'An internal error has occurred.', status: 'INTERNAL' },
};

function sendError(response: ServerResponse, api: Api, status: 429 | 500): void {
  const retry: Record<string, string> = status === 429 ? { 'retry-after': '1' } : {};
  switch (api) {
    case 'chat':
    case 'responses':
      return sendJson(response, status, { error: { ...OPENAI_ERRORS[status], param: null } }, retry);
    case 'anthropic':
      return sendJson(response, status, { type: 'error', error: ANTHROPIC_ERRORS[status], request_id: 'req_fake' }, retry);
    case 'gemini':
    case 'gemini-stream':
      return sendJson(response, status, { error: GEMINI_ERRORS[status] }, retry);
    case 'ollama-chat':
    case 'ollama-generate':
      return sendJson(response, status, { error: status === 429 ? 'too many requests' : 'llama runner process has terminated' }, retry);
  }
}

// ── small fetch clients for the APIs without an SDK here (Gemini, Ollama) ──

/** POSTs JSON to the fake server and returns the parsed JSON answer; throws with the status and body on failure. */
export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Json> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await response.text();
  if (!response.ok) throw new FakeHttpError(response.status, text);
  return JSON.parse(text) as Json;
}

/** POSTs JSON and returns the events of an SSE answer (`data:` lines, Gemini's alt=sse format) or of an NDJSON one (Ollama). */
export async function postStream(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Json[]> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await response.text();
  if (!response.ok) throw new FakeHttpError(response.status, text);
  if ((response.headers.get('content-type') ?? '').includes('ndjson')) {
    return text
      .split('\n')
      .filter((line) => line.trim().length > 0)
      .map((line) => JSON.parse(line) as Json);
  }
  return text
    .split(/\r?\n\r?\n/)
    .map((block) => block.split(/\r?\n/).filter((line) => line.startsWith('data:')).map((line) => line.slice(5).trimStart()).join('\n'))
    .filter((data) => data.length > 0 && data !== '[DONE]')
    .map((data) => JSON.parse(data) as Json);
}

export class FakeHttpError extends Error {
  readonly status: number;
  readonly body: unknown;

  constructor(status: number, body: string) {
    super(`HTTP ${status}`);
    this.name = 'FakeHttpError';
    this.status = status;
    let parsed: unknown = body;
    try {
      parsed = JSON.parse(body);
    } catch {
      // not JSON: kept as text
    }
    this.body = parsed;
  }
}
