/**
 * The completion text of provider responses and stream chunks, read from
 * their documented plain-object shapes. Only used when the application has
 * opted in to content capture; a framework with another shape passes its
 * own `completionText` / `chunkText` option.
 *
 *   a plain string                   the text itself
 *   OpenAI Chat Completions          choices[0].message.content; chunks: choices[0].delta.content
 *   OpenAI Responses API             output_text; stream: response.output_text.delta events' delta
 *   Anthropic Messages               content[].text; stream: content_block_delta events' delta.text
 *   Gemini                           candidates[0].content.parts[].text (chunks alike)
 *   Ollama                           message.content (chat) or response (generate), chunks alike
 */

type Json = Record<string, unknown>;

/** The text of a whole response, or undefined when its shape is not known. Never throws. */
export function extractCompletionText(response: unknown): string | undefined {
  try {
    if (typeof response === 'string') return response;
    if (!isObject(response)) return undefined;
    if (typeof response.output_text === 'string') return response.output_text;
    return openAiChoice(response, 'message') ?? anthropicContent(response) ?? geminiText(response) ?? ollamaText(response);
  } catch {
    return undefined;
  }
}

/** The text a stream chunk adds, or undefined. Never throws. */
export function extractChunkText(chunk: unknown): string | undefined {
  try {
    if (typeof chunk === 'string') return chunk;
    if (!isObject(chunk)) return undefined;
    if (chunk.type === 'response.output_text.delta' && typeof chunk.delta === 'string') return chunk.delta;
    if (isObject(chunk.delta) && typeof chunk.delta.text === 'string') return chunk.delta.text;
    return openAiChoice(chunk, 'delta') ?? geminiText(chunk) ?? ollamaText(chunk);
  } catch {
    return undefined;
  }
}

function openAiChoice(response: Json, field: 'message' | 'delta'): string | undefined {
  const choice = Array.isArray(response.choices) ? (response.choices[0] as unknown) : undefined;
  if (!isObject(choice) || !isObject(choice[field])) return undefined;
  const content = choice[field].content;
  return typeof content === 'string' ? content : undefined;
}

function anthropicContent(response: Json): string | undefined {
  if (!Array.isArray(response.content)) return undefined;
  return joinTexts(response.content);
}

function geminiText(response: Json): string | undefined {
  const candidate = Array.isArray(response.candidates) ? (response.candidates[0] as unknown) : undefined;
  if (!isObject(candidate) || !isObject(candidate.content) || !Array.isArray(candidate.content.parts)) return undefined;
  return joinTexts(candidate.content.parts);
}

function ollamaText(response: Json): string | undefined {
  if (isObject(response.message) && typeof response.message.content === 'string') return response.message.content;
  return typeof response.response === 'string' ? response.response : undefined;
}

function joinTexts(blocks: unknown[]): string | undefined {
  const texts = blocks.filter(isObject).map((block) => block.text).filter((text): text is string => typeof text === 'string');
  return texts.length === 0 ? undefined : texts.join('');
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null;
}
