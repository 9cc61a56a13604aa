/**
 * The defect of the Python reference, ruled out end to end: recorders
 * imported before configureTelemetry() (as framework code is) export once
 * telemetry is configured, follow a reconfiguration, and go quiet after
 * shutdown. Through the real OTLP gRPC path.
 */
// Imported first, before anything is configured, like a framework importing its instrumentation.
import { selectionIndex } from '../../src/runtime/rules.ts';
import {
  AGENT_RUN_SPAN,
  METRIC_AGENT_EXECUTIONS_TOTAL,
  recordAgentExecutionsTotal,
  withAgentRunSpan,
} from '../../src/generated/index.ts';
import { afterEach, describe, expect, it } from 'vitest';
import { configureTelemetry, shutdownTelemetry } from '../../src/runtime/configure.ts';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.ts';
import { useCleanTelemetryState } from '../support/telemetry-env.ts';

useCleanTelemetryState();

let receivers: OtlpReceiver[] = [];
afterEach(async () => {
  await Promise.all(receivers.map((receiver) => receiver.close()));
  receivers = [];
});

async function receiver(): Promise<OtlpReceiver> {
  const started = await startOtlpReceiver();
  receivers.push(started);
  return started;
}

/** One agent run as framework code would record it: a span and a counter point. */
function runAgent(agentName: string): string {
  return withAgentRunSpan({ agentName, agentType: 'conversational', genAiProviderName: 'openai' }, () => {
    recordAgentExecutionsTotal(1, { agentName, agentType: 'conversational', status: 'success' });
    return `answer of ${agentName}`;
  });
}

// Both conventions (the default): the run takes the GenAI invoke_agent name.
const spanName = (agentName: string): string => AGENT_RUN_SPAN.conventions?.[selectionIndex('both', undefined)]?.name?.({ agentName, agentType: 'conversational', genAiProviderName: 'openai' }) ?? '';

function agentNamesCounted(collector: OtlpReceiver): unknown[] {
  return collector.metrics
    .filter((metric) => metric.name === METRIC_AGENT_EXECUTIONS_TOTAL)
    .flatMap((metric) => metric.dataPoints.map((point) => point.attributes.agent_name));
}

describe('recorders imported before configuration', () => {
  it('are no-ops before, export after configureTelemetry(), and follow a reconfiguration', async () => {
    expect(runAgent('before')).toBe('answer of before'); // not configured: the framework still works

    const first = await receiver();
    configureTelemetry({ otlpEndpoint: first.url, serviceName: 'recorders-test', logLevel: 'none' });
    runAgent('first');

    const second = await receiver();
    configureTelemetry({ otlpEndpoint: second.url, serviceName: 'recorders-test', logLevel: 'none' });
    runAgent('second');
    await shutdownTelemetry();
    // The first session was shut down (and flushed) in the background when it was replaced.
    await expect.poll(() => first.spans.length, { timeout: 5000 }).toBeGreaterThan(0);

    expect(first.spans.map((span) => span.name)).toEqual([spanName('first')]);
    expect(first.spans[0]?.attributes).toMatchObject({ 'agent.name': 'first', 'agent.type': 'conversational' });
    expect(first.spans[0]?.resource['service.name']).toBe('recorders-test');
    expect(agentNamesCounted(first)).toEqual(['first']);

    expect(second.spans.map((span) => span.name)).toEqual([spanName('second')]);
    // The new MeterProvider starts from zero: only what was recorded after the switch.
    expect(agentNamesCounted(second)).toEqual(['second']);

    runAgent('after-shutdown'); // no-op again, and still no throw
    expect([...first.spans, ...second.spans].map((span) => span.name)).not.toContain(spanName('after-shutdown'));
  });
});
