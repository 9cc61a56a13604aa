/**
 * Which events of a provider's stream are output chunks: the ones that add to the answer (text,
 * reasoning, a tool call's name or arguments, audio), as opposed to the lifecycle events around
 * them. The GenAI chunk metrics (`…time_to_first_chunk`, `…time_per_output_chunk`) and the kit's
 * chunk count measure output chunks only, so a stream's first "chunk" is its first piece of
 * answer, not the `message_start` that precedes it.
 *
 *   shape (recognised by)                    output chunk                    not output
 *   a string                                 a non-empty one                 ""
 *   OpenAI Chat Completions (choices[])      a choice's delta has content,   the role chunk (content ""), the
 *                                            refusal, reasoning, tool calls  finish chunk, the usage chunk
 *                                            or audio                        (choices: [])
 *   OpenAI Responses API (type response.*)   response.*.delta events         response.created, .in_progress,
 *                                            (output_text, reasoning, tool   output_item.*, content_part.*,
 *                                            call arguments, refusal, audio) *.done, .completed …
 *   Anthropic Messages (typed events)        content_block_delta with a      message_start, content_block_start,
 *                                            text, thinking or input_json    ping, content_block_stop,
 *                                            delta                           message_delta, message_stop; the
 *                                                                            signature and citations deltas
 *   Gemini (candidates[])                    a candidate part with text,     parts all empty
 *                                            a function call or data
 *   Ollama (done)                            message content, thinking or    the final line's empty message
 *                                            tool calls; generate's response
 *                                            or thinking
 *   anything else                            every chunk (the kit cannot tell)
 *
 * Pure, and never throws: a chunk that cannot be read counts as output, as an unknown one does.
 */
import { array, guard, isObject, object, text, type Json } from './read.ts';

const ANTHROPIC_OUTPUT_DELTAS = new Set(['text_delta', 'thinking_delta', 'input_json_delta']);
const CHAT_OUTPUT_FIELDS = ['content', 'refusal', 'reasoning', 'reasoning_content'] as const;

/** Whether a stream chunk adds to the answer (see the header). Never throws. */
export function isOutputChunk(chunk: unknown): boolean {
  if (typeof chunk === 'string') return chunk.length > 0;
  if (!isObject(chunk)) return true;
  return guard(() => readOutput(chunk), true);
}

function readOutput(chunk: Json): boolean {
  const type = chunk.type;
  if (typeof type === 'string') {
    // OpenAI Responses API: every piece of output is a `.delta` event.
    if (type.startsWith('response.')) return type.endsWith('.delta');
    if (type === 'content_block_delta') return ANTHROPIC_OUTPUT_DELTAS.has(String(object(chunk.delta)?.type));
    // Anthropic's lifecycle events; another typed shape is the framework's own.
    if (ANTHROPIC_LIFECYCLE.has(type)) return false;
  }
  const choices = array(chunk.choices);
  if (choices !== undefined) return choices.some((choice) => chatDeltaHasOutput(object(object(choice)?.delta)));
  const candidates = array(chunk.candidates);
  if (candidates !== undefined) return candidates.some((candidate) => (array(object(object(candidate)?.content)?.parts) ?? []).some(geminiPartHasOutput));
  if (typeof chunk.done === 'boolean') return ollamaHasOutput(chunk);
  return true;
}

const ANTHROPIC_LIFECYCLE = new Set(['message_start', 'content_block_start', 'content_block_stop', 'message_delta', 'message_stop', 'ping', 'error']);

function chatDeltaHasOutput(delta: Json | undefined): boolean {
  if (delta === undefined) return false;
  if (CHAT_OUTPUT_FIELDS.some((field) => text(delta[field]) !== undefined)) return true;
  if ((array(delta.tool_calls)?.length ?? 0) > 0) return true;
  return object(delta.function_call) !== undefined || object(delta.audio) !== undefined;
}

function geminiPartHasOutput(part: unknown): boolean {
  const fields = object(part);
  if (fields === undefined) return false;
  return text(fields.text) !== undefined || Object.keys(fields).some((key) => key !== 'text' && key !== 'thought' && key !== 'thoughtSignature');
}

function ollamaHasOutput(chunk: Json): boolean {
  const message = object(chunk.message);
  if (message !== undefined) return text(message.content) !== undefined || text(message.thinking) !== undefined || (array(message.tool_calls)?.length ?? 0) > 0;
  return text(chunk.response) !== undefined || text(chunk.thinking) !== undefined;
}
