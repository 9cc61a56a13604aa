/**
 * What the LLM helpers record for each provider SDK and stream shape the README claims, from a real
 * run: the real `openai` and `@anthropic-ai/sdk` clients (and `fetch` in Gemini's and Ollama's own
 * formats) against the local fake server of the tests (test/support/fake-llm-server.ts, 127.0.0.1
 * only), through `traceLlmCall` and `traceLlmStream`, with the default conventions (`both`) and
 * content capture on. Prints one Markdown row per call: the README's table.
 *
 *   node examples/sdk-shapes.ts
 */
import { configureTelemetry, shutdownTelemetry, traceLlmCall, traceLlmStream, type LlmCallInfo } from '../src/index.ts';
import { postJson, startFakeLlmServer, type FakeLlmServer } from '../test/support/fake-llm-server.ts';
import { anthropicClient, openAiClient } from '../test/support/sdk-clients.ts';
import { STREAM_SHAPES } from '../test/support/stream-shapes.ts';
import { TelemetryReport } from './report.ts';

const MESSAGES = [{ role: 'user' as const, content: 'Weather in Paris?' }];
const TOOLS = [{ type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];

interface Call {
  readonly shape: string;
  readonly run: (server: FakeLlmServer) => Promise<unknown>;
}

const whole = (shape: string, info: LlmCallInfo, call: (server: FakeLlmServer) => PromiseLike<unknown> | object, after?: (result: unknown) => Promise<unknown>): Call => ({
  shape,
  run: async (server) => {
    const result = traceLlmCall(info, () => call(server));
    return after === undefined ? await result : after(result);
  },
});

const CALLS: readonly Call[] = [
  whole('OpenAI Chat Completions, `create()`', { provider: 'openai', model: 'gpt-4o', request: { model: 'gpt-4o', messages: MESSAGES, tools: TOOLS, service_tier: 'priority' } }, (server) =>
    openAiClient(server).chat.completions.create({ model: 'gpt-4o', messages: MESSAGES, tools: TOOLS, service_tier: 'priority' }),
  ),
  whole(
    'OpenAI Chat Completions, `create().withResponse()`',
    { provider: 'openai', model: 'gpt-4o', request: { model: 'gpt-4o', messages: MESSAGES } },
    (server) => openAiClient(server).chat.completions.create({ model: 'gpt-4o', messages: MESSAGES }),
    (result) => (result as { withResponse(): Promise<unknown> }).withResponse(),
  ),
  whole(
    'OpenAI Chat Completions, `create().asResponse()`',
    { provider: 'openai', model: 'gpt-4o', request: { model: 'gpt-4o', messages: MESSAGES } },
    (server) => openAiClient(server).chat.completions.create({ model: 'gpt-4o', messages: MESSAGES }),
    async (result) => (await (result as { asResponse(): Promise<Response> }).asResponse()).json(),
  ),
  whole('OpenAI Responses, `create()`', { provider: 'openai', model: 'o4-mini', request: { model: 'o4-mini', input: 'Weather in Paris?', reasoning: { effort: 'low' } } }, (server) =>
    openAiClient(server).responses.create({ model: 'o4-mini', input: 'Weather in Paris?', reasoning: { effort: 'low' } }),
  ),
  whole(
    'Anthropic Messages, `create()`',
    { provider: 'anthropic', model: 'claude-sonnet-5-5', request: { model: 'claude-sonnet-5-5', max_tokens: 1024, messages: MESSAGES, thinking: { type: 'enabled', budget_tokens: 512 } } },
    (server) => anthropicClient(server).messages.create({ model: 'claude-sonnet-5-5', max_tokens: 1024, messages: MESSAGES, thinking: { type: 'enabled', budget_tokens: 512 } }),
  ),
  whole(
    'Anthropic Messages, `stream()` (MessageStream) in `traceLlmCall`',
    { provider: 'anthropic', model: 'claude-sonnet-5-5', request: { model: 'claude-sonnet-5-5', max_tokens: 1024, messages: MESSAGES } },
    (server) => anthropicClient(server).messages.stream({ model: 'claude-sonnet-5-5', max_tokens: 1024, messages: MESSAGES }),
    (result) => (result as { finalMessage(): Promise<unknown> }).finalMessage(),
  ),
  whole('Gemini `generateContent` (fetch)', { provider: 'gemini', model: 'gemini-2.5-flash', request: { contents: [{ role: 'user', parts: [{ text: 'Weather in Paris?' }] }] } }, (server) =>
    postJson(`${server.url}/v1beta/models/gemini-2.5-flash:generateContent`, { contents: [{ role: 'user', parts: [{ text: 'Weather in Paris?' }] }] }),
  ),
  whole('Ollama `/api/chat` (fetch)', { provider: 'ollama', model: 'llama3.2', request: { model: 'llama3.2', messages: MESSAGES, stream: false } }, (server) =>
    postJson(`${server.url}/api/chat`, { model: 'llama3.2', messages: MESSAGES, stream: false }),
  ),
  ...STREAM_SHAPES.map(
    (shape): Call => ({
      shape: `${shape.name.replace(/^(.*?), (.*)$/, '$1, $2')}, streamed`,
      run: async (server) => {
        for await (const event of traceLlmStream({ provider: shape.provider, model: shape.model, request: shape.request }, () => shape.open(server))) void event;
      },
    }),
  ),
];

const report = new TelemetryReport();
configureTelemetry({ serviceName: 'sdk-shapes', logLevel: 'none', captureContent: true, spanProcessors: [report.spanProcessor], metricReaders: [report.metricReader] });
const server = await startFakeLlmServer();
for (const call of CALLS) await call.run(server);
// Stream handles settle once their end event has run.
await new Promise((resolve) => setImmediate(resolve));
// In the order the calls started (a stream handle's span ends a little after its caller has its final message).
const spans = [...(await report.snapshot()).spans].sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1]);
await server.close();
await shutdownTelemetry();

const usage = (attributes: Record<string, unknown>) =>
  [
    ['in', 'gen_ai.usage.input_tokens'],
    ['out', 'gen_ai.usage.output_tokens'],
    ['cache read', 'gen_ai.usage.cache_read.input_tokens'],
    ['cache write', 'gen_ai.usage.cache_creation.input_tokens'],
    ['reasoning', 'gen_ai.usage.reasoning.output_tokens'],
  ]
    .filter(([, key]) => attributes[key as string] !== undefined)
    .map(([label, key]) => `${label} ${String(attributes[key as string])}`)
    .join(', ');

const others = (attributes: Record<string, unknown>) =>
  [
    attributes['gen_ai.request.stream'] === true ? 'stream' : undefined,
    attributes['llm.stream.chunks'] === undefined ? undefined : `${String(attributes['llm.stream.chunks'])} output chunks`,
    attributes['gen_ai.response.finish_reasons'] === undefined ? undefined : `finish ${(attributes['gen_ai.response.finish_reasons'] as string[]).join(',')}`,
    attributes['openai.response.service_tier'] === undefined ? undefined : `openai tier ${String(attributes['openai.request.service_tier'] ?? '-')}→${String(attributes['openai.response.service_tier'])}`,
    attributes['openai.response.system_fingerprint'] === undefined ? undefined : 'fingerprint',
    attributes['gen_ai.tool.definitions'] === undefined ? undefined : 'tool definitions',
    attributes['gen_ai.output.messages'] === undefined ? undefined : 'output messages',
  ]
    .filter((part) => part !== undefined)
    .join(', ');

console.log('| SDK and shape | span | response model | usage | also |');
console.log('| --- | --- | --- | --- | --- |');
spans.forEach((span, index) => {
  const attributes = span.attributes as Record<string, unknown>;
  console.log(`| ${CALLS[index]?.shape ?? '?'} | \`${span.name}\` | \`${String(attributes['gen_ai.response.model'] ?? '-')}\` | ${usage(attributes) || 'none'} | ${others(attributes)} |`);
});
