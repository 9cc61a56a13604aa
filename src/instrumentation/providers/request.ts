/**
 * What the GenAI request attributes need, read from the request a framework
 * sends to its provider, as a plain object (no provider SDK is imported).
 * Fields are read from four places, first found wins, so one reader serves
 * every provider and the many OpenAI-compatible servers:
 *
 *   1. the request itself        OpenAI Chat Completions and Responses, Anthropic Messages,
 *                                Ollama's top level, the kit's own camelCase shape
 *   2. request.generationConfig  Gemini generateContent REST body (also generation_config)
 *   3. request.config            @google/genai SDK parameters ({ model, contents, config })
 *   4. request.options           Ollama /api/chat and /api/generate
 *
 * Where each fact comes from, by provider:
 *
 *   fact              OpenAI Chat             OpenAI Responses     Anthropic Messages  Gemini (generationConfig)   Ollama (options)
 *   model             model                   model                model               model (SDK; REST: the URL)  model
 *   maxTokens         max_completion_tokens,  max_output_tokens    max_tokens          maxOutputTokens             num_predict (-1, -2: none)
 *                     else max_tokens
 *   temperature       temperature             temperature          temperature         temperature                 temperature
 *   topP              top_p                   top_p                top_p               topP                        top_p
 *   topK              -                       -                    top_k               topK                        top_k
 *   stopSequences     stop (string or list)   -                    stop_sequences      stopSequences               stop
 *   frequencyPenalty  frequency_penalty       -                    -                   frequencyPenalty            frequency_penalty
 *   presencePenalty   presence_penalty        -                    -                   presencePenalty             presence_penalty
 *   seed              seed                    -                    -                   seed                        seed
 *   choiceCount       n                       -                    -                   candidateCount              -
 *   stream            stream                  stream               stream              - (an endpoint, not a field) stream (absent means true)
 *   outputType        response_format.type,   text.format.type     output_config.      responseModalities,         format ("json" or a schema)
 *                     modalities (audio)                           format.type         responseMimeType, schemas
 *   conversationId    -                       conversation         -                   -                           -
 *                                             (string or { id })
 *   serviceTier       service_tier            service_tier         (service_tier: not  -                           -
 *                                                                  OpenAI's, see below)
 *
 * Output types map onto the GenAI `gen_ai.output.type` values: json_object and
 * json_schema formats, application/json and a response schema → json; a text
 * format, text/plain, text/x.enum → text; an audio modality → speech; an image
 * modality → image. No output format in the request → no output type (the
 * convention asks for it only "if the request includes an output format").
 *
 * `stream` is what the request body says, and only when it says it: Ollama
 * streams when the field is absent, and Gemini streams through another
 * endpoint, neither visible in a body, so the helper the framework called
 * (traceLlmStream or traceLlmCall) stays the authority on streaming.
 *
 * `serviceTier` is the body's `service_tier` whatever the provider: Anthropic's has the same
 * field with values of its own, so the helpers record it (`openai.request.service_tier`) only for
 * the OpenAI provider.
 *
 * Values of the wrong type are not reported: counts are non-negative whole
 * numbers (a choice count also at least 1), seeds whole numbers, sampling
 * settings finite numbers, stop sequences non-empty strings.
 */
import { array, boolean, count, defined, finite, first, guard, integer, object, strings, text, type Json } from './read.ts';

export interface RequestFacts {
  /** gen_ai.request.model */
  readonly model?: string;
  /** gen_ai.request.max_tokens */
  readonly maxTokens?: number;
  /** gen_ai.request.temperature */
  readonly temperature?: number;
  /** gen_ai.request.top_p */
  readonly topP?: number;
  /** gen_ai.request.top_k */
  readonly topK?: number;
  /** gen_ai.request.stop_sequences */
  readonly stopSequences?: string[];
  /** gen_ai.request.frequency_penalty */
  readonly frequencyPenalty?: number;
  /** gen_ai.request.presence_penalty */
  readonly presencePenalty?: number;
  /** gen_ai.request.seed */
  readonly seed?: number;
  /** gen_ai.request.choice.count (the convention records it only when it is not 1) */
  readonly choiceCount?: number;
  /** gen_ai.request.stream */
  readonly stream?: boolean;
  /** gen_ai.output.type: text, json, image or speech */
  readonly outputType?: string;
  /** gen_ai.conversation.id */
  readonly conversationId?: string;
  /** openai.request.service_tier, for the OpenAI provider */
  readonly serviceTier?: string;
}

type Settings = Omit<RequestFacts, 'model' | 'stream' | 'outputType' | 'conversationId' | 'serviceTier'>;

/** The GenAI request facts of a provider request; `{}` when nothing is known. Never throws. */
export function requestFacts(request: unknown): RequestFacts {
  return guard(() => readRequest(request), {});
}

function readRequest(request: unknown): RequestFacts {
  const body = object(request);
  if (body === undefined) return {};
  const generation = first(object(body.generationConfig), object(body.generation_config));
  const config = object(body.config);
  const options = object(body.options);
  const sources = [body, generation, config, options].filter((source): source is Json => source !== undefined).map(settingsOf);
  const setting = <K extends keyof Settings>(key: K): Settings[K] => first(...sources.map((source) => source[key]));
  return defined({
    model: text(body.model),
    maxTokens: setting('maxTokens'),
    temperature: setting('temperature'),
    topP: setting('topP'),
    topK: setting('topK'),
    stopSequences: setting('stopSequences'),
    frequencyPenalty: setting('frequencyPenalty'),
    presencePenalty: setting('presencePenalty'),
    seed: setting('seed'),
    choiceCount: setting('choiceCount'),
    stream: boolean(body.stream),
    outputType: first(openAiOutputType(body), anthropicOutputType(body), geminiOutputType(generation), geminiOutputType(config), ollamaOutputType(body)),
    conversationId: first(text(body.conversation), text(object(body.conversation)?.id), text(body.conversationId), text(body.conversation_id)),
    serviceTier: text(body.service_tier),
  });
}

/** The sampling settings one object carries, in snake_case or camelCase. */
function settingsOf(source: Json): Settings {
  const choices = first(count(source.n), count(source.candidate_count), count(source.candidateCount), count(source.choiceCount));
  return {
    maxTokens: first(
      count(source.max_completion_tokens),
      count(source.max_tokens),
      count(source.max_output_tokens),
      count(source.maxTokens),
      count(source.maxOutputTokens),
      count(source.maxCompletionTokens),
      count(source.num_predict),
    ),
    temperature: finite(source.temperature),
    topP: first(finite(source.top_p), finite(source.topP)),
    topK: first(finite(source.top_k), finite(source.topK)),
    stopSequences: first(strings(source.stop_sequences), strings(source.stopSequences), strings(source.stop)),
    frequencyPenalty: first(finite(source.frequency_penalty), finite(source.frequencyPenalty)),
    presencePenalty: first(finite(source.presence_penalty), finite(source.presencePenalty)),
    seed: integer(source.seed),
    choiceCount: choices !== undefined && choices >= 1 ? choices : undefined,
  };
}

/** Chat Completions `response_format` and `modalities`, Responses `text.format`. */
function openAiOutputType(body: Json): string | undefined {
  if (array(body.modalities)?.includes('audio')) return 'speech';
  return first(formatType(object(body.response_format)?.type), formatType(object(object(body.text)?.format)?.type));
}

/** Anthropic structured outputs: `output_config.format` (and the earlier beta `output_format`). */
function anthropicOutputType(body: Json): string | undefined {
  return first(formatType(object(object(body.output_config)?.format)?.type), formatType(object(body.output_format)?.type));
}

function formatType(type: unknown): string | undefined {
  if (type === 'json_object' || type === 'json_schema' || type === 'json') return 'json';
  return type === 'text' ? 'text' : undefined;
}

function geminiOutputType(config: Json | undefined): string | undefined {
  if (config === undefined) return undefined;
  const modalities = (array(first(config.responseModalities, config.response_modalities)) ?? []).map((modality) => String(modality).toUpperCase());
  if (modalities.includes('IMAGE')) return 'image';
  if (modalities.includes('AUDIO')) return 'speech';
  const mime = text(first(config.responseMimeType, config.response_mime_type));
  if (mime === 'application/json') return 'json';
  if (mime !== undefined && mime.startsWith('text/')) return 'text';
  const schema = first(config.responseSchema, config.responseJsonSchema, config.response_schema, config.response_json_schema);
  return schema !== undefined ? 'json' : undefined;
}

function ollamaOutputType(body: Json): string | undefined {
  return body.format === 'json' || object(body.format) !== undefined ? 'json' : undefined;
}
