/**
 * Measuring with tinybench, per call: each task runs a batch of calls per
 * iteration (one call is far below the timer's resolution) and results are
 * divided by the batch size. Ratios are only ever taken between tasks of one
 * run, since absolute timings on shared 2-core machines drift.
 */
import { Bench } from 'tinybench';

export const BATCH = 100;

export interface Task {
  readonly name: string;
  /** One batch of calls (BATCH unless the measure call says otherwise). */
  readonly batch: () => unknown;
  /** Runs once before the task is measured (warm-up included). */
  readonly beforeAll?: () => void;
}

export interface Measured {
  readonly name: string;
  /** Per call, in nanoseconds. */
  readonly medianNs: number;
  readonly p75Ns: number;
  readonly p99Ns: number;
  readonly samples: number;
}

const MS_TO_NS = 1e6;

export async function measure(tasks: readonly Task[], timeMs = 1_000, batchSize = BATCH): Promise<Measured[]> {
  const bench = new Bench({ time: timeMs, warmupTime: 250 });
  for (const task of tasks) bench.add(task.name, task.batch, task.beforeAll === undefined ? {} : { beforeAll: task.beforeAll });
  await bench.run();
  return bench.tasks.map((task) => {
    const result = task.result;
    if (result === undefined || !('latency' in result)) throw new Error(`benchmark ${task.name} failed: ${JSON.stringify(result)}`);
    const perCall = (ms: number) => (ms * MS_TO_NS) / batchSize;
    return {
      name: task.name,
      medianNs: perCall(result.latency.p50),
      p75Ns: perCall(result.latency.p75),
      p99Ns: perCall(result.latency.p99),
      samples: result.latency.samplesCount,
    };
  });
}

/** A sync function repeated BATCH times. */
export function repeat(call: () => unknown): () => void {
  return () => {
    for (let index = 0; index < BATCH; index += 1) call();
  };
}

/** An async function awaited `times` times, one after the other. */
export function repeatAsync(call: () => Promise<unknown>, times = BATCH): () => Promise<void> {
  return async () => {
    for (let index = 0; index < times; index += 1) await call();
  };
}

export function byName(results: readonly Measured[], name: string): Measured {
  const found = results.find((result) => result.name === name);
  if (found === undefined) throw new Error(`no result named ${name}`);
  return found;
}

export function formatNs(ns: number): string {
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(2)} µs`;
  return `${ns.toFixed(0)} ns`;
}

/** Two tasks measured in interleaved segments; per task, every batch of every segment. */
export interface PairMeasured {
  readonly subject: Measured;
  readonly baseline: Measured;
  /** subject / baseline: the median of the pairs' ratios. */
  readonly ratio: number;
  /** The first and third quartiles of the pairs' ratios: how much one pair can be trusted. */
  readonly quartiles: readonly [number, number];
  readonly pairs: number;
}

/**
 * A ratio that survives a shared 2-core machine. Measured as one long block per side, the
 * ratio follows whatever else the machine did during each block: rounds of a second per side
 * have read 0.8× to 1.5× of their median. Here the two sides alternate in short segments (about
 * `segmentMs` each, the order swapped every pair), so both see the same load within a fraction
 * of a second; each pair gives a ratio and the median of many pairs is reported with its
 * quartiles. The side measured second inherits the first one's garbage; swapping the order
 * every pair shares that out.
 */
export const PAIRS = 61;

export async function measurePair(subject: Task, baseline: Task, pairs = PAIRS, segmentMs = 50, batchSize = BATCH): Promise<PairMeasured> {
  const sides = [subject, baseline].map((task) => ({ task, latencies: [] as number[] }));
  for (const side of sides) {
    side.task.beforeAll?.();
    await segment(side.task, 250, []);
  }
  const ratios: number[] = [];
  for (let pair = 0; pair < pairs; pair += 1) {
    const [first, second] = pair % 2 === 0 ? sides : [sides[1], sides[0]];
    const firstMean = await segment(first!.task, segmentMs, first!.latencies);
    const secondMean = await segment(second!.task, segmentMs, second!.latencies);
    ratios.push(pair % 2 === 0 ? firstMean / secondMean : secondMean / firstMean);
    // Between pairs, outside the measured time: the SDK's timers (the batch processor's export) get their turn.
    await new Promise((resolve) => setImmediate(resolve));
  }
  const [subjectSide, baselineSide] = sides as [(typeof sides)[number], (typeof sides)[number]];
  return {
    subject: summarise(subject.name, subjectSide.latencies, batchSize),
    baseline: summarise(baseline.name, baselineSide.latencies, batchSize),
    ratio: quantile(ratios, 0.5),
    quartiles: [quantile(ratios, 0.25), quantile(ratios, 0.75)],
    pairs,
  };
}

/** Runs batches for about `ms`, adding each batch's latency (ms) to `latencies`; returns their mean. */
async function segment(task: Task, ms: number, latencies: number[]): Promise<number> {
  const start = performance.now();
  let total = 0;
  let batches = 0;
  while (performance.now() - start < ms) {
    const before = performance.now();
    await task.batch();
    const latency = performance.now() - before;
    latencies.push(latency);
    total += latency;
    batches += 1;
  }
  return total / batches;
}

function summarise(name: string, latencies: readonly number[], batchSize: number): Measured {
  const perCall = (ms: number) => (ms * MS_TO_NS) / batchSize;
  return {
    name,
    medianNs: perCall(quantile(latencies, 0.5)),
    p75Ns: perCall(quantile(latencies, 0.75)),
    p99Ns: perCall(quantile(latencies, 0.99)),
    samples: latencies.length,
  };
}

function quantile(values: readonly number[], q: number): number {
  const sorted = values.toSorted((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * q + 0.5))] as number;
}
