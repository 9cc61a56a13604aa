/**
 * How a framework's provider name maps onto the OpenTelemetry GenAI
 * `gen_ai.provider.name`. Which conventions are emitted at all is the
 * runtime's one switch (`configureTelemetry({ conventions })`, see
 * src/runtime/conventions.ts), so span attributes and metrics always agree.
 */
import {
  GEN_AI_PROVIDER_NAME_VALUE_ANTHROPIC,
  GEN_AI_PROVIDER_NAME_VALUE_AWS_BEDROCK,
  GEN_AI_PROVIDER_NAME_VALUE_AZURE_AI_OPENAI,
  GEN_AI_PROVIDER_NAME_VALUE_GCP_GEMINI,
  GEN_AI_PROVIDER_NAME_VALUE_MISTRAL_AI,
  GEN_AI_PROVIDER_NAME_VALUE_OPENAI,
  GEN_AI_PROVIDER_NAME_VALUE_GCP_VERTEX_AI,
  GEN_AI_PROVIDER_NAME_VALUE_X_AI,
  GEN_AI_PROVIDER_NAME_VALUE_COHERE,
  GEN_AI_PROVIDER_NAME_VALUE_DEEPSEEK,
  GEN_AI_PROVIDER_NAME_VALUE_GROQ,
  GEN_AI_PROVIDER_NAME_VALUE_PERPLEXITY,
  type GenAiProviderNameValue,
} from '../generated/attributes.ts';

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
  vertex: GEN_AI_PROVIDER_NAME_VALUE_GCP_VERTEX_AI,
  vertexai: GEN_AI_PROVIDER_NAME_VALUE_GCP_VERTEX_AI,
  gcpvertexai: GEN_AI_PROVIDER_NAME_VALUE_GCP_VERTEX_AI,
  bedrock: GEN_AI_PROVIDER_NAME_VALUE_AWS_BEDROCK,
  awsbedrock: GEN_AI_PROVIDER_NAME_VALUE_AWS_BEDROCK,
  mistral: GEN_AI_PROVIDER_NAME_VALUE_MISTRAL_AI,
  mistralai: GEN_AI_PROVIDER_NAME_VALUE_MISTRAL_AI,
  xai: GEN_AI_PROVIDER_NAME_VALUE_X_AI,
  grok: GEN_AI_PROVIDER_NAME_VALUE_X_AI,
  cohere: GEN_AI_PROVIDER_NAME_VALUE_COHERE,
  deepseek: GEN_AI_PROVIDER_NAME_VALUE_DEEPSEEK,
  groq: GEN_AI_PROVIDER_NAME_VALUE_GROQ,
  perplexity: GEN_AI_PROVIDER_NAME_VALUE_PERPLEXITY,
};

/** Names already mapped: an application uses a handful, and every LLM call and agent run asks. */
const mapped = new Map<string, GenAiProviderNameValue>();
const MAX_MAPPED = 256;

/** The `gen_ai.provider.name` for a framework's provider name; see the table above. */
export function genAiProviderName(provider: string): GenAiProviderNameValue {
  const known = mapped.get(provider);
  if (known !== undefined) return known;
  const normalised = provider
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '')
    .replace(/^chat(?=.)/, '')
    .replace(/(?<=.)(llm|provider|client)$/, '');
  const name = GEN_AI_PROVIDERS[normalised] ?? provider;
  if (mapped.size < MAX_MAPPED) mapped.set(provider, name);
  return name;
}
