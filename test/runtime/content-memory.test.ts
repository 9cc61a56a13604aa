/**
 * Captured content keeps only the bytes the kit records: a prompt cut to
 * `maxLength` must not keep the whole prompt alive (V8's sliced strings
 * would), and the retry queue's byte bound must hold for what it really
 * retains. Measured in child processes with --expose-gc.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { closedPort } from '../support/otlp-receiver.ts';

const CHILD = fileURLToPath(new URL('./fixtures/memory-child.ts', import.meta.url));
const MiB = 1024 * 1024;

function measure(...args: string[]): Promise<Record<string, number>> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(OTEL_|FLO_)/.test(name)));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', CHILD, ...args], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Record<string, number>) : reject(new Error(`child exited ${code}: ${stderr}`))));
  });
}

describe('memory kept by captured content', () => {
  it('100 KB prompts and completions keep at most 1.5x the heap of 4 KB ones: what is cut is a copy of its own', async () => {
    const small = await measure('held', '4000');
    const large = await measure('held', '100000');
    expect(small.spans).toBe(401);
    expect(large.spans).toBe(401);
    expect(large.growth as number).toBeLessThanOrEqual(1.5 * (small.growth as number));
  }, 60_000);

  it('while the collector is down, 100 KB prompts stay within the retry queue byte bound plus a small slack', async () => {
    const outage = await measure('outage', `http://127.0.0.1:${await closedPort()}`);
    expect(outage.growth as number).toBeLessThanOrEqual((outage.bound as number) * 1.25 + 4 * MiB);
  }, 120_000);
});
