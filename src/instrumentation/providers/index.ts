/**
 * The provider layer: what the OpenTelemetry GenAI attributes need, read from
 * provider requests, responses and stream events as plain objects (OpenAI
 * Chat Completions and Responses, Anthropic Messages, Gemini generateContent,
 * Ollama chat and generate, and any OpenAI-compatible server), and the server
 * a base URL names. Pure functions that never throw: a value they cannot read
 * is "nothing known". No provider SDK is imported. Each module's header
 * documents where every fact comes from.
 */
export { isOutputChunk } from './chunks.ts';
export { responseBody, streamHandleSettlement } from './handles.ts';
export { requestFacts, type RequestFacts } from './request.ts';
export { completeResponseFacts, mergeResponseFacts, responseFacts, streamEventFacts, type ResponseFacts } from './response.ts';
export { serverOf, type ServerFacts } from './server.ts';
export { toolDefinitions, type GenAiToolDefinition } from './tools.ts';
