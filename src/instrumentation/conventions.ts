/**
 * Which naming conventions the instrumentation emits, and how a framework's
 * provider name maps onto the OpenTelemetry GenAI one.
 *
 * Both by default: flo_ai's dashboards and queries read the `llm.*` names
 * (and milliseconds), GenAI-aware backends read `gen_ai.*` (and seconds).
 * Emitting both costs a few extra data points per call and loses nobody.
 *
 * The setting is the runtime's one switch (`configureTelemetry({ conventions })`
 * sets the same state), so span attributes and metrics always agree. The
 * rule for metrics mirrors the runtime's rule for span attributes: a flo
 * metric the spec declares an `equivalent` for (`llm.request.duration`,
 * `llm.tokens.prompt`, `llm.tokens.completion`, `llm.stream.time_to_first_chunk`)
 * is dropped under `gen_ai`; a flo metric without one (agents, workflows,
 * request counters) is always recorded, since nothing else would carry it.
 */
import {
  CONVENTIONS,
  emittedConventions,
  emitsFlo,
  emitsGenAi,
  setConventions,
  type Conventions,
} from '../runtime/conventions.ts';
import {
  GEN_AI_PROVIDER_NAME_VALUE_ANTHROPIC,
  GEN_AI_PROVIDER_NAME_VALUE_AWS_BEDROCK,
  GEN_AI_PROVIDER_NAME_VALUE_AZURE_AI_OPENAI,
  GEN_AI_PROVIDER_NAME_VALUE_GCP_GEMINI,
  GEN_AI_PROVIDER_NAME_VALUE_MISTRAL_AI,
  GEN_AI_PROVIDER_NAME_VALUE_OPENAI,
  type GenAiProviderNameValue,
} from '../generated/attributes.ts';
import { warnOnce } from './internal.ts';

export type EmittedConventions = Conventions;
export { emittedConventions, emitsFlo, emitsGenAi };

/** `flo` (flo_ai's names only), `gen_ai` (OpenTelemetry GenAI names where the spec declares one), or `both` (default). */
export function setEmittedConventions(conventions: EmittedConventions): void {
  if (!CONVENTIONS.includes(conventions)) {
    warnOnce(`unknown conventions ${JSON.stringify(conventions)} ignored; expected one of ${CONVENTIONS.join(', ')}`);
    return;
  }
  setConventions(conventions);
}

/**
 * Provider names as frameworks write them (flo_ai uses the provider class
 * name), normalised to lower case letters and digits without a leading
 * `chat` or a trailing `llm`/`provider`/`client` (`OpenAILLM`, `ChatAnthropic`,
 * `GeminiProvider`), mapped onto the GenAI convention's well-known
 * `gen_ai.provider.name` values:
 *
 *   openai                                      → openai
 *   azure, azureopenai, azure_openai            → azure.ai.openai
 *   anthropic, claude                           → anthropic
 *   gemini, google, googleai, googlegenai       → gcp.gemini     (Gemini API / AI Studio)
 *   vertex, vertexai, vertex_ai                 → gcp.vertex_ai  (Gemini on Vertex AI)
 *   bedrock, awsbedrock, aws.bedrock            → aws.bedrock
 *   mistral, mistralai, mistral_ai              → mistral_ai
 *   xai, grok                                   → x_ai
 *   cohere, deepseek, groq, perplexity          → themselves
 *
 * Anything else (ollama, vllm, a custom name) passes through exactly as
 * given: the convention allows custom values, and guessing would be worse.
 * `gcp.vertex_ai` and `x_ai` are well-known values of the GenAI convention
 * not (yet) listed as members in semconv/gen-ai.yaml.
 */
const GEN_AI_PROVIDERS: Readonly<Record<string, GenAiProviderNameValue>> = {
  openai: GEN_AI_PROVIDER_NAME_VALUE_OPENAI,
  azure: GEN_AI_PROVIDER_NAME_VALUE_AZURE_AI_OPENAI,
  azureopenai: GEN_AI_PROVIDER_NAME_VALUE_AZURE_AI_OPENAI,
  azureaiopenai: GEN_AI_PROVIDER_NAME_VALUE_AZURE_AI_OPENAI,
  anthropic: GEN_AI_PROVIDER_NAME_VALUE_ANTHROPIC,
  claude: GEN_AI_PROVIDER_NAME_VALUE_ANTHROPIC,
  gemini: GEN_AI_PROVIDER_NAME_VALUE_GCP_GEMINI,
  google: GEN_AI_PROVIDER_NAME_VALUE_GCP_GEMINI,
  googleai: GEN_AI_PROVIDER_NAME_VALUE_GCP_GEMINI,
  googlegenai: GEN_AI_PROVIDER_NAME_VALUE_GCP_GEMINI,
  gcpgemini: GEN_AI_PROVIDER_NAME_VALUE_GCP_GEMINI,
  vertex: 'gcp.vertex_ai',
  vertexai: 'gcp.vertex_ai',
  gcpvertexai: 'gcp.vertex_ai',
  bedrock: GEN_AI_PROVIDER_NAME_VALUE_AWS_BEDROCK,
  awsbedrock: GEN_AI_PROVIDER_NAME_VALUE_AWS_BEDROCK,
  mistral: GEN_AI_PROVIDER_NAME_VALUE_MISTRAL_AI,
  mistralai: GEN_AI_PROVIDER_NAME_VALUE_MISTRAL_AI,
  xai: 'x_ai',
  grok: 'x_ai',
  cohere: 'cohere',
  deepseek: 'deepseek',
  groq: 'groq',
  perplexity: 'perplexity',
};

/** The `gen_ai.provider.name` for a framework's provider name; see the table above. */
export function genAiProviderName(provider: string): GenAiProviderNameValue {
  const normalised = provider
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '')
    .replace(/^chat(?=.)/, '')
    .replace(/(?<=.)(llm|provider|client)$/, '');
  return GEN_AI_PROVIDERS[normalised] ?? provider;
}
