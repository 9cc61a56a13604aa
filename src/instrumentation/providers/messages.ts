/**
 * Provider requests and responses → the OpenTelemetry GenAI message lists
 * (parts are converted by parts.ts, see its table):
 *
 *   request shape (recognised by)            gen_ai.system_instructions        gen_ai.input.messages
 *   a string                                 -                                 one user message
 *   OpenAI Chat Completions (messages[])     - (system and developer messages  messages[]: role, name, content, tool_calls,
 *                                            are chat history, kept in input)  tool messages as tool_call_response
 *   Anthropic Messages (messages[])          system (string or text blocks)    messages[]: role, content blocks
 *   Ollama /api/chat (messages[])            - (system messages in history)    messages[]: role, content, images, thinking,
 *                                                                              tool_calls
 *   Ollama /api/generate (prompt)            system                            one user message: prompt, images
 *   OpenAI Responses API (input)             instructions                      input: a string (one user message) or
 *                                                                              items: messages, function_call (assistant),
 *                                                                              function_call_output (tool), reasoning
 *   Gemini generateContent (contents)        systemInstruction, or             contents[]: role ("model" → assistant),
 *                                            config.systemInstruction (SDK)    parts
 *   a list                                   -                                 the list as chat messages
 *
 *   response shape                           gen_ai.output.messages (one per choice or candidate)
 *   a string                                 one assistant message
 *   OpenAI Chat Completions                  choices[].message, finish_reason (legacy Completions: choices[].text)
 *   OpenAI Responses API                     one assistant message of every output item, finish reason from status
 *   Anthropic Messages                       one assistant message of content blocks, stop_reason
 *   Gemini                                   candidates[].content, finishReason
 *   Ollama                                   message (chat) or response and thinking (generate), done_reason
 *
 * Output messages carry the output schema's finish reasons (`stop`, `length`,
 * `content_filter`, `tool_call`, `error`) where the provider's reason means
 * one of them, and the provider's own otherwise (see `outputFinishReason`).
 */
import { array, first, object, text, type Json } from './read.ts';
import { responsesStatusReason } from './response.ts';
import { contentParts, reasoningPart, textPart, toolCallPart, toolCallResponsePart, toolResponse, blobPart, type GenAiPart } from './parts.ts';

export interface GenAiMessage {
  readonly role: string;
  readonly parts: GenAiPart[];
  readonly name?: string;
}

export interface GenAiOutputMessage extends GenAiMessage {
  readonly finish_reason: string;
}

/**
 * Provider finish reasons in the output-message schema's terms:
 *
 *   stop            OpenAI stop; Anthropic end_turn, stop_sequence; Gemini STOP; Ollama stop;
 *                   Responses completed
 *   length          OpenAI length; Anthropic max_tokens, model_context_window_exceeded;
 *                   Gemini MAX_TOKENS; Ollama length; Responses max_output_tokens
 *   content_filter  OpenAI content_filter; Anthropic refusal; Gemini SAFETY, RECITATION,
 *                   BLOCKLIST, PROHIBITED_CONTENT, SPII, IMAGE_SAFETY, IMAGE_PROHIBITED_CONTENT,
 *                   IMAGE_RECITATION
 *   tool_call       OpenAI tool_calls, function_call; Anthropic tool_use; and `stop` when the
 *                   message calls a tool (Gemini, Ollama and the Responses API say stop then)
 *   error           Gemini MALFORMED_FUNCTION_CALL, UNEXPECTED_TOOL_CALL; Responses failed
 *   (as given)      anything else: Anthropic pause_turn, Ollama load/unload, Gemini OTHER …
 *
 * No reason at all (a plain string answer, a stream read to its end without
 * one) is `fallback`, by default `stop`: the answer ended.
 */
export function outputFinishReason(reason: string | undefined, parts: readonly GenAiPart[] = [], fallback = 'stop'): string {
  const mapped = reason === undefined ? fallback : (FINISH_REASONS[reason] ?? reason);
  return mapped === 'stop' && parts.some((part) => part.type === 'tool_call') ? 'tool_call' : mapped;
}

const FINISH_REASONS: Readonly<Record<string, string>> = {
  stop: 'stop',
  end_turn: 'stop',
  stop_sequence: 'stop',
  STOP: 'stop',
  completed: 'stop',
  length: 'length',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  MAX_TOKENS: 'length',
  max_output_tokens: 'length',
  content_filter: 'content_filter',
  refusal: 'content_filter',
  SAFETY: 'content_filter',
  RECITATION: 'content_filter',
  BLOCKLIST: 'content_filter',
  PROHIBITED_CONTENT: 'content_filter',
  SPII: 'content_filter',
  IMAGE_SAFETY: 'content_filter',
  IMAGE_PROHIBITED_CONTENT: 'content_filter',
  IMAGE_RECITATION: 'content_filter',
  tool_calls: 'tool_call',
  function_call: 'tool_call',
  tool_use: 'tool_call',
  MALFORMED_FUNCTION_CALL: 'error',
  UNEXPECTED_TOOL_CALL: 'error',
  failed: 'error',
};

// ── requests ────────────────────────────────────────────────────────────

export function readInputMessages(request: unknown): GenAiMessage[] | undefined {
  if (typeof request === 'string') return [{ role: 'user', parts: [textPart(request)] }];
  if (Array.isArray(request)) return chatMessages(request);
  const body = object(request);
  if (body === undefined) return undefined;
  if (body.contents !== undefined) return geminiContents(body.contents);
  if (body.input !== undefined) return responsesInput(body.input);
  if (Array.isArray(body.messages)) return chatMessages(body.messages);
  if (typeof body.prompt === 'string') {
    const images = (array(body.images) ?? []).filter((image): image is string => typeof image === 'string').map((image) => blobPart(image, undefined, 'image'));
    return [{ role: 'user', parts: [textPart(body.prompt), ...images] }];
  }
  return undefined;
}

export function readSystemInstructions(request: unknown): GenAiPart[] | undefined {
  const body = object(request);
  if (body === undefined) return undefined;
  const instructions = first(
    body.system, // Anthropic Messages, Ollama /api/generate
    body.instructions, // OpenAI Responses API
    body.systemInstruction, // Gemini REST
    body.system_instruction,
    object(body.config)?.systemInstruction, // @google/genai
  );
  if (instructions === undefined || instructions === null) return undefined;
  const parts = typeof instructions === 'string' || Array.isArray(instructions) ? contentParts(instructions) : contentParts(object(instructions)?.parts);
  return parts.length === 0 ? undefined : parts;
}

function chatMessages(messages: unknown[]): GenAiMessage[] {
  return messages.map(object).filter((message): message is Json => message !== undefined).map(chatMessage);
}

/** One message of OpenAI Chat Completions, Anthropic Messages or Ollama chat. */
function chatMessage(message: Json): GenAiMessage {
  const role = text(message.role) ?? 'user';
  const parts: GenAiPart[] = [];
  if (typeof message.thinking === 'string' && message.thinking.length > 0) parts.push(reasoningPart(message.thinking)); // Ollama
  const toolCallId = first(text(message.tool_call_id), text(message.tool_use_id));
  if (role === 'tool' || role === 'function') {
    parts.push(toolCallResponsePart(toolCallId, toolResponse(message.content)));
  } else {
    const content = contentParts(message.content);
    const others = message.tool_calls !== undefined || message.function_call !== undefined || message.images !== undefined || typeof message.refusal === 'string';
    // An empty string beside tool calls (Ollama, some OpenAI servers) is no content.
    parts.push(...content.filter((part) => !(others && part.type === 'text' && 'content' in part && part.content === '')));
  }
  for (const image of array(message.images) ?? []) if (typeof image === 'string') parts.push(blobPart(image, undefined, 'image')); // Ollama
  if (typeof message.refusal === 'string') parts.push({ type: 'refusal', content: message.refusal });
  for (const call of array(message.tool_calls) ?? []) {
    const entry = object(call);
    const fn = object(entry?.function);
    const custom = object(entry?.custom);
    if (fn !== undefined) parts.push(toolCallPart(text(entry?.id), text(fn.name) ?? 'unknown', fn.arguments));
    else if (custom !== undefined) parts.push(toolCallPart(text(entry?.id), text(custom.name) ?? 'unknown', custom.input));
  }
  const legacy = object(message.function_call);
  if (legacy !== undefined) parts.push(toolCallPart(undefined, text(legacy.name) ?? 'unknown', legacy.arguments));
  const name = first(text(message.name), text(message.tool_name));
  return name === undefined ? { role, parts } : { role, parts, name };
}

/** OpenAI Responses API `input`: a string, or a list of items. */
function responsesInput(input: unknown): GenAiMessage[] | undefined {
  if (typeof input === 'string') return [{ role: 'user', parts: [textPart(input)] }];
  const items = array(input);
  if (items === undefined) return undefined;
  const messages: Array<{ role: string; parts: GenAiPart[] }> = [];
  const assistantParts = (): GenAiPart[] => {
    const last = messages.at(-1);
    if (last !== undefined && last.role === 'assistant') return last.parts;
    const created = { role: 'assistant', parts: [] as GenAiPart[] };
    messages.push(created);
    return created.parts;
  };
  for (const raw of items) {
    if (typeof raw === 'string') {
      messages.push({ role: 'user', parts: [textPart(raw)] });
      continue;
    }
    const item = object(raw);
    if (item === undefined) continue;
    const type = text(item.type);
    if (type === undefined || type === 'message') {
      messages.push({ role: text(item.role) ?? 'user', parts: contentParts(item.content) });
    } else if (type === 'function_call_output' || type === 'custom_tool_call_output') {
      messages.push({ role: 'tool', parts: [toolCallResponsePart(text(item.call_id), toolResponse(item.output))] });
    } else {
      assistantParts().push(...responseItemParts(item));
    }
  }
  return messages;
}

/** One output item of the Responses API (also accepted back as input). */
function responseItemParts(item: Json): GenAiPart[] {
  const type = text(item.type) ?? 'unknown';
  switch (type) {
    case 'message':
      return contentParts(item.content);
    case 'function_call':
      return [toolCallPart(first(text(item.call_id), text(item.id)), text(item.name) ?? 'unknown', item.arguments)];
    case 'custom_tool_call':
      return [toolCallPart(first(text(item.call_id), text(item.id)), text(item.name) ?? 'unknown', item.input)];
    case 'reasoning': {
      const texts = [...(array(item.summary) ?? []), ...(array(item.content) ?? [])].map((entry) => text(object(entry)?.text)).filter((entry): entry is string => entry !== undefined);
      return texts.map(reasoningPart);
    }
    default:
      // web_search_call, file_search_call, code_interpreter_call, image_generation_call, mcp_call …: run by the provider.
      if (type.endsWith('_call')) return [{ type: 'server_tool_call', ...(text(item.id) === undefined ? {} : { id: text(item.id) }), name: type.slice(0, -'_call'.length), server_tool_call: { type } }];
      return [{ type }];
  }
}

/** Gemini `contents`: a string, one Content, a list of Contents, or a list of parts (the @google/genai SDK accepts all). */
function geminiContents(contents: unknown): GenAiMessage[] | undefined {
  if (typeof contents === 'string') return [{ role: 'user', parts: [textPart(contents)] }];
  const list = array(contents) ?? [contents];
  const isContent = (entry: unknown): boolean => object(entry)?.parts !== undefined;
  if (!list.some(isContent)) {
    const parts = contentParts(list);
    return parts.length === 0 ? undefined : [{ role: 'user', parts }];
  }
  return list.map(object).filter((entry): entry is Json => entry !== undefined).map((entry) => ({ role: geminiRole(entry.role), parts: contentParts(entry.parts) }));
}

function geminiRole(role: unknown): string {
  const given = text(role) ?? 'user';
  return given === 'model' ? 'assistant' : given;
}

// ── responses ───────────────────────────────────────────────────────────

export function readOutputMessages(response: unknown, fallbackReason = 'stop'): GenAiOutputMessage[] | undefined {
  if (typeof response === 'string') return [{ role: 'assistant', parts: [textPart(response)], finish_reason: fallbackReason }];
  const body = object(response);
  if (body === undefined) return undefined;
  if (body.object === 'response' || (Array.isArray(body.output) && typeof body.status === 'string')) return [responsesOutput(body, fallbackReason)];
  if (Array.isArray(body.choices)) {
    return body.choices
      .map(object)
      .filter((choice): choice is Json => choice !== undefined)
      .sort((a, b) => (typeof a.index === 'number' && typeof b.index === 'number' ? a.index - b.index : 0))
      // Legacy Completions (text_completion) choices carry `text` instead of a message.
      .map((choice) => output(chatMessage({ role: 'assistant', ...(object(choice.message) ?? (typeof choice.text === 'string' ? { content: choice.text } : {})) }), text(choice.finish_reason), fallbackReason));
  }
  if (Array.isArray(body.candidates)) {
    return body.candidates
      .map(object)
      .filter((candidate): candidate is Json => candidate !== undefined)
      .map((candidate) => output({ role: 'assistant', parts: contentParts(object(candidate.content)?.parts) }, text(candidate.finishReason), fallbackReason));
  }
  if (body.type === 'message' && Array.isArray(body.content)) {
    return [output({ role: 'assistant', parts: contentParts(body.content) }, text(body.stop_reason), fallbackReason)];
  }
  if (object(body.message) !== undefined) {
    return [output(chatMessage({ role: 'assistant', ...(object(body.message) ?? {}) }), text(body.done_reason), fallbackReason)];
  }
  if (typeof body.response === 'string') {
    const parts: GenAiPart[] = [];
    if (typeof body.thinking === 'string' && body.thinking.length > 0) parts.push(reasoningPart(body.thinking));
    parts.push(textPart(body.response));
    return [output({ role: 'assistant', parts }, text(body.done_reason), fallbackReason)];
  }
  return undefined;
}

function output(message: GenAiMessage, reason: string | undefined, fallback: string): GenAiOutputMessage {
  return { ...message, role: message.role === 'model' ? 'assistant' : message.role, finish_reason: outputFinishReason(reason, message.parts, fallback) };
}

function responsesOutput(body: Json, fallback: string): GenAiOutputMessage {
  const parts = (array(body.output) ?? []).map(object).filter((item): item is Json => item !== undefined).flatMap(responseItemParts);
  const status = text(body.status);
  const reason = status === 'in_progress' || status === 'queued' ? undefined : responsesStatusReason(body);
  return { role: 'assistant', parts, finish_reason: outputFinishReason(reason, parts, fallback) };
}

