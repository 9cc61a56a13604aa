/**
 * After `shutdownTelemetry()` nothing of the kit keeps the event loop alive,
 * even when an export is stuck: here the collector accepts the TCP
 * connection of an `https://` endpoint and never answers the TLS handshake.
 * Checked in child processes, which must end by themselves (a watchdog kills
 * a hung one, and the test then fails on its exit status).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { closedPort, startSilentCollector } from '../support/otlp-receiver.ts';

const CHILD = fileURLToPath(new URL('./fixtures/exit-child.ts', import.meta.url));
const IDLE_CHILD = fileURLToPath(new URL('./fixtures/idle-exit-child.ts', import.meta.url));
/** The idle child's shutdownTimeoutMillis. */
const CHILD_SHUTDOWN_BOUND_MILLIS = 1_000;
/** Far beyond the child's own bounds (1 s shutdown, 10 s export deadline): only a process that never ends reaches it. */
const WATCHDOG_MILLIS = 25_000;

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

function runChild(endpoint: string, mode: string, script = CHILD, ...rest: string[]): Promise<{ stdout: string; stderr: string; code: number | null; signal: NodeJS.Signals | null }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(OTEL_|FLO_)/.test(name)));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, endpoint, mode, ...rest], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    const watchdog = setTimeout(() => child.kill('SIGKILL'), WATCHDOG_MILLIS);
    child.on('close', (code, signal) => {
      clearTimeout(watchdog);
      resolve({ stdout, stderr, code, signal });
    });
  });
}

describe('the process ends after shutdown', () => {
  it.each(['await', 'beforeExit'])('with an https endpoint that never completes TLS (%s)', async (mode) => {
    const silent = await startSilentCollector();
    close = silent.close;
    const child = await runChild(silent.url.replace('http://127.0.0.1', 'https://localhost'), mode);
    expect(child.stderr).toBe('');
    expect(child.stdout).toContain('shutdown resolved');
    expect({ code: child.code, signal: child.signal }).toEqual({ code: 0, signal: null });
  }, 40_000);

  it('with a plaintext endpoint that never answers', async () => {
    const silent = await startSilentCollector();
    close = silent.close;
    const child = await runChild(silent.url, 'await');
    expect(child.stdout).toContain('shutdown resolved');
    expect({ code: child.code, signal: child.signal }).toEqual({ code: 0, signal: null });
  }, 40_000);

  it('with a closed port (the collector is down)', async () => {
    const child = await runChild(`http://127.0.0.1:${await closedPort()}`, 'beforeExit');
    expect(child.stdout).toContain('shutdown resolved');
    expect({ code: child.code, signal: child.signal }).toEqual({ code: 0, signal: null });
  }, 40_000);
});

/**
 * Without any shutdown, or with the README's `beforeExit` pattern, an application whose work is done
 * exits: exports in flight to a collector that accepts TCP and never answers hold nothing open.
 */
describe('the process ends when its work ends, while exports hang', () => {
  it.each(['beforeExit', 'none'])('with %s', async (mode) => {
    const silent = await startSilentCollector();
    close = silent.close;
    const child = await runChild(silent.url, mode, IDLE_CHILD, '2000');
    const workEnded = Number(/work ended (\d+)/.exec(child.stdout)?.[1]);
    const exited = Number(/exit (\d+)/.exec(child.stdout)?.[1]);
    expect({ code: child.code, signal: child.signal }).toEqual({ code: 0, signal: null });
    expect(exited - workEnded).toBeLessThanOrEqual(CHILD_SHUTDOWN_BOUND_MILLIS + 2_000);
  }, 40_000);
});
