/**
 * The opt-in process hooks (`installShutdownHooks`), in child processes:
 * signals and `beforeExit` cannot be exercised inside the test worker.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CHILD = fileURLToPath(new URL('./fixtures/shutdown-hooks-child.ts', import.meta.url));

function runChild(mode: string) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(OTEL_|FLO_)/.test(name)));
  // A hung child is killed with SIGKILL, so it cannot pass for one that ended by SIGTERM.
  const result = spawnSync(process.execPath, [CHILD, mode], { env, encoding: 'utf8', timeout: 20_000, killSignal: 'SIGKILL' });
  return { stdout: result.stdout, stderr: result.stderr, status: result.status, signal: result.signal };
}

describe('installShutdownHooks', () => {
  it('flushes when the event loop drains (beforeExit) and lets the process exit normally', () => {
    const child = runChild('drain');
    expect(child.stderr).toBe('');
    expect(child.stdout).toMatch(/^ +hooks\.child\.drain /m);
    expect(child.status).toBe(0);
  });

  it('flushes on SIGTERM, then terminates by that signal as Node would have', () => {
    const child = runChild('sigterm');
    expect(child.stdout).toMatch(/^ +hooks\.child\.sigterm /m);
    expect(child.signal).toBe('SIGTERM');
  });

  it('flushes on SIGTERM but leaves the exit to an application that handles the signal itself', () => {
    const child = runChild('sigterm-handled');
    expect(child.stdout).toMatch(/^ +hooks\.child\.sigterm-handled /m);
    // The signal is not raised again behind the application's back.
    expect(child.stdout).toContain('application SIGTERM handler ran 1 time(s)');
    expect(child.signal).toBeNull();
    expect(child.status).toBe(0);
  });

  it('is off by default: without hooks or shutdownTelemetry() the batched span is lost', () => {
    const child = runChild('no-hooks');
    expect(child.status).toBe(0);
    expect(child.stdout).not.toContain('hooks.child.no-hooks');
  });
});
