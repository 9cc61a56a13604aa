/** Child processes of the benchmark: the collector, and the memory runs, which need their own heap. */
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

export interface Collector {
  readonly url: string;
  /** How many spans the collector has decoded so far. */
  receivedSpans(): Promise<number>;
  stop(): Promise<void>;
}

export async function startCollector(): Promise<Collector> {
  const child = spawn(process.execPath, [here('./collector.ts')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = lineReader(child.stdout);
  const url = await lines.next();
  return {
    url,
    async receivedSpans() {
      child.stdin.write('count\n');
      const answer = await lines.next();
      return Number(/received (\d+) spans/.exec(answer)?.[1] ?? Number.NaN);
    },
    async stop() {
      child.stdin.end();
      await once(child, 'exit');
    },
  };
}

/** Runs bench/memory-child.ts with --expose-gc and returns the JSON it prints. */
export function runMemoryChild(args: readonly string[]): Promise<unknown> {
  return runJsonChild('./memory-child.ts', args);
}

/** Runs a bench script in a fresh process with --expose-gc and returns the JSON line it prints last. */
export async function runJsonChild(script: string, args: readonly string[]): Promise<unknown> {
  const child = spawn(process.execPath, ['--expose-gc', here(script), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    output += chunk;
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`${script} ${args.join(' ')} exited with ${code}`);
  return JSON.parse(output.trim().split('\n').at(-1) ?? 'null');
}

function lineReader(stdout: Readable): { next(): Promise<string> } {
  const pending: string[] = [];
  const waiting: Array<(line: string) => void> = [];
  let buffer = '';
  stdout.setEncoding('utf8');
  stdout.on('data', (chunk: string) => {
    buffer += chunk;
    let newline = buffer.indexOf('\n');
    while (newline !== -1) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      const resolve = waiting.shift();
      if (resolve) resolve(line);
      else pending.push(line);
      newline = buffer.indexOf('\n');
    }
  });
  return {
    next: () => {
      const line = pending.shift();
      return line !== undefined ? Promise.resolve(line) : new Promise((resolve) => waiting.push(resolve));
    },
  };
}
