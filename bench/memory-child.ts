/**
 * Heap and RSS growth over many instrumented LLM calls, in a process of its
 * own (run with --expose-gc): `node --expose-gc bench/memory-child.ts ENDPOINT CALLS`.
 * Prints one JSON line.
 */
import { configureTelemetry, shutdownTelemetry } from '../src/index.ts';
import { kitLlmCall } from './workloads.ts';

const [endpoint, callsArgument] = process.argv.slice(2);
const calls = Number(callsArgument ?? 100_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined || endpoint === undefined) throw new Error('usage: node --expose-gc bench/memory-child.ts ENDPOINT CALLS');

const MB = 1024 * 1024;
const settle = async () => {
  for (let round = 0; round < 3; round += 1) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const usage = process.memoryUsage();
  return { heap: usage.heapUsed / MB, rss: usage.rss / MB };
};

const configure = () => configureTelemetry({ serviceName: 'flo-bench-memory', otlpEndpoint: endpoint, logLevel: 'none' });
// Warm up in a session of its own (JIT, module state, the kit's per-recorder caches), then shut it
// down: the heap then holds no queued spans, which is what the leak test compares with at the end.
configure();
for (let index = 0; index < 10_000; index += 1) await kitLlmCall();
await shutdownTelemetry();
const baseline = await settle();
configure();
for (let index = 0; index < 10_000; index += 1) await kitLlmCall();
await new Promise((resolve) => setTimeout(resolve, 1_500));
const before = await settle();

/** 100,000 calls, then the growth since `from`, after a forced collection. */
async function round(): Promise<{ heap: number; rss: number }> {
  for (let index = 0; index < calls; index += 1) await kitLlmCall();
  return settle();
}
const first = await round();
// More rounds show whether growth continues (a leak) or stops at a ceiling:
// V8 grows its reserved heap (not live objects) with the allocation rate.
const second = await round();
const third = await round();
// Once the batch processor has had time to export or drop what is queued.
await new Promise((resolve) => setTimeout(resolve, 2_000));
const settled = await settle();
const shutdownStarted = performance.now();
await shutdownTelemetry();
const shutdownMs = performance.now() - shutdownStarted;
// With every queue released (with the collector unreachable the retry queue keeps up to 8192 spans
// or 16 MiB while the session runs, by design, so a sample taken while it runs moves by MBs with
// its fill): what 300,000 calls left behind.
const shutDown = await settle();

console.log(
  JSON.stringify({
    calls,
    heapGrowthMb: first.heap - before.heap,
    rssGrowthMb: first.rss - before.rss,
    lastRoundHeapGrowthMb: third.heap - second.heap,
    lastRoundRssGrowthMb: third.rss - second.rss,
    heapTotalMb: process.memoryUsage().heapTotal / MB,
    heapGrowthSettledMb: settled.heap - before.heap,
    heapLeftAfterShutdownMb: shutDown.heap - baseline.heap,
    rssAfterMb: settled.rss,
    shutdownMs,
  }),
);
