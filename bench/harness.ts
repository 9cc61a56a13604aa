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

/** Two tasks measured in `rounds` rounds, the order swapped each round; per task, the round with the median ratio. */
export interface PairMeasured {
  readonly subject: Measured;
  readonly baseline: Measured;
  /** subject / baseline, the median of the rounds' ratios. */
  readonly ratio: number;
  /** Every round's ratio, for the report. */
  readonly ratios: readonly number[];
}

/**
 * A ratio that does not depend on which task ran first: the one measured second inherits the
 * first one's garbage and heap growth, so a single round favours one side by a few percent on a
 * 2-core machine. Rounds alternate the order and the median round is reported. Seven by default:
 * on a shared 2-core machine a single round has been seen 0.8× to 1.5× of the median, and the
 * median of three then moved by ±0.15 between runs.
 */
export const PAIR_ROUNDS = 7;

export async function measurePair(subject: Task, baseline: Task, rounds = PAIR_ROUNDS, timeMs = 1_000, batchSize = BATCH): Promise<PairMeasured> {
  const measuredRounds: Array<{ subject: Measured; baseline: Measured; ratio: number }> = [];
  for (let round = 0; round < rounds; round += 1) {
    const subjectFirst = round % 2 === 0;
    const results = await measure(subjectFirst ? [subject, baseline] : [baseline, subject], timeMs, batchSize);
    const [s, b] = (subjectFirst ? results : [...results].reverse()) as [Measured, Measured];
    measuredRounds.push({ subject: s, baseline: b, ratio: s.medianNs / b.medianNs });
  }
  const sorted = measuredRounds.toSorted((x, y) => x.ratio - y.ratio);
  const median = sorted[Math.floor(sorted.length / 2)] as (typeof measuredRounds)[number];
  return { subject: median.subject, baseline: median.baseline, ratio: median.ratio, ratios: measuredRounds.map((round) => round.ratio) };
}
