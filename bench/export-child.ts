/**
 * Export with content capture on, in a process of its own (`--expose-gc`):
 * `node --expose-gc bench/export-child.ts throughput` or `… heap CLOSED_ENDPOINT`.
 * Prints one JSON line.
 *
 * - throughput: LLM calls with 4 KB prompts and completions against a collector that accepts (the
 *   benchmark's OTLP gRPC collector, a process of its own with gRPC's default 4 MiB limit), until it
 *   has every span: spans delivered a second, recording, encoding and sending included.
 * - heap: the same calls while the collector is unreachable (a closed port), so every span waits in
 *   the retry queue: heap per queued span, measured, beside what the queue accounts for one.
 */
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { configureTelemetry, shutdownTelemetry, traceLlmCall } from '../src/index.ts';
import { spanSize } from '../src/runtime/otlp-size.ts';
import { startCollector } from './child.ts';

const [mode, endpoint] = process.argv.slice(2);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('usage: node --expose-gc bench/export-child.ts throughput | heap CLOSED_ENDPOINT');
const TEXT = 4096;
const QUEUE_BYTES = 256 * 1024 * 1024;

function text(seed: number): string {
  return `${seed} `.padEnd(TEXT, 'The customer asks about invoice INV-1042 and a refund. ');
}

async function call(index: number): Promise<void> {
  await traceLlmCall({ provider: 'openai', model: 'gpt-4o', prompt: text(index) }, async () => ({
    model: 'gpt-4o',
    choices: [{ message: { role: 'assistant', content: text(-index) }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 1000, completion_tokens: 1000 },
  }));
}

const heapUsed = (): number => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

if (mode === 'throughput') {
  const collector = await startCollector();
  const calls = 5_000;
  // A queue that holds the whole burst: this measures delivery, not the drops of a full queue.
  configureTelemetry({ serviceName: 'flo-bench-export', otlpEndpoint: collector.url, captureContent: true, logLevel: 'none', metrics: false, retryQueueMaxBytes: QUEUE_BYTES });
  const before = await collector.receivedSpans();
  const started = performance.now();
  for (let index = 0; index < calls; index += 1) await call(index);
  while ((await collector.receivedSpans()) - before < calls && performance.now() - started < 120_000) await new Promise((resolve) => setTimeout(resolve, 20));
  const seconds = (performance.now() - started) / 1000;
  const delivered = (await collector.receivedSpans()) - before;
  await shutdownTelemetry();
  await collector.stop();
  console.log(JSON.stringify({ calls, delivered, seconds, spansPerSecond: delivered / seconds, queueMiB: QUEUE_BYTES / 1024 / 1024 }));
} else {
  if (endpoint === undefined) throw new Error('heap needs a closed endpoint');
  const calls = 600;
  const seen = new InMemorySpanExporter();
  configureTelemetry({ serviceName: 'flo-bench-export', otlpEndpoint: endpoint, captureContent: true, logLevel: 'none', metrics: false, spanProcessors: [new SimpleSpanProcessor({ exporter: seen })] });
  await call(-1);
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  seen.reset();
  const before = heapUsed();
  for (let index = 0; index < calls; index += 1) await call(index);
  // Past the batch processor's delay: every span is in the retry queue now.
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  const spans = seen.getFinishedSpans();
  const accounted = spans.reduce((sum, span) => sum + spanSize(span).held, 0) / spans.length;
  const wire = spans.reduce((sum, span) => sum + spanSize(span).wire, 0) / spans.length;
  // The in-memory exporter holds the same span objects as the queue: they count once.
  const measured = (heapUsed() - before) / calls;
  await shutdownTelemetry();
  console.log(JSON.stringify({ calls, heapPerSpan: measured, accountedPerSpan: accounted, wirePerSpan: wire }));
}
