/**
 * What the GenAI response attributes need, read from a provider's response,
 * or from one event of its stream, as a plain object (no provider SDK is
 * imported). Finish reasons are reported as the provider gives them, which is
 * what `gen_ai.response.finish_reasons` asks for (the convention's own example
 * records OpenAI's `tool_calls` as it is); genai-messages.ts maps them onto the
 * output-message schema's values.
 *
 *   shape (recognised by)                    id            model         finishReasons (one per choice)
 *   OpenAI Chat Completions (choices[])      id            model         choices[].finish_reason, in index order
 *     stream chunk (chat.completion.chunk)   id            model         the choices' finish_reason once set (per choice,
 *                                                                        in the order the stream reports them)
 *   OpenAI Responses API (object            id            model         incomplete_details.reason when status is
 *     "response", or output[] and status)                                "incomplete" (max_output_tokens,
 *                                                                        content_filter …); otherwise the status once
 *                                                                        terminal: completed, failed, cancelled
 *                                                                        (in_progress and queued: none yet)
 *     stream events response.*               the event's `response` (created, in_progress, completed,
 *                                            incomplete, failed); other events carry nothing
 *   Anthropic Messages (type "message")      id            model         [stop_reason]: end_turn, max_tokens,
 *                                                                        stop_sequence, tool_use, pause_turn, refusal …
 *     stream message_start                   message.id    message.model (its stop_reason is ignored: null when
 *                                                                        sent, and the SDK's MessageStream helper
 *                                                                        grows that object into its snapshot)
 *     stream message_delta                                               [delta.stop_reason]
 *   Gemini generateContent (candidates[],    responseId    modelVersion  candidates[].finishReason: STOP, MAX_TOKENS,
 *     usageMetadata)                                                     SAFETY … (stream chunks alike; the last
 *                                                                        chunk has them)
 *   Ollama /api/chat, /api/generate          -             model         [done_reason]: stop, length, load, unload
 *     (done, done_reason)                                                (the final chunk when streaming)
 *   the kit's own shape                      id            model         finishReasons, or finishReason
 *
 * Usage is read by usage.ts (see its tables; reasoning tokens included). The
 * Responses API also gives the conversation the response belongs to
 * (`conversation.id`), reported as `conversationId`. OpenAI's two APIs give the
 * service tier that served the response (`service_tier`) and Chat Completions
 * the system fingerprint (`system_fingerprint`, chunks alike), reported as
 * `serviceTier` and `systemFingerprint` (OpenAI-compatible servers send them
 * too: the helpers record them for the OpenAI provider).
 *
 * Streams: feed each event to `streamEventFacts` and fold the results with
 * `mergeResponseFacts`: ids and models reported later win, finish reasons
 * accumulate, usage is folded by `mergeUsage` (a later count wins, as
 * Anthropic's message_delta and Gemini's chunks report running totals). Stream
 * events never derive a total (an early one would go stale), so call
 * `completeResponseFacts` on the folded facts at the end.
 */
import { completed, extractUsageWithReasoning, mergeUsage, reportedUsageWithReasoning, type Usage } from '../usage.ts';
import { array, first, guard, object, strings, text, type Json } from './read.ts';

export interface ResponseFacts {
  /** gen_ai.response.id */
  readonly id?: string;
  /** gen_ai.response.model */
  readonly model?: string;
  /** gen_ai.response.finish_reasons, as the provider gives them */
  readonly finishReasons?: string[];
  /** gen_ai.usage.* */
  readonly usage?: Usage;
  /** gen_ai.conversation.id, when the response names its conversation (OpenAI Responses API) */
  readonly conversationId?: string;
  /** openai.response.service_tier */
  readonly serviceTier?: string;
  /** openai.response.system_fingerprint */
  readonly systemFingerprint?: string;
}

/** The GenAI response facts of a whole provider response; `{}` when nothing is known. Never throws. */
export function responseFacts(response: unknown): ResponseFacts {
  // guard() spelled out: this runs on every response, and a closure per call is garbage.
  try {
    return readResponse(response, extractUsageWithReasoning);
  } catch {
    return {};
  }
}

/** The facts one stream event or chunk reports; fold them with `mergeResponseFacts`. Never throws. */
export function streamEventFacts(event: unknown): ResponseFacts {
  return guard(() => readEvent(event), {});
}

/** `b` folded onto `a` (b is the later one): see the header. Never throws. */
export function mergeResponseFacts(a: ResponseFacts, b: ResponseFacts): ResponseFacts {
  return guard(
    () =>
      facts(
        b.id ?? a.id,
        b.model ?? a.model,
        a.finishReasons === undefined ? b.finishReasons : b.finishReasons === undefined ? a.finishReasons : [...a.finishReasons, ...b.finishReasons],
        mergeUsage(a.usage, b.usage),
        b.conversationId ?? a.conversationId,
        b.serviceTier ?? a.serviceTier,
        b.systemFingerprint ?? a.systemFingerprint,
      ),
    a,
  );
}

/** Folded stream facts made final: a total token count derived from the parts when none was reported. */
export function completeResponseFacts(facts: ResponseFacts): ResponseFacts {
  return facts.usage === undefined ? facts : { ...facts, usage: completed(facts.usage) };
}

type UsageReader = (response: unknown) => Usage | undefined;

/**
 * The facts without their undefined fields (so they compare and serialise cleanly), always in
 * the order id, model, finishReasons, usage, conversationId, serviceTier, systemFingerprint: one
 * named store per field, as this runs on every response read (a generic copy over Object.keys
 * costs several times as much).
 */
function facts(
  id: string | undefined,
  model: string | undefined,
  finishReasons: string[] | undefined,
  usage: Usage | undefined,
  conversationId: string | undefined,
  serviceTier?: string,
  systemFingerprint?: string,
): ResponseFacts {
  const built: { -readonly [K in keyof ResponseFacts]: ResponseFacts[K] } = {};
  if (id !== undefined) built.id = id;
  if (model !== undefined) built.model = model;
  if (finishReasons !== undefined) built.finishReasons = finishReasons;
  if (usage !== undefined) built.usage = usage;
  if (conversationId !== undefined) built.conversationId = conversationId;
  if (serviceTier !== undefined) built.serviceTier = serviceTier;
  if (systemFingerprint !== undefined) built.systemFingerprint = systemFingerprint;
  return built;
}

function readEvent(event: unknown): ResponseFacts {
  const body = object(event);
  if (body === undefined) return {};
  const type = text(body.type);
  if (type !== undefined && type.startsWith('response.')) {
    // OpenAI Responses API: lifecycle events carry the response so far; deltas carry nothing of interest here.
    const response = object(body.response);
    return response === undefined ? {} : openAiResponse(response, reportedUsageWithReasoning);
  }
  if (type === 'message_start') {
    // Its stop_reason is null when sent; the SDK's MessageStream helper then grows the same object
    // into its snapshot, so a message_start read later shows the final stop_reason, which
    // message_delta reports (and would then be counted twice).
    const message = object(body.message);
    if (message === undefined) return {};
    const { id, model, usage } = anthropicMessage(message, reportedUsageWithReasoning);
    return facts(id, model, undefined, usage, undefined);
  }
  if (type === 'message_delta') {
    return facts(undefined, undefined, strings(object(body.delta)?.stop_reason), reportedUsageWithReasoning(body), undefined);
  }
  if (type !== undefined && type !== 'message' && !Array.isArray(body.choices) && !Array.isArray(body.candidates)) {
    // Any other typed event (Anthropic's content_block_*, ping, message_stop, error): nothing to report.
    return {};
  }
  return readResponse(body, reportedUsageWithReasoning);
}

function readResponse(response: unknown, usageOf: UsageReader): ResponseFacts {
  const body = object(response);
  if (body === undefined) return {};
  if (body.object === 'response' || (Array.isArray(body.output) && typeof body.status === 'string')) return openAiResponse(body, usageOf);
  if (Array.isArray(body.choices)) return openAiChat(body, usageOf);
  if (Array.isArray(body.candidates) || object(body.usageMetadata) !== undefined || body.responseId !== undefined || body.modelVersion !== undefined) {
    return gemini(body, usageOf);
  }
  if (body.type === 'message') return anthropicMessage(body, usageOf);
  if (typeof body.done === 'boolean' || body.done_reason !== undefined) return ollama(body, usageOf);
  return facts(text(body.id), text(body.model), first(strings(body.finishReasons), strings(body.finishReason), strings(body.finish_reason)), usageOf(body), undefined);
}

function openAiChat(body: Json, usageOf: UsageReader): ResponseFacts {
  return facts(text(body.id), text(body.model), choiceFinishReasons(array(body.choices) ?? []), usageOf(body), undefined, text(body.service_tier), text(body.system_fingerprint));
}

/** One finish reason per choice, in index order when every choice has one. */
function choiceFinishReasons(list: readonly unknown[]): string[] | undefined {
  if (list.length === 1) {
    // Nearly every call asks for one choice: nothing to order, no intermediate arrays.
    const reason = text(object(list[0])?.finish_reason);
    return reason === undefined ? undefined : [reason];
  }
  const choices = list.map(object).filter((choice): choice is Json => choice !== undefined);
  const ordered = choices.every((choice) => typeof choice.index === 'number') ? [...choices].sort((a, b) => (a.index as number) - (b.index as number)) : choices;
  return nonEmpty(ordered.map((choice) => text(choice.finish_reason)));
}

const RESPONSE_TERMINAL_STATUSES = new Set(['completed', 'failed', 'cancelled', 'incomplete']);

/** A Responses API body's status as a finish reason: why it is incomplete when it is, else the status itself. */
export function responsesStatusReason(body: Json | undefined): string | undefined {
  const status = text(body?.status);
  return status === 'incomplete' ? (text(object(body?.incomplete_details)?.reason) ?? status) : status;
}

function openAiResponse(body: Json, usageOf: UsageReader): ResponseFacts {
  const status = text(body.status);
  const reason = responsesStatusReason(body);
  return facts(
    text(body.id),
    text(body.model),
    status !== undefined && RESPONSE_TERMINAL_STATUSES.has(status) && reason !== undefined ? [reason] : undefined,
    usageOf(body),
    text(object(body.conversation)?.id),
    text(body.service_tier),
  );
}

function anthropicMessage(body: Json, usageOf: UsageReader): ResponseFacts {
  return facts(text(body.id), text(body.model), strings(body.stop_reason), usageOf(body), undefined);
}

function gemini(body: Json, usageOf: UsageReader): ResponseFacts {
  const candidates = (array(body.candidates) ?? []).map(object).filter((candidate): candidate is Json => candidate !== undefined);
  return facts(text(body.responseId), first(text(body.modelVersion), text(body.model)), nonEmpty(candidates.map((candidate) => text(candidate.finishReason))), usageOf(body), undefined);
}

function ollama(body: Json, usageOf: UsageReader): ResponseFacts {
  return facts(undefined, text(body.model), strings(body.done_reason), usageOf(body), undefined);
}

function nonEmpty(reasons: Array<string | undefined>): string[] | undefined {
  const kept = reasons.filter((reason): reason is string => reason !== undefined);
  return kept.length === 0 ? undefined : kept;
}
