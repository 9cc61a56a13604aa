/**
 * Content capture in the OpenTelemetry GenAI form: provider requests and
 * responses (or the plain prompt and completion strings the kit's helpers
 * carry) as the values of `gen_ai.system_instructions`,
 * `gen_ai.input.messages` and `gen_ai.output.messages`, following the JSON
 * schemas of semantic conventions v1.41.1 (docs/gen-ai/gen-ai-input-messages.json,
 * gen-ai-output-messages.json, gen-ai-system-instructions.json):
 *
 *   input message   { role, parts: [part, …], name? }
 *   output message  { role, parts: [part, …], name?, finish_reason }   one per choice or candidate
 *   system          [part, …]
 *   part            { type: 'text', content } | { type: 'reasoning', content }
 *                   | { type: 'tool_call', id?, name, arguments? }
 *                   | { type: 'tool_call_response', id?, response }
 *                   | { type: 'server_tool_call', id?, name, server_tool_call: { type, … } }
 *                   | { type: 'server_tool_call_response', id?, server_tool_call_response: { type, … } }
 *                   | { type: 'blob', modality, mime_type?, content } | { type: 'uri', modality, mime_type?, uri }
 *                   | { type: 'file', modality, mime_type?, file_id } | { type, … } (generic)
 *
 * Which request and response fields become which message and part is
 * documented in providers/messages.ts and providers/parts.ts; finish reasons
 * in `outputFinishReason`.
 *
 * The values are plain JavaScript objects: the runtime records `any`-typed
 * attributes as JSON. Everything here is pure and never throws; what cannot
 * be read is undefined.
 *
 * Capture stays opt-in and goes through the kit's content capture policy
 * (runtime/content.ts): `captured…` functions return undefined while capture
 * is off, and pass every text of every part through `capturedContent` (the
 * redaction hook, then truncation to `maxLength`), one string at a time, so
 * the JSON structure is kept: text and reasoning content, refusals, URIs, and
 * each string inside tool-call arguments, tool responses and server tool
 * payloads, and a message's participant `name`. A part whose text the hook
 * drops (it threw or returned no string) is left out whole; a dropped name
 * is left out. Ids, tool names, types, MIME types and modalities are not
 * user text and are kept. Blob parts are binary data, not text: they
 * skip the hook, and one longer than `maxLength` keeps its kind but loses
 * its content (a cut base64 string is no image).
 */
import { contentCapture } from '../runtime/bind.ts';
import { capturedContent, type ContentCaptureSettings } from '../runtime/content.ts';
import { outputFinishReason, readInputMessages, readOutputMessages, readSystemInstructions, type GenAiMessage, type GenAiOutputMessage } from './providers/messages.ts';
import { blockParts, reasoningPart, textPart, toolCallPart, type GenAiPart } from './providers/parts.ts';
import { array, guard, object, text, type Json } from './providers/read.ts';
import { responsesStatusReason } from './providers/response.ts';

export type { GenAiMessage, GenAiOutputMessage } from './providers/messages.ts';
export type {
  BlobPart,
  FilePart,
  GenAiPart,
  GenericPart,
  ReasoningPart,
  ServerToolCallPart,
  ServerToolCallResponsePart,
  TextPart,
  ToolCallPart,
  ToolCallResponsePart,
  UriPart,
} from './providers/parts.ts';
export { outputFinishReason };

/** Which side of the call a text belongs to, as the content capture hook is told. */
export type MessageTextKind = 'prompt' | 'completion';

/** Rewrites one text; undefined drops the part that holds it. */
export type TextRedactor = (text: string, kind: MessageTextKind) => string | undefined;

// ── structure ───────────────────────────────────────────────────────────

/** `gen_ai.input.messages` of a request (or a prompt string: one user message). */
export function inputMessages(request: unknown): GenAiMessage[] | undefined {
  return guard(() => nonEmpty(readInputMessages(request)), undefined);
}

/** `gen_ai.system_instructions` of a request whose API takes them apart from the chat history. */
export function systemInstructions(request: unknown): GenAiPart[] | undefined {
  return guard(() => nonEmpty(readSystemInstructions(request)), undefined);
}

/**
 * `gen_ai.output.messages` of a whole response (or a completion string: one
 * assistant message). `fallbackFinishReason` stands in where the response
 * gives none (the schema requires one); default `stop`.
 */
export function outputMessages(response: unknown, fallbackFinishReason = 'stop'): GenAiOutputMessage[] | undefined {
  return guard(() => nonEmpty(readOutputMessages(response, fallbackFinishReason)), undefined);
}

// ── redaction and capture ───────────────────────────────────────────────

/** Every text of every part through `redact` (see the header for what counts as text). Never throws. */
export function redactMessages<M extends GenAiMessage>(messages: readonly M[], kind: MessageTextKind, redact: TextRedactor, maxBlobLength = Infinity): M[] {
  return messages.map((message) => {
    const { name, ...rest } = message;
    // A participant's name is user data too: through the hook, and left out when the hook drops it.
    const redactedName = name === undefined ? undefined : guard(() => redact(name, kind), undefined);
    const parts = redactParts(message.parts, kind, redact, maxBlobLength);
    return (redactedName === undefined ? { ...rest, parts } : { ...rest, name: redactedName, parts }) as M;
  });
}

/** `redactMessages` for a list of parts (system instructions). Never throws. */
export function redactParts(parts: readonly GenAiPart[], kind: MessageTextKind, redact: TextRedactor, maxBlobLength = Infinity): GenAiPart[] {
  return parts.flatMap((part) => {
    const redacted = guard(() => redactPart(part, kind, redact, maxBlobLength), undefined);
    return redacted === undefined ? [] : [redacted];
  });
}

/** Fields that name or classify a part; never user text. */
const STRUCTURAL_FIELDS = new Set(['type', 'id', 'name', 'modality', 'mime_type', 'file_id']);

function redactPart(part: GenAiPart, kind: MessageTextKind, redact: TextRedactor, maxBlobLength: number): GenAiPart | undefined {
  if (part.type === 'blob') {
    const { content, ...rest } = part as GenAiPart & { content?: unknown };
    return typeof content === 'string' && content.length <= maxBlobLength ? part : (rest as GenAiPart);
  }
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(part)) {
    if (STRUCTURAL_FIELDS.has(key) && typeof value === 'string') {
      result[key] = value;
      continue;
    }
    const redacted = redactValue(value, kind, redact, 0);
    if (redacted === DROPPED) return undefined;
    result[key] = redacted;
  }
  return result as GenAiPart;
}

const DROPPED = Symbol('dropped');
const MAX_DEPTH = 32;

/** Each string inside a value through `redact`; keys are kept. Too deep a value is dropped rather than recorded unredacted. */
function redactValue(value: unknown, kind: MessageTextKind, redact: TextRedactor, depth: number): unknown {
  if (typeof value === 'string') return redact(value, kind) ?? DROPPED;
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= MAX_DEPTH) return DROPPED;
  if (Array.isArray(value)) {
    const items: unknown[] = [];
    for (const item of value) {
      const redacted = redactValue(item, kind, redact, depth + 1);
      if (redacted === DROPPED) return DROPPED;
      items.push(redacted);
    }
    return items;
  }
  const fields: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    const redacted = redactValue(field, kind, redact, depth + 1);
    if (redacted === DROPPED) return DROPPED;
    fields[key] = redacted;
  }
  return fields;
}

function policyRedactor(settings: ContentCaptureSettings): TextRedactor {
  return (value, kind) => capturedContent(value, kind, settings);
}

/** Messages made by this module (or by a framework) as content capture records them; undefined while capture is off. */
export function captureMessages<M extends GenAiMessage>(messages: readonly M[] | undefined, kind: MessageTextKind, settings: ContentCaptureSettings = contentCapture()): M[] | undefined {
  if (!settings.enabled || messages === undefined) return undefined;
  return guard(() => nonEmpty(redactMessages(messages, kind, policyRedactor(settings), settings.maxLength)), undefined);
}

/** `gen_ai.input.messages` as content capture records them; undefined while capture is off. */
export function capturedInputMessages(request: unknown, settings: ContentCaptureSettings = contentCapture()): GenAiMessage[] | undefined {
  return settings.enabled ? captureMessages(inputMessages(request), 'prompt', settings) : undefined;
}

/** `gen_ai.system_instructions` as content capture records them (a prompt, for the hook); undefined while capture is off. */
export function capturedSystemInstructions(request: unknown, settings: ContentCaptureSettings = contentCapture()): GenAiPart[] | undefined {
  if (!settings.enabled) return undefined;
  const parts = systemInstructions(request);
  return parts === undefined ? undefined : nonEmpty(redactParts(parts, 'prompt', policyRedactor(settings), settings.maxLength));
}

/** `gen_ai.output.messages` as content capture records them; undefined while capture is off. */
export function capturedOutputMessages(response: unknown, settings: ContentCaptureSettings = contentCapture(), fallbackFinishReason = 'stop'): GenAiOutputMessage[] | undefined {
  return settings.enabled ? captureMessages(outputMessages(response, fallbackFinishReason), 'completion', settings) : undefined;
}

export interface GenAiContent {
  readonly systemInstructions?: GenAiPart[];
  readonly inputMessages?: GenAiMessage[];
  readonly outputMessages?: GenAiOutputMessage[];
}

/**
 * All three attributes at once, as content capture records them: from the
 * request when there is one, else from the prompt string; from the response
 * (or output messages a stream collector built), else from the completion
 * string. `{}` while capture is off.
 */
export function capturedGenAiContent(
  source: { readonly request?: unknown; readonly prompt?: string; readonly response?: unknown; readonly completion?: string; readonly outputMessages?: readonly GenAiOutputMessage[] },
  settings: ContentCaptureSettings = contentCapture(),
): GenAiContent {
  if (!settings.enabled) return {};
  const input = capturedInputMessages(source.request ?? source.prompt, settings) ?? (source.request !== undefined ? capturedInputMessages(source.prompt, settings) : undefined);
  const output =
    source.outputMessages !== undefined
      ? captureMessages(source.outputMessages, 'completion', settings)
      : (capturedOutputMessages(source.response ?? source.completion, settings) ?? (source.response !== undefined ? capturedOutputMessages(source.completion, settings) : undefined));
  const system = source.request === undefined ? undefined : capturedSystemInstructions(source.request, settings);
  return {
    ...(system === undefined ? {} : { systemInstructions: system }),
    ...(input === undefined ? {} : { inputMessages: input }),
    ...(output === undefined ? {} : { outputMessages: output }),
  };
}

// ── streams ─────────────────────────────────────────────────────────────

type Slot =
  | { kind: 'text' | 'reasoning' | 'refusal'; text: string }
  | { kind: 'tool'; id?: string; name?: string; args: string; input?: unknown; server: boolean }
  | { kind: 'part'; part: GenAiPart };

class ChoiceBuilder {
  role = 'assistant';
  finish: string | undefined;
  readonly slots: Slot[] = [];
  readonly #keyed = new Map<string, Slot>();
  readonly budget: { left: number };

  constructor(budget: { left: number }) {
    this.budget = budget;
  }

  appendText(kind: 'text' | 'reasoning' | 'refusal', piece: unknown, key?: string): void {
    if (typeof piece !== 'string' || piece.length === 0) return;
    let slot = key === undefined ? this.slots.at(-1) : this.#keyed.get(key);
    if (slot === undefined || slot.kind !== kind) {
      slot = { kind, text: '' };
      this.slots.push(slot);
      if (key !== undefined) this.#keyed.set(key, slot);
    }
    if (this.budget.left <= 0) return;
    const kept = piece.slice(0, this.budget.left);
    this.budget.left -= kept.length;
    slot.text += kept;
  }

  tool(key: string, server = false): Extract<Slot, { kind: 'tool' }> {
    const existing = this.#keyed.get(key);
    if (existing !== undefined && existing.kind === 'tool') return existing;
    const slot: Slot = { kind: 'tool', args: '', server };
    this.slots.push(slot);
    this.#keyed.set(key, slot);
    return slot;
  }

  appendArguments(slot: Extract<Slot, { kind: 'tool' }>, piece: unknown): void {
    if (typeof piece !== 'string' || this.budget.left <= 0) return;
    const kept = piece.slice(0, this.budget.left);
    this.budget.left -= kept.length;
    slot.args += kept;
  }

  part(part: GenAiPart): void {
    if (part.type === 'text' && typeof part.content === 'string') this.appendText('text', part.content);
    else if (part.type === 'reasoning' && typeof part.content === 'string') this.appendText('reasoning', part.content);
    else this.slots.push({ kind: 'part', part });
  }

  parts(): GenAiPart[] {
    return this.slots.flatMap((slot): GenAiPart[] => {
      switch (slot.kind) {
        case 'text':
          return slot.text.length === 0 ? [] : [textPart(slot.text)];
        case 'reasoning':
          return slot.text.length === 0 ? [] : [reasoningPart(slot.text)];
        case 'refusal':
          return [{ type: 'refusal', content: slot.text }];
        case 'part':
          return [slot.part];
        case 'tool': {
          const args = slot.args.length > 0 ? slot.args : slot.input;
          const call = toolCallPart(slot.id, slot.name ?? 'unknown', args);
          if (!slot.server) return [call];
          return [{ type: 'server_tool_call', ...(slot.id === undefined ? {} : { id: slot.id }), name: call.name, server_tool_call: { type: call.name, ...(call.arguments === undefined ? {} : { input: call.arguments }) } }];
        }
      }
    });
  }
}

/**
 * Builds `gen_ai.output.messages` from a stream, one event or chunk at a
 * time, of any provider (the same shapes providers/response.ts reads):
 * OpenAI Chat chunks (content, refusal and tool-call deltas per choice),
 * Responses API events (text deltas; the final response.completed /
 * incomplete / failed response replaces them), Anthropic events (content
 * blocks by index: text, thinking, tool_use with its input JSON deltas),
 * Gemini chunks (parts per candidate), Ollama chunks (message or response,
 * thinking, tool calls) and plain strings. Like the kit's ContentCollector,
 * it keeps at most twice `maxLength` plus 1024 characters of text in all,
 * so a huge stream cannot grow it without bound. `add` never throws.
 */
export class OutputMessagesCollector {
  readonly #choices = new Map<number, ChoiceBuilder>();
  readonly #budget: { left: number };
  #final: GenAiOutputMessage[] | undefined;

  constructor(maxLength: number = contentCapture().maxLength) {
    this.#budget = { left: maxLength === Infinity ? Infinity : maxLength * 2 + 1024 };
  }

  add(event: unknown): void {
    guard(() => this.#add(event), undefined);
  }

  /** The output messages so far; undefined when the stream said nothing. */
  messages(fallbackFinishReason = 'stop'): GenAiOutputMessage[] | undefined {
    if (this.#final !== undefined) return this.#final;
    const messages = [...this.#choices.entries()]
      .sort(([a], [b]) => a - b)
      .map(([, choice]) => ({ choice, parts: choice.parts() }))
      // A choice the stream said nothing of (an event that could not be read) is no message.
      .filter(({ choice, parts }) => parts.length > 0 || choice.finish !== undefined)
      .map(({ choice, parts }) => ({ role: choice.role, parts, finish_reason: outputFinishReason(choice.finish, parts, fallbackFinishReason) }));
    return nonEmpty(messages);
  }

  #choice(index: unknown): ChoiceBuilder {
    const key = typeof index === 'number' && Number.isSafeInteger(index) ? index : 0;
    let choice = this.#choices.get(key);
    if (choice === undefined) {
      choice = new ChoiceBuilder(this.#budget);
      this.#choices.set(key, choice);
    }
    return choice;
  }

  #add(event: unknown): void {
    if (typeof event === 'string') {
      this.#choice(0).appendText('text', event);
      return;
    }
    const body = object(event);
    if (body === undefined) return;
    const type = text(body.type);
    if (type !== undefined && type.startsWith('response.')) this.#responses(type, body);
    else if (type !== undefined && /^(message_start|message_delta|content_block_(start|delta|stop)|message_stop|ping|error)$/.test(type)) this.#anthropic(type, body);
    else if (Array.isArray(body.choices)) this.#chat(body.choices);
    else if (Array.isArray(body.candidates)) this.#gemini(body.candidates);
    else this.#ollama(body);
  }

  #chat(choices: unknown[]): void {
    for (const raw of choices) {
      const entry = object(raw);
      if (entry === undefined) continue;
      const choice = this.#choice(entry.index);
      choice.appendText('text', entry.text); // legacy Completions chunks
      const delta = object(entry.delta) ?? object(entry.message);
      if (delta !== undefined) {
        if (typeof delta.role === 'string') choice.role = delta.role;
        choice.appendText('reasoning', delta.reasoning_content); // DeepSeek and vLLM reasoning models
        choice.appendText('text', delta.content);
        choice.appendText('refusal', delta.refusal);
        for (const call of array(delta.tool_calls) ?? []) {
          const entryCall = object(call);
          if (entryCall === undefined) continue;
          const slot = choice.tool(`tool:${String(entryCall.index ?? 0)}`);
          const fn = object(entryCall.function);
          if (typeof entryCall.id === 'string') slot.id = entryCall.id;
          if (typeof fn?.name === 'string' && fn.name.length > 0) slot.name = fn.name;
          choice.appendArguments(slot, fn?.arguments);
        }
      }
      if (typeof entry.finish_reason === 'string') choice.finish = entry.finish_reason;
    }
  }

  #responses(type: string, body: Json): void {
    const choice = this.#choice(0);
    const key = `${String(body.output_index)}:${String(body.content_index ?? body.summary_index ?? 0)}`;
    switch (type) {
      case 'response.output_text.delta':
        choice.appendText('text', body.delta, `text:${key}`);
        return;
      case 'response.refusal.delta':
        choice.appendText('refusal', body.delta, `refusal:${key}`);
        return;
      case 'response.reasoning_summary_text.delta':
      case 'response.reasoning_text.delta':
        choice.appendText('reasoning', body.delta, `reasoning:${key}`);
        return;
      case 'response.output_item.done': {
        const item = object(body.item);
        if (item?.type === 'function_call' || item?.type === 'custom_tool_call') {
          const slot = choice.tool(`item:${String(body.output_index)}`);
          slot.id = text(item.call_id) ?? text(item.id);
          slot.name = text(item.name);
          slot.input = item.type === 'function_call' ? item.arguments : item.input;
        }
        return;
      }
      case 'response.completed':
      case 'response.incomplete':
      case 'response.failed': {
        const final = readOutputMessages(body.response);
        if (final !== undefined && final.some((message) => message.parts.length > 0)) this.#final = final;
        else if (final?.[0] !== undefined) choice.finish = responsesStatusReason(object(body.response));
        return;
      }
      default:
        return;
    }
  }

  #anthropic(type: string, body: Json): void {
    const choice = this.#choice(0);
    const key = `block:${String(body.index)}`;
    if (type === 'message_start') {
      const role = text(object(body.message)?.role);
      if (role !== undefined) choice.role = role;
    } else if (type === 'content_block_start') {
      const block = object(body.content_block);
      if (block === undefined) return;
      if (block.type === 'text') choice.appendText('text', block.text, key);
      else if (block.type === 'thinking') choice.appendText('reasoning', block.thinking, key);
      else if (block.type === 'tool_use' || block.type === 'server_tool_use' || block.type === 'mcp_tool_use') {
        const slot = choice.tool(key, block.type !== 'tool_use');
        slot.id = text(block.id);
        slot.name = text(block.name);
        slot.input = block.input;
      } else {
        for (const part of blockParts(block)) choice.part(part);
      }
    } else if (type === 'content_block_delta') {
      const delta = object(body.delta);
      if (delta?.type === 'text_delta') choice.appendText('text', delta.text, key);
      else if (delta?.type === 'thinking_delta') choice.appendText('reasoning', delta.thinking, key);
      else if (delta?.type === 'input_json_delta') choice.appendArguments(choice.tool(key), delta.partial_json);
    } else if (type === 'message_delta') {
      const reason = text(object(body.delta)?.stop_reason);
      if (reason !== undefined) choice.finish = reason;
    }
  }

  #gemini(candidates: unknown[]): void {
    candidates.forEach((raw, position) => {
      const candidate = object(raw);
      if (candidate === undefined) return;
      const choice = this.#choice(candidate.index ?? position);
      for (const part of array(object(candidate.content)?.parts) ?? []) for (const converted of blockParts(object(part))) choice.part(converted);
      if (typeof candidate.finishReason === 'string') choice.finish = candidate.finishReason;
    });
  }

  #ollama(body: Json): void {
    const choice = this.#choice(0);
    const message = object(body.message);
    if (message !== undefined) {
      choice.appendText('reasoning', message.thinking);
      choice.appendText('text', message.content);
      for (const call of array(message.tool_calls) ?? []) {
        const fn = object(object(call)?.function);
        if (fn !== undefined) choice.part(toolCallPart(text(object(call)?.id), text(fn.name) ?? 'unknown', fn.arguments));
      }
    } else {
      choice.appendText('reasoning', body.thinking);
      choice.appendText('text', body.response);
    }
    if (typeof body.done_reason === 'string') choice.finish = body.done_reason;
  }
}

function nonEmpty<T>(list: T[] | undefined): T[] | undefined {
  return list === undefined || list.length === 0 ? undefined : list;
}

