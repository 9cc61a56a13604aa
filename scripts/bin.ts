#!/usr/bin/env node
/**
 * The `flo-semconv` command (the generator package's bin). It always runs the
 * generator: no "am I the main module" check, which Node 22.15–22.17 cannot
 * answer through `import.meta.main`.
 *
 * V8 reads heap settings only when a process starts, so the bin starts Node
 * once more with them (./heap-settings.ts says why) and passes on its
 * arguments, streams, signals and exit status. The first process loads none
 * of the generator; when the second cannot be started, the generator runs in
 * the first with V8's defaults.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { argumentsWithHeapSettings, hasGeneratorHeapSettings } from './heap-settings.ts';

async function generate(): Promise<void> {
  const { BIN_PROGRAM, main } = await import('./generate.ts');
  process.exitCode = main(process.argv.slice(2), BIN_PROGRAM);
}

function relaunch(): void {
  const args = argumentsWithHeapSettings(fileURLToPath(import.meta.url), process.execArgv, process.argv.slice(2));
  const child = spawn(process.execPath, args, { stdio: 'inherit' });
  const forward = (signal: NodeJS.Signals) => () => void child.kill(signal);
  const forwarded = (['SIGINT', 'SIGTERM'] as const).map((signal) => [signal, forward(signal)] as const);
  for (const [signal, listener] of forwarded) process.on(signal, listener);
  child.once('error', () => {
    for (const [signal, listener] of forwarded) process.off(signal, listener);
    void generate();
  });
  child.once('exit', (code, signal) => {
    for (const [name, listener] of forwarded) process.off(name, listener);
    // Ended by a signal: end the same way, as a shell expects of the command it started.
    if (signal !== null) process.kill(process.pid, signal);
    else process.exitCode = code ?? 1;
  });
}

if (hasGeneratorHeapSettings(process.execArgv)) await generate();
else relaunch();
