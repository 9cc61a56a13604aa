/**
 * The real provider SDK clients pointed at the local fake server
 * (test/support/fake-llm-server.ts), with retries off so that a failure the
 * server is asked to send reaches the test once.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import type { FakeLlmServer } from './fake-llm-server.ts';

export function openAiClient(server: FakeLlmServer): OpenAI {
  return new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'sk-test', maxRetries: 0 });
}

export function anthropicClient(server: FakeLlmServer, options: ConstructorParameters<typeof Anthropic>[0] = {}): Anthropic {
  return new Anthropic({ baseURL: server.url, apiKey: 'sk-ant-test', maxRetries: 0, ...options });
}
