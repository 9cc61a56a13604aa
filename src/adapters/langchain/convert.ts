/**
 * LangChain's view of a model call, turned into what the kit's LLM handle reads: the provider
 * and model from the `ls_*` metadata LangChain attaches to every chat model and LLM run (else the
 * invocation parameters, else the class), the request as an OpenAI Chat Completions body (the
 * messages LangChain passed, with the invocation parameters), and the response as a Chat
 * Completions response (the generations, their finish reasons and model) with the token usage
 * LangChain normalised into `usage_metadata` (else the legacy `llmOutput.tokenUsage`).
 *
 * Everything is read defensively: these are a framework's objects, and a field that is not
 * there, or a getter that throws, means "not known", never an error.
 */
import type { LlmCallInfo } from '../../instrumentation/llm-signals.ts';
import type { Usage } from '../../instrumentation/usage.ts';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

/** What LangChain passes about the model at the start of its run. */
export interface ModelRunStart {
  /** The serialized model (`llm` argument): `id` is its class path, `kwargs` its settings. */
  readonly serialized: unknown;
  /** Chat models: the messages of each prompt; LLMs: the prompt strings. */
  readonly prompts: readonly unknown[];
  readonly extraParams: unknown;
  readonly metadata: unknown;
  readonly chat: boolean;
}

/** The kit's view of the call: provider, model, temperature, the request and the prompt text. */
export function llmCallInfo(start: ModelRunStart): LlmCallInfo {
  const metadata = isObject(start.metadata) ? start.metadata : {};
  const extra = isObject(start.extraParams) ? start.extraParams : {};
  const params = isObject(extra.invocation_params) ? extra.invocation_params : {};
  const serialized = isObject(start.serialized) ? start.serialized : {};
  const kwargs = isObject(serialized.kwargs) ? serialized.kwargs : {};
  const classPath = Array.isArray(serialized.id) ? serialized.id.filter((part): part is string => typeof part === 'string') : [];
  const className = classPath.at(-1) ?? 'langchain';
  const provider = text(metadata.ls_provider) ?? className;
  const model = text(metadata.ls_model_name) ?? text(params.model) ?? text(params.model_name) ?? text(params.modelName) ?? text(kwargs.model) ?? text(kwargs.model_name) ?? className;
  const temperature = typeof metadata.ls_temperature === 'number' ? metadata.ls_temperature : typeof params.temperature === 'number' ? params.temperature : undefined;
  const messages = start.chat ? chatMessages(start.prompts[0]) : [{ role: 'user', content: typeof start.prompts[0] === 'string' ? start.prompts[0] : '' }];
  // The invocation parameters are the provider's request settings; `stream` says how LangChain was configured, not whether this call streams.
  const { stream: _stream, stream_options: _streamOptions, ...settings } = params;
  const configuration = isObject(kwargs.configuration) ? kwargs.configuration : {};
  return {
    provider,
    model,
    ...(temperature === undefined ? {} : { temperature }),
    prompt: messages.map((message) => contentText(message.content)).filter((piece) => piece.length > 0).join('\n'),
    operation: start.chat ? 'chat' : 'text_completion',
    request: { ...settings, model, messages },
    ...(text(configuration.baseURL) === undefined ? {} : { serverUrl: configuration.baseURL as string }),
  };
}

const ROLES: Readonly<Record<string, string>> = { human: 'user', ai: 'assistant', system: 'system', tool: 'tool', function: 'function', developer: 'developer', generic: 'user' };

/** LangChain messages as Chat Completions messages. */
function chatMessages(messages: unknown): Array<{ role: string; content: unknown; tool_calls?: unknown[]; tool_call_id?: string }> {
  if (!Array.isArray(messages)) return [];
  return messages.filter(isObject).map((message) => {
    const type = messageType(message);
    const converted: { role: string; content: unknown; tool_calls?: unknown[]; tool_call_id?: string } = { role: ROLES[type] ?? type, content: message.content ?? '' };
    const toolCalls = openAiToolCalls(message.tool_calls);
    if (toolCalls !== undefined) converted.tool_calls = toolCalls;
    if (typeof message.tool_call_id === 'string') converted.tool_call_id = message.tool_call_id;
    return converted;
  });
}

function messageType(message: Json): string {
  try {
    if (typeof message.getType === 'function') return String((message.getType as () => unknown).call(message));
    if (typeof message._getType === 'function') return String((message._getType as () => unknown).call(message));
  } catch {
    // A message whose type cannot be read: its role is unknown.
  }
  return typeof message.type === 'string' ? message.type : 'user';
}

function openAiToolCalls(calls: unknown): unknown[] | undefined {
  if (!Array.isArray(calls) || calls.length === 0) return undefined;
  return calls.filter(isObject).map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: JSON.stringify(call.args ?? {}) } }));
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .filter(isObject)
    .map((block) => (typeof block.text === 'string' ? block.text : ''))
    .join('');
}

/** What a model run's end (`LLMResult`) says: a Chat Completions response, and the token usage. */
export interface ModelRunEnd {
  readonly response: Json;
  readonly usage: Usage | undefined;
}

export function modelRunEnd(output: unknown): ModelRunEnd {
  const result = isObject(output) ? output : {};
  const generations = Array.isArray(result.generations) && Array.isArray(result.generations[0]) ? (result.generations[0] as unknown[]).filter(isObject) : [];
  const messages = generations.map((generation) => (isObject(generation.message) ? generation.message : undefined));
  const metadata = messages.map((message) => (message !== undefined && isObject(message.response_metadata) ? message.response_metadata : {}));
  const info = generations.map((generation) => (isObject(generation.generationInfo) ? generation.generationInfo : {}));
  const choices = generations.map((generation, index) => {
    const message = messages[index];
    const toolCalls = message === undefined ? undefined : openAiToolCalls(message.tool_calls);
    const finish = text(metadata[index]?.finish_reason) ?? text(info[index]?.finish_reason) ?? text(metadata[index]?.stop_reason);
    return {
      index,
      message: { role: 'assistant', content: message !== undefined && typeof message.content === 'string' ? message.content : (generation.text ?? ''), ...(toolCalls === undefined ? {} : { tool_calls: toolCalls }) },
      ...(finish === undefined ? {} : { finish_reason: finish }),
    };
  });
  const firstMetadata = metadata[0] ?? {};
  const id = messages[0] === undefined ? undefined : text(messages[0].id);
  const model = text(firstMetadata.model_name) ?? text(firstMetadata.model) ?? text(info[0]?.model_name);
  return {
    // A run id LangChain made up (`run-…`) is not the provider's response id.
    response: { ...(id === undefined || id.startsWith('run-') ? {} : { id }), ...(model === undefined ? {} : { model }), choices },
    usage: usageOf(messages[0], result.llmOutput),
  };
}

/** `usage_metadata` as LangChain normalises it for every provider, else `llmOutput.tokenUsage` (older integrations). */
function usageOf(message: Json | undefined, llmOutput: unknown): Usage | undefined {
  const metadata = message !== undefined && isObject(message.usage_metadata) ? message.usage_metadata : undefined;
  if (metadata !== undefined) {
    const input = isObject(metadata.input_token_details) ? metadata.input_token_details : {};
    const output = isObject(metadata.output_token_details) ? metadata.output_token_details : {};
    const reasoning = count(output.reasoning);
    return definedOnly({
      promptTokens: count(metadata.input_tokens),
      completionTokens: count(metadata.output_tokens),
      totalTokens: count(metadata.total_tokens),
      cacheReadTokens: count(input.cache_read),
      cacheCreationTokens: count(input.cache_creation),
      // Zero from a model that does not reason says nothing about the call (as for the providers' own shapes).
      reasoningTokens: reasoning === 0 ? undefined : reasoning,
    });
  }
  const legacy = isObject(llmOutput) && isObject(llmOutput.tokenUsage) ? llmOutput.tokenUsage : undefined;
  if (legacy === undefined) return undefined;
  return definedOnly({ promptTokens: count(legacy.promptTokens), completionTokens: count(legacy.completionTokens), totalTokens: count(legacy.totalTokens) });
}

function definedOnly(usage: { [K in keyof Usage]: Usage[K] | undefined }): Usage | undefined {
  const entries = Object.entries(usage).filter(([, value]) => value !== undefined);
  return entries.length === 0 ? undefined : (Object.fromEntries(entries) as Usage);
}

/** A tool's output as its result: a ToolMessage's content, or the value itself. */
export function toolResult(output: unknown): unknown {
  if (isObject(output) && 'content' in output && typeof output.content === 'string') return output.content;
  return output;
}
