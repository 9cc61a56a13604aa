/**
 * A focused workload for `node --cpu-prof bench/profile.ts [llm|workflow|agent|recorder|hand-written-recorder|hand-written-workflow] [flo|gen_ai|both] [seconds]`:
 * the instrumented call in a loop against the in-process SDK, nothing else, so the
 * profile shows where the time of one call goes.
 */
import { metrics, trace } from '@opentelemetry/api';
import { setConventions, shutdownTelemetry, type Conventions } from '../src/index.ts';
import { handWrittenWorkflow } from './handwritten-workflow.ts';
import { configureInProcess } from './providers.ts';
import * as work from './workloads.ts';

const [what = 'workflow', mode = 'both', seconds = '5'] = process.argv.slice(2);
configureInProcess();
setConventions(mode as Conventions);
const calls: Record<string, () => unknown> = {
  llm: work.kitLlmCall,
  workflow: work.kitWorkflow,
  recorder: work.generatedRecorders,
  agent: work.kitAgentRun,
  'hand-written-recorder': work.handWritten(trace.getTracer('bench.handwritten'), metrics.getMeter('bench.handwritten')),
  'hand-written-workflow': handWrittenWorkflow(trace.getTracer('bench.handwritten'), metrics.getMeter('bench.handwritten'), mode as Conventions),
};
const call = calls[what];
if (call === undefined) throw new Error(`unknown workload ${what}; one of ${Object.keys(calls).join(', ')}`);
const until = performance.now() + Number(seconds) * 1000;
let count = 0;
while (performance.now() < until) {
  for (let index = 0; index < 100; index += 1) await call();
  count += 100;
}
console.log(`${what} (${mode}): ${count} calls, ${((Number(seconds) * 1e6) / count).toFixed(2)} µs a call`);
await shutdownTelemetry();
