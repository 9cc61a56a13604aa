/**
 * Where the time of a workload goes: runs bench/profile.ts under `--cpu-prof`
 * in a child process and sums the profile's self time by owner (the kit's
 * own code, each OpenTelemetry package, garbage collection, Node itself).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface ProfileShares {
  /** Microseconds a call, as the profiled run measured it (the profiler slows it down a little). */
  readonly perCallUs: number;
  /** Share of the run's self time by owner, largest first. */
  readonly owners: ReadonlyArray<readonly [string, number]>;
  /** The kit's own functions with the largest self time. */
  readonly kitFunctions: ReadonlyArray<readonly [string, number]>;
}

/** The owner of a profiled function: the kit's layer, an npm package, or what the runtime does. */
function owner(url: string, functionName: string): string {
  const kit = /\/src\/(runtime|instrumentation|generated)\//.exec(url);
  if (kit !== null) return `kit: src/${kit[1]}`;
  if (url.includes('/bench/')) return 'the benchmark itself';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg !== null) return pkg[1] as string;
  if (functionName === '(garbage collector)') return 'garbage collection';
  if (functionName === '(idle)' || functionName === '(program)' || functionName === '(root)') return 'idle and V8';
  return 'Node.js (async context, timers, buffers, module loading)';
}

export function profileShares(workload: string, conventions: string, seconds = 4): ProfileShares {
  const dir = mkdtempSync(join(tmpdir(), 'flo-bench-profile-'));
  try {
    const output = execFileSync(
      process.execPath,
      ['--cpu-prof', `--cpu-prof-dir=${dir}`, fileURLToPath(new URL('./profile.ts', import.meta.url)), workload, conventions, String(seconds)],
      { encoding: 'utf8' },
    );
    const perCallUs = Number(/([\d.]+) µs a call/.exec(output)?.[1] ?? Number.NaN);
    const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
    if (file === undefined) throw new Error('no profile written');
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    const owners = new Map<string, number>();
    const functions = new Map<string, number>();
    let total = 0;
    profile.samples.forEach((id, index) => {
      const node = byId.get(id);
      const delta = profile.timeDeltas[index] ?? 0;
      if (node === undefined) return;
      const { url, functionName, lineNumber } = node.callFrame;
      const who = owner(url, functionName);
      if (who === 'idle and V8') return;
      total += delta;
      owners.set(who, (owners.get(who) ?? 0) + delta);
      if (who.startsWith('kit')) {
        const name = `${functionName || '(anonymous)'} (${url.replace(/.*\/src\//, 'src/')}:${lineNumber + 1})`;
        functions.set(name, (functions.get(name) ?? 0) + delta);
      }
    });
    const shares = (map: Map<string, number>) => [...map].map(([name, time]) => [name, time / total] as const).sort((a, b) => b[1] - a[1]);
    return { perCallUs, owners: shares(owners), kitFunctions: shares(functions).slice(0, 8) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
