/**
 * Token usage read from provider responses as plain objects, so no provider
 * SDK is a dependency. The shapes are the providers' documented JSON:
 *
 *   OpenAI Chat Completions  usage.prompt_tokens / completion_tokens / total_tokens
 *                            (usage.prompt_tokens_details.cached_tokens: part of the prompt)
 *   OpenAI Responses API     usage.input_tokens / output_tokens / total_tokens
 *                            (usage.input_tokens_details.cached_tokens: part of the input);
 *                            stream events carry it as response.usage (response.completed,
 *                            .incomplete and .failed: the final response)
 *   Anthropic Messages       usage.input_tokens / output_tokens, plus
 *                            cache_read_input_tokens / cache_creation_input_tokens,
 *                            which Anthropic does NOT include in input_tokens;
 *                            stream events carry it as message.usage (message_start)
 *                            and usage (message_delta, cumulative)
 *   Gemini                   usageMetadata.promptTokenCount / candidatesTokenCount /
 *                            totalTokenCount, thoughtsTokenCount, cachedContentTokenCount
 *   Ollama                   prompt_eval_count / eval_count (final chunk when streaming)
 *   the kit's own shape      usage.promptTokens / completionTokens / totalTokens (also
 *                            inputTokens / outputTokens, reasoningTokens), so a framework
 *                            can return it
 *
 * Reasoning tokens (part of the completion everywhere), read only by the
 * `…WithReasoning` readers, so `extractUsage` and `reportedUsage` report what
 * they always did:
 *   OpenAI Chat Completions  usage.completion_tokens_details.reasoning_tokens
 *   OpenAI Responses API     usage.output_tokens_details.reasoning_tokens
 *   Anthropic Messages       usage.output_tokens_details.thinking_tokens (also in
 *                            message_start and message_delta stream events)
 *   Gemini                   usageMetadata.thoughtsTokenCount
 *   Ollama                   not reported
 *   the kit's own shape      usage.reasoningTokens
 * A provider's reasoning count is kept only when positive: OpenAI reports 0
 * for every model that does not reason, which says nothing about the call.
 * A count in the kit's own shape is kept as given.
 *
 * Prompt tokens include cached tokens everywhere (the GenAI convention says
 * input tokens SHOULD include cached ones), so Anthropic's cache counts are
 * added to its input_tokens. Completion tokens include reasoning tokens
 * everywhere (OpenAI's already do; Gemini's thoughtsTokenCount is added), as
 * both are billed as output. A missing total is the sum of the two parts.
 */

import { count, isObject, type Json } from './providers/read.ts';

export interface Usage {
  /** Tokens of the prompt, cached ones included. */
  readonly promptTokens?: number;
  /** Tokens of the completion, reasoning ones included. */
  readonly completionTokens?: number;
  /** Both together, as the provider reports it (or their sum). */
  readonly totalTokens?: number;
  /** Prompt tokens served from the provider's cache (already counted in promptTokens). */
  readonly cacheReadTokens?: number;
  /** Prompt tokens written to the provider's cache (already counted in promptTokens). */
  readonly cacheCreationTokens?: number;
  /** Completion tokens spent on reasoning or thinking (already counted in completionTokens). */
  readonly reasoningTokens?: number;
}

/** The usage a response reports, or undefined when it reports none. Never throws. */
export function extractUsage(response: unknown): Usage | undefined {
  return completed(reportedUsage(response));
}

/** `extractUsage` plus `reasoningTokens` (see the header). Never throws. */
export function extractUsageWithReasoning(response: unknown): Usage | undefined {
  return completed(reportedUsageWithReasoning(response));
}

/** `reportedUsage` plus `reasoningTokens`, for stream chunks. Never throws. */
export function reportedUsageWithReasoning(response: unknown): Usage | undefined {
  try {
    const usage = readUsage(response);
    const reasoning = readReasoning(response);
    return reasoning === undefined ? usage : { ...usage, reasoningTokens: reasoning };
  } catch {
    return undefined;
  }
}

/**
 * Only what the response itself reports, no total derived: for stream
 * chunks, whose parts are folded with `mergeUsage` and completed at the end
 * (a total derived from an early chunk would go stale).
 */
export function reportedUsage(response: unknown): Usage | undefined {
  try {
    return readUsage(response);
  } catch {
    // A getter on a foreign object threw: treat as "no usage", never fail the call.
    return undefined;
  }
}

/**
 * Usage a framework hands over itself, checked like a provider's: counts
 * that are not non-negative whole numbers are dropped, a missing total is
 * filled in.
 */
export function normalizeUsage(usage: Usage | undefined): Usage | undefined {
  return completed(checkedUsage(usage));
}

/** `normalizeUsage` without deriving a total, for stream chunks. */
export function checkedUsage(usage: Usage | undefined): Usage | undefined {
  if (typeof usage !== 'object' || usage === null) return undefined;
  return nonEmpty({
    promptTokens: count(usage.promptTokens),
    completionTokens: count(usage.completionTokens),
    totalTokens: count(usage.totalTokens),
    cacheReadTokens: count(usage.cacheReadTokens),
    cacheCreationTokens: count(usage.cacheCreationTokens),
    reasoningTokens: count(usage.reasoningTokens),
  });
}

/**
 * Folds usage reported piecewise by stream chunks: a field reported later
 * wins (Anthropic's message_delta and Gemini's chunks report running
 * totals, OpenAI and Ollama report once at the end).
 */
export function mergeUsage(earlier: Usage | undefined, later: Usage | undefined): Usage | undefined {
  if (later === undefined) return earlier;
  if (earlier === undefined) return later;
  const merged: Record<string, number> = {};
  for (const source of [earlier, later]) {
    for (const [key, value] of Object.entries(source)) if (value !== undefined) merged[key] = value;
  }
  return merged as Usage;
}

/** Fills a missing total from the parts; undefined when nothing was reported at all. */
export function completed(usage: Usage | undefined): Usage | undefined {
  if (usage === undefined) return undefined;
  const { promptTokens, completionTokens, totalTokens } = usage;
  if (totalTokens !== undefined || promptTokens === undefined || completionTokens === undefined) return usage;
  return { ...usage, totalTokens: promptTokens + completionTokens };
}

function readUsage(response: unknown): Usage | undefined {
  if (!isObject(response)) return undefined;
  if (isResponsesEvent(response)) return isObject(response.response) ? readUsage(response.response) : undefined;
  if (isObject(response.usageMetadata)) return fromGemini(response.usageMetadata);
  if (isObject(response.usage)) return fromUsageObject(response.usage);
  // Anthropic's message_start stream event nests the message, usage included.
  if (isObject(response.message) && isObject(response.message.usage)) return fromUsageObject(response.message.usage);
  if ('prompt_eval_count' in response || 'eval_count' in response) return fromOllama(response);
  return undefined;
}

/** OpenAI (both APIs), Anthropic and the kit's own camelCase shape all sit under `usage`. */
function fromUsageObject(usage: Json): Usage | undefined {
  const cacheRead = count(usage.cache_read_input_tokens);
  const cacheCreation = count(usage.cache_creation_input_tokens);
  const anthropicCache = cacheRead !== undefined || cacheCreation !== undefined;
  // `??` chains rather than first(): read lazily, no argument arrays (this runs on every response).
  const input = count(usage.prompt_tokens) ?? count(usage.input_tokens) ?? count(usage.promptTokens) ?? count(usage.inputTokens);
  const prompt = anthropicCache && input !== undefined ? input + (cacheRead ?? 0) + (cacheCreation ?? 0) : input;
  return nonEmpty({
    promptTokens: prompt,
    completionTokens: count(usage.completion_tokens) ?? count(usage.output_tokens) ?? count(usage.completionTokens) ?? count(usage.outputTokens),
    totalTokens: count(usage.total_tokens) ?? count(usage.totalTokens),
    cacheReadTokens: cacheRead ?? cachedTokens(usage.prompt_tokens_details) ?? cachedTokens(usage.input_tokens_details),
    cacheCreationTokens: cacheCreation,
  });
}

function fromGemini(metadata: Json): Usage | undefined {
  const candidates = count(metadata.candidatesTokenCount);
  const thoughts = count(metadata.thoughtsTokenCount);
  return nonEmpty({
    promptTokens: count(metadata.promptTokenCount),
    completionTokens: candidates === undefined && thoughts === undefined ? undefined : (candidates ?? 0) + (thoughts ?? 0),
    totalTokens: count(metadata.totalTokenCount),
    cacheReadTokens: count(metadata.cachedContentTokenCount),
  });
}

function fromOllama(response: Json): Usage | undefined {
  return nonEmpty({ promptTokens: count(response.prompt_eval_count), completionTokens: count(response.eval_count) });
}

function readReasoning(response: unknown): number | undefined {
  if (!isObject(response)) return undefined;
  if (isResponsesEvent(response)) return readReasoning(response.response);
  if (isObject(response.usageMetadata)) return positive(count(response.usageMetadata.thoughtsTokenCount));
  const usage = isObject(response.usage) ? response.usage : isObject(response.message) && isObject(response.message.usage) ? response.message.usage : undefined;
  if (usage === undefined) return undefined;
  return (
    positive(detail(usage.completion_tokens_details, 'reasoning_tokens')) ??
    positive(detail(usage.output_tokens_details, 'reasoning_tokens')) ??
    positive(detail(usage.output_tokens_details, 'thinking_tokens')) ??
    count(usage.reasoningTokens)
  );
}

/** An OpenAI Responses API stream event (`response.created`, `response.completed`, …): the response it carries holds the usage. */
function isResponsesEvent(value: Json): boolean {
  return typeof value.type === 'string' && value.type.startsWith('response.');
}

function cachedTokens(details: unknown): number | undefined {
  return detail(details, 'cached_tokens');
}

function detail(details: unknown, field: string): number | undefined {
  return isObject(details) ? count(details[field]) : undefined;
}

function positive(value: number | undefined): number | undefined {
  return value !== undefined && value > 0 ? value : undefined;
}

function nonEmpty(usage: Usage): Usage | undefined {
  // One named store per field, in the order every reader above builds them: this runs on every
  // response read, and a loop over Object.keys with keyed stores costs several times as much.
  const { promptTokens, completionTokens, totalTokens, cacheReadTokens, cacheCreationTokens, reasoningTokens } = usage;
  if (
    promptTokens === undefined &&
    completionTokens === undefined &&
    totalTokens === undefined &&
    cacheReadTokens === undefined &&
    cacheCreationTokens === undefined &&
    reasoningTokens === undefined
  ) {
    return undefined;
  }
  const reported: { -readonly [K in keyof Usage]: Usage[K] } = {};
  if (promptTokens !== undefined) reported.promptTokens = promptTokens;
  if (completionTokens !== undefined) reported.completionTokens = completionTokens;
  if (totalTokens !== undefined) reported.totalTokens = totalTokens;
  if (cacheReadTokens !== undefined) reported.cacheReadTokens = cacheReadTokens;
  if (cacheCreationTokens !== undefined) reported.cacheCreationTokens = cacheCreationTokens;
  if (reasoningTokens !== undefined) reported.reasoningTokens = reasoningTokens;
  return reported;
}
