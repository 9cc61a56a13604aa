/**
 * Provider content blocks → the message parts of the OpenTelemetry GenAI
 * JSON schemas (semantic conventions v1.41.1, docs/gen-ai/gen-ai-input-messages.json,
 * gen-ai-output-messages.json, gen-ai-system-instructions.json):
 *
 *   provider block                                           GenAI part
 *   string content; OpenAI/Anthropic { type: text, text };   text { content }
 *     Responses input_text / output_text; Gemini { text }
 *   OpenAI refusal                                           refusal { content } (generic part)
 *   Anthropic thinking; Gemini { text, thought: true };      reasoning { content }
 *     Ollama message.thinking; Responses reasoning summary
 *   Anthropic redacted_thinking                              redacted_thinking (generic part, no data)
 *   OpenAI tool_calls[].function { name, arguments };        tool_call { id, name, arguments }
 *     Anthropic tool_use { id, name, input };                (arguments parsed when the provider sends
 *     Gemini functionCall { id, name, args };                 a JSON string)
 *     Ollama tool_calls[].function; Responses function_call
 *   OpenAI tool message { tool_call_id, content };           tool_call_response { id, response }
 *     Anthropic tool_result { tool_use_id, content };
 *     Gemini functionResponse { id, response };
 *     Responses function_call_output { call_id, output }
 *   Anthropic server_tool_use; Gemini executableCode;        server_tool_call { id, name, server_tool_call: { type, … } }
 *     Responses *_call output items (web_search_call …)
 *   Anthropic *_tool_result; Gemini codeExecutionResult      server_tool_call_response { id, server_tool_call_response: { type, … } }
 *   data: URL, base64 source, inlineData, input_audio,       blob { modality, mime_type, content (base64) }
 *     Ollama images[]
 *   http(s) URL, Gemini fileData.fileUri                     uri { modality, mime_type, uri }
 *   OpenAI/Anthropic/Responses file ids                      file { modality, mime_type, file_id }
 *   any other block                                          { type } only (generic part: its payload is
 *                                                            not copied, it may be large or sensitive)
 *
 * Modality is image, audio or video from the MIME type or block kind;
 * documents (PDF, text files) get the custom modality "document".
 */
import { array, first, isObject, object, text, anyText, type Json } from './read.ts';

export interface TextPart {
  readonly type: 'text';
  readonly content: string;
}
export interface ReasoningPart {
  readonly type: 'reasoning';
  readonly content: string;
}
export interface ToolCallPart {
  readonly type: 'tool_call';
  readonly id?: string;
  readonly name: string;
  readonly arguments?: unknown;
}
export interface ToolCallResponsePart {
  readonly type: 'tool_call_response';
  readonly id?: string;
  readonly response: unknown;
}
export interface ServerToolCallPart {
  readonly type: 'server_tool_call';
  readonly id?: string;
  readonly name: string;
  readonly server_tool_call: { readonly type: string; readonly [key: string]: unknown };
}
export interface ServerToolCallResponsePart {
  readonly type: 'server_tool_call_response';
  readonly id?: string;
  readonly server_tool_call_response: { readonly type: string; readonly [key: string]: unknown };
}
export interface BlobPart {
  readonly type: 'blob';
  readonly modality: string;
  readonly mime_type?: string;
  /** Base64, as the provider sent it. */
  readonly content: string;
}
export interface UriPart {
  readonly type: 'uri';
  readonly modality: string;
  readonly mime_type?: string;
  readonly uri: string;
}
export interface FilePart {
  readonly type: 'file';
  readonly modality: string;
  readonly mime_type?: string;
  readonly file_id: string;
}
/** Any other part: the schemas' GenericPart (a type and whatever else). */
export interface GenericPart {
  readonly type: string;
  readonly [key: string]: unknown;
}

export type GenAiPart =
  | TextPart
  | ReasoningPart
  | ToolCallPart
  | ToolCallResponsePart
  | ServerToolCallPart
  | ServerToolCallResponsePart
  | BlobPart
  | UriPart
  | FilePart
  | GenericPart;

export function textPart(content: string): TextPart {
  return { type: 'text', content };
}

export function reasoningPart(content: string): ReasoningPart {
  return { type: 'reasoning', content };
}

export function toolCallPart(id: string | undefined, name: string, args: unknown): ToolCallPart {
  const parsed = parseArguments(args);
  return { type: 'tool_call', ...(id === undefined ? {} : { id }), name, ...(parsed === undefined ? {} : { arguments: parsed }) };
}

export function toolCallResponsePart(id: string | undefined, response: unknown): ToolCallResponsePart {
  return { type: 'tool_call_response', ...(id === undefined ? {} : { id }), response: response ?? null };
}

/** OpenAI sends arguments as a JSON string: recorded parsed, or as the string when it is not JSON (a stream cut short). */
function parseArguments(args: unknown): unknown {
  if (typeof args !== 'string') return args;
  if (args.trim().length === 0) return undefined;
  try {
    return JSON.parse(args) as unknown;
  } catch {
    return args;
  }
}

export function modalityOf(mime: string | undefined, fallback: string): string {
  if (mime === undefined) return fallback;
  const top = mime.split('/')[0]?.toLowerCase();
  return top === 'image' || top === 'audio' || top === 'video' ? top : 'document';
}

function withMime(mime: string | undefined): { mime_type?: string } {
  return mime === undefined ? {} : { mime_type: mime };
}

/** A URL as a part: a `data:` URL becomes a blob, any other a uri. */
export function urlPart(url: string, fallbackModality: string, mime?: string): GenAiPart {
  const data = /^data:([^;,]*)(;[^,]*)?,(.*)$/s.exec(url);
  if (data !== null) {
    const dataMime = data[1] === '' ? mime : data[1];
    return { type: 'blob', modality: modalityOf(dataMime, fallbackModality), ...withMime(dataMime), content: data[3] ?? '' };
  }
  return { type: 'uri', modality: modalityOf(mime, fallbackModality), ...withMime(mime), uri: url };
}

export function blobPart(content: string, mime: string | undefined, fallbackModality: string): BlobPart {
  return { type: 'blob', modality: modalityOf(mime, fallbackModality), ...withMime(mime), content };
}

export function filePart(fileId: string, mime: string | undefined, fallbackModality: string): FilePart {
  return { type: 'file', modality: modalityOf(mime, fallbackModality), ...withMime(mime), file_id: fileId };
}

/** Message content as parts: a string is one text part; a list is converted block by block. */
export function contentParts(content: unknown): GenAiPart[] {
  if (typeof content === 'string') return [textPart(content)];
  const blocks = array(content);
  if (blocks === undefined) return [];
  return blocks.flatMap((block) => (typeof block === 'string' ? [textPart(block)] : blockParts(object(block))));
}

/** The text of content that is a string or a list of text blocks; undefined when it holds anything else. */
export function plainText(content: unknown): string | undefined {
  if (typeof content === 'string') return content;
  const blocks = array(content);
  if (blocks === undefined) return undefined;
  const texts: string[] = [];
  for (const block of blocks) {
    const value = typeof block === 'string' ? block : isObject(block) && (block.type === 'text' || block.type === 'input_text' || block.type === 'output_text') ? anyText(block.text) : undefined;
    if (value === undefined) return undefined;
    texts.push(value);
  }
  return texts.join('');
}

/** A tool result's payload: its text when it is text, else its blocks as parts. */
export function toolResponse(content: unknown): unknown {
  return plainText(content) ?? (Array.isArray(content) ? contentParts(content) : (content ?? null));
}

/** One content block of OpenAI Chat / Responses or Anthropic, or one Gemini part. */
export function blockParts(block: Json | undefined): GenAiPart[] {
  if (block === undefined) return [];
  const type = text(block.type);
  if (type === undefined) return geminiParts(block);
  switch (type) {
    case 'text':
    case 'input_text':
    case 'output_text':
      return typeof block.text === 'string' ? [textPart(block.text)] : [];
    case 'refusal':
      return typeof block.refusal === 'string' ? [{ type: 'refusal', content: block.refusal }] : [];
    case 'thinking':
      return typeof block.thinking === 'string' ? [reasoningPart(block.thinking)] : [];
    case 'reasoning_text':
    case 'summary_text':
      return typeof block.text === 'string' ? [reasoningPart(block.text)] : [];
    case 'image_url': {
      const url = first(text(object(block.image_url)?.url), text(block.image_url));
      return url === undefined ? [] : [urlPart(url, 'image')];
    }
    case 'input_image': {
      const url = text(block.image_url);
      if (url !== undefined) return [urlPart(url, 'image')];
      const id = text(block.file_id);
      return id === undefined ? [{ type }] : [filePart(id, undefined, 'image')];
    }
    case 'input_audio': {
      const audio = object(block.input_audio) ?? block;
      const data = text(audio.data);
      const format = text(audio.format);
      return data === undefined ? [{ type }] : [blobPart(data, format === undefined ? undefined : `audio/${format}`, 'audio')];
    }
    case 'file':
    case 'input_file':
      return openAiFile(object(block.file) ?? block);
    case 'image':
    case 'document':
      return anthropicSource(object(block.source), type === 'image' ? 'image' : 'document');
    case 'tool_use':
      return [toolCallPart(text(block.id), text(block.name) ?? 'unknown', block.input)];
    case 'tool_result':
      return [toolCallResponsePart(text(block.tool_use_id), toolResponse(block.content))];
    case 'server_tool_use':
    case 'mcp_tool_use': {
      const name = text(block.name) ?? type;
      return [{ type: 'server_tool_call', ...idOf(block.id), name, server_tool_call: { type: name, ...(block.input === undefined ? {} : { input: block.input }) } }];
    }
    default:
      if (type.endsWith('_tool_result')) {
        return [{ type: 'server_tool_call_response', ...idOf(block.tool_use_id), server_tool_call_response: { type, ...(block.content === undefined ? {} : { content: block.content }) } }];
      }
      // redacted_thinking and any block the kit does not know: its kind only.
      return [{ type }];
  }
}

function idOf(id: unknown): { id?: string } {
  const value = text(id);
  return value === undefined ? {} : { id: value };
}

function openAiFile(file: Json): GenAiPart[] {
  const id = text(file.file_id);
  if (id !== undefined) return [filePart(id, undefined, 'document')];
  const data = text(file.file_data);
  if (data !== undefined) return [data.startsWith('data:') ? urlPart(data, 'document') : blobPart(data, undefined, 'document')];
  const url = text(file.file_url);
  return url === undefined ? [{ type: 'file' }] : [urlPart(url, 'document')];
}

function anthropicSource(source: Json | undefined, fallback: string): GenAiPart[] {
  if (source === undefined) return [{ type: fallback }];
  const mime = text(source.media_type);
  switch (source.type) {
    case 'base64':
      return typeof source.data === 'string' ? [blobPart(source.data, mime, fallback)] : [];
    case 'url':
      return typeof source.url === 'string' ? [urlPart(source.url, fallback, mime)] : [];
    case 'file':
      return typeof source.file_id === 'string' ? [filePart(source.file_id, mime, fallback)] : [];
    case 'text':
      return typeof source.data === 'string' ? [textPart(source.data)] : [];
    case 'content':
      return contentParts(source.content);
    default:
      return [{ type: fallback }];
  }
}

/** A Gemini part (camelCase as the REST API and @google/genai write it, snake_case as the API also accepts). */
function geminiParts(part: Json): GenAiPart[] {
  if (typeof part.text === 'string') return [part.thought === true ? reasoningPart(part.text) : textPart(part.text)];
  const inline = first(object(part.inlineData), object(part.inline_data));
  if (inline !== undefined) {
    const data = text(inline.data);
    return data === undefined ? [] : [blobPart(data, first(text(inline.mimeType), text(inline.mime_type)), 'document')];
  }
  const file = first(object(part.fileData), object(part.file_data));
  if (file !== undefined) {
    const uri = first(text(file.fileUri), text(file.file_uri));
    return uri === undefined ? [] : [urlPart(uri, 'document', first(text(file.mimeType), text(file.mime_type)))];
  }
  const call = first(object(part.functionCall), object(part.function_call));
  if (call !== undefined) return [toolCallPart(text(call.id), text(call.name) ?? 'unknown', call.args)];
  const response = first(object(part.functionResponse), object(part.function_response));
  if (response !== undefined) return [toolCallResponsePart(text(response.id), response.response)];
  const code = first(object(part.executableCode), object(part.executable_code));
  if (code !== undefined) {
    return [{ type: 'server_tool_call', name: 'code_execution', server_tool_call: { type: 'code_execution', language: code.language, code: code.code } }];
  }
  const result = first(object(part.codeExecutionResult), object(part.code_execution_result));
  if (result !== undefined) {
    return [{ type: 'server_tool_call_response', server_tool_call_response: { type: 'code_execution', outcome: result.outcome, output: result.output } }];
  }
  return [];
}
