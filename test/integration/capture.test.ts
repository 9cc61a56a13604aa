/**
 * Content capture against a real Jaeger with its default limits: LLM calls
 * with 4000-character prompts and completions (under content capture's
 * default maxLength of 4096) make span batches that encode far beyond the
 * 4 MiB Jaeger's gRPC receiver accepts, as the OpenTelemetry Collector's
 * does. Every span must still arrive, read back through the query API.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { configureTelemetry, shutdownTelemetry, traceAgentRun, traceLlmCall } from '../../src/index.ts';
import { integrationEnabled, spansOf, startJaeger, tag, waitForSpans, type Jaeger } from './support/jaeger.ts';
import { padded } from './support/workload.ts';

const CALLS = 1000;
/** Calls per agent run, so the query API returns every trace in one page. */
const CALLS_PER_RUN = 100;
const TEXT_LENGTH = 4000;

const enabled = await integrationEnabled();

describe.skipIf(!enabled)('content capture to Jaeger', () => {
  let jaeger: Jaeger | undefined;
  afterAll(async () => {
    await shutdownTelemetry();
    await jaeger?.stop();
  });

  it(`delivers at least 99.9 % of a burst of ${CALLS} LLM calls with ${TEXT_LENGTH}-character prompts and completions`, async () => {
    jaeger = await startJaeger();
    const service = `flo-capture-${randomUUID().slice(0, 8)}`;
    configureTelemetry({ serviceName: service, otlpEndpoint: jaeger.otlpEndpoint, captureContent: true, logLevel: 'none' });
    const started = performance.now();
    for (let run = 0; run < CALLS / CALLS_PER_RUN; run += 1) {
      await traceAgentRun({ name: `writer_${run}`, type: 'conversational', provider: 'openai' }, async () => {
        for (let call = 0; call < CALLS_PER_RUN; call += 1) {
          const seed = `run ${run} call ${call}`;
          await traceLlmCall({ provider: 'openai', model: 'gpt-4o', prompt: padded(`Prompt of ${seed}.`, TEXT_LENGTH) }, async () => ({
            model: 'gpt-4o',
            choices: [{ message: { role: 'assistant', content: padded(`Answer to ${seed}.`, TEXT_LENGTH) }, finish_reason: 'stop' }],
            usage: { prompt_tokens: 1000, completion_tokens: 1000 },
          }));
        }
      });
    }
    const recordedMs = performance.now() - started;
    await shutdownTelemetry();
    const expected = CALLS + CALLS / CALLS_PER_RUN;
    const spans = spansOf(await waitForSpans(jaeger.queryUrl, service, expected, 60_000));
    const llmSpans = spans.filter((span) => span.operationName === 'chat gpt-4o');
    const prompts = llmSpans.map((span) => tag(span.tags, 'llm.request.content')?.value);
    console.log(
      `capture burst: ${CALLS} LLM calls with ${TEXT_LENGTH}-character prompts and completions recorded in ${recordedMs.toFixed(0)} ms; ` +
        `${llmSpans.length} of them in Jaeger (${((100 * llmSpans.length) / CALLS).toFixed(1)} %), ${spans.length} spans in all`,
    );
    expect(llmSpans.length / CALLS).toBeGreaterThanOrEqual(0.999);
    expect(prompts.every((prompt) => typeof prompt === 'string' && prompt.length === TEXT_LENGTH)).toBe(true);
    expect(spans.filter((span) => span.operationName.startsWith('invoke_agent'))).toHaveLength(CALLS / CALLS_PER_RUN);
  });
});
