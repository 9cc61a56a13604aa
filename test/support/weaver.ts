/**
 * OpenTelemetry Weaver for the tests that run it: where it is, whether the tests may run, and
 * what `weaver registry check` reported.
 *
 * Weaver is `WEAVER` when set, else `../shared/tools/weaver` beside the repository (where every
 * developer machine and CI have it). As with the Jaeger tests: missing in CI fails the test,
 * elsewhere the test is skipped saying what is missing.
 */
import { spawnSync } from 'node:child_process';
import { gate } from './gate.ts';
import { accessSync, constants, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const WEAVER_VERSION = '0.25.1';

type Env = Readonly<Record<string, string | undefined>>;

/** `WEAVER` (relative to the working directory) when set, else `../shared/tools/weaver` from the repository root. */
export function weaverPath(env: Env = process.env, repoRoot = REPO_ROOT): string {
  return env.WEAVER ? resolve(env.WEAVER) : resolve(repoRoot, '../shared/tools/weaver');
}

/** Undefined when an executable Weaver is at `path`, else what is missing and how to get it. */
export function weaverProblem(path: string): string | undefined {
  let missing: string | undefined;
  try {
    if (!statSync(path).isFile()) missing = `${path} is not a file`;
    else accessSync(path, constants.X_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    missing = code === 'ENOENT' ? `nothing is at ${path}` : code === 'EACCES' ? `${path} is not executable` : `${path}: ${(error as Error).message}`;
  }
  if (missing === undefined) {
    const version = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 30_000 });
    if (version.status === 0) return undefined;
    missing = `${path} --version failed (${version.error?.message ?? (version.stderr.trim() || `exit ${version.status}`)})`;
  }
  return (
    `the Weaver tests need OpenTelemetry Weaver ${WEAVER_VERSION}, and ${missing}. ` +
    'Set WEAVER=/path/to/weaver, or install it (README, "Weaver"): a release binary from ' +
    'https://github.com/open-telemetry/weaver/releases, ' +
    `\`cargo install --git https://github.com/open-telemetry/weaver --tag v${WEAVER_VERSION} weaver\`, or the otel/weaver container image`
  );
}

/** The rule itself (test/support/gate.ts): true to run; false (after saying why) to skip; throws in CI. */
export function weaverDecision(problem: string | undefined, env: Env, warn = console.warn): boolean {
  return gate(problem, 'Weaver tests', env, warn);
}

/** The Weaver to run, or undefined (after warning) when the tests should skip; throws in CI when it is missing. */
export function availableWeaver(env: Env = process.env): string | undefined {
  const path = weaverPath(env);
  return weaverDecision(weaverProblem(path), env) ? path : undefined;
}

/** One diagnostic of `--diagnostic-format json`. */
export interface WeaverDiagnostic {
  readonly diagnostic: { readonly message: string; readonly severity?: string; readonly ansi_message?: string };
  readonly error?: unknown;
}

export interface WeaverCheck {
  readonly status: number | null;
  /** Every diagnostic Weaver reported, errors and warnings alike. */
  readonly diagnostics: readonly WeaverDiagnostic[];
  /** Lines of the report that are neither progress (`ℹ`, `✔`, headers) nor the JSON diagnostics. */
  readonly otherLines: readonly string[];
  readonly output: string;
}

const PROGRESS_LINE = /^(Weaver Registry Check|Checking registry `.*`|ℹ .*|✔ .*|Total execution time: .*)$/u;

/** Runs `weaver registry check -r <registry> --diagnostic-format json` (plus `extra`) in `cwd`. */
export function weaverCheck(weaver: string, cwd: string, registry: string, extra: readonly string[] = []): WeaverCheck {
  const run = spawnSync(weaver, ['registry', 'check', '-r', registry, '--diagnostic-format', 'json', ...extra], {
    cwd,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, NO_COLOR: '1' },
  });
  if (run.error) throw run.error;
  // Weaver writes its progress and the JSON array of diagnostics to stderr, nothing to stdout.
  const output = `${run.stdout}${run.stderr}`;
  const lines = output.split('\n');
  const diagnostics: WeaverDiagnostic[] = [];
  const otherLines: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '[') {
      const end = lines.indexOf(']', i);
      if (end === -1) throw new Error(`unterminated JSON diagnostics in Weaver's output:\n${output}`);
      diagnostics.push(...(JSON.parse(lines.slice(i, end + 1).join('\n')) as WeaverDiagnostic[]));
      i = end;
    } else if (line.trim() !== '' && !PROGRESS_LINE.test(line.trim())) {
      otherLines.push(line);
    }
  }
  return { status: run.status, diagnostics, otherLines, output };
}
