/**
 * The published packages as a user gets them, for the package tests: the
 * working tree is copied to a staging folder, built with `npm run build` and
 * packed with `npm pack` (both packages: the runtime at the root, the
 * generator in scripts/). The result is cached by the content of everything
 * that goes into it, under .cache/packages (git-ignored), so the test files of one run
 * (and later runs on unchanged sources) share one build. Node versions other
 * than the default come from the npm registry's `node` package, cached under
 * ~/.cache/flo-telemetry.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, relative, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../../..');

/** What goes into the packages: the root package's files, its build configuration, and the generator package (scripts/). */
const INPUTS = ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'LICENSE', 'README.md', 'src', 'scripts', 'semconv', 'docs'];
/** Build output and copies the build makes, never inputs. */
const isInput = (path: string): boolean => !/(^|\/)(dist|node_modules)(\/|$)/.test(path) && path !== 'scripts/LICENSE';

export interface PackedFile {
  readonly path: string;
  readonly size: number;
}

export interface Packed {
  readonly path: string;
  readonly name: string;
  readonly version: string;
  readonly files: readonly PackedFile[];
}

export interface Packages {
  /** The staging folder the packages were built in (its node_modules links to the repository's). */
  readonly stage: string;
  /** `@flo-ai/telemetry-kit`: what applications install. */
  readonly runtime: Packed;
  /** `@flo-ai/telemetry-kit-generator`: the flo-semconv command. */
  readonly generator: Packed;
  /** The built bin inside the staging folder. */
  readonly bin: string;
}

export interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The environment of a user's shell: none of the variables the `npm test` that started the tests
 * sets for its own scripts (`npm_package_*`, `npm_lifecycle_*`, `npm_config_local_prefix`, …; they
 * would point nested npm commands at this repository), except the npm settings that reach the
 * registry; and no telemetry settings.
 */
export function userEnv(): NodeJS.ProcessEnv {
  const keep = /^npm_config_(registry|@.*:registry|cache|userconfig|globalconfig|.*proxy|cafile|ca|cert|key|strict_ssl|.*_authtoken)$/i;
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => keep.test(key) || !/^(npm_|OTEL_|FLO_)/i.test(key)));
}

/** Runs a command to completion (in a user's environment unless told); never throws on a non-zero exit. */
export function run(command: string, args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Run {
  const result = spawnSync(command, args, { cwd: options.cwd, env: options.env ?? userEnv(), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function mustRun(command: string, args: readonly string[], cwd: string): string {
  const result = run(command, args, { cwd });
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} (in ${cwd}) exited ${result.code}:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

function inputFiles(): string[] {
  const files: string[] = [];
  const walk = (path: string): void => {
    if (!isInput(path) || !existsSync(join(ROOT, path))) return;
    if (statSync(join(ROOT, path)).isDirectory()) for (const name of readdirSync(join(ROOT, path)).sort()) walk(`${path}/${name}`);
    else files.push(path);
  };
  for (const input of INPUTS) walk(input);
  return files;
}

function contentHash(files: readonly string[]): string {
  const hash = createHash('sha256');
  for (const file of files) hash.update(`${file}\0`).update(readFileSync(join(ROOT, file))).update('\0');
  return hash.digest('hex').slice(0, 16);
}

const sleep = (ms: number): void => void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Runs `fn` holding a lock folder, so parallel test files do not build the same thing twice. */
function withLock<T>(lock: string, fn: () => T): T {
  const staleAfterMs = 15 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      try {
        if (Date.now() - statSync(lock).mtimeMs > staleAfterMs) rmSync(lock, { recursive: true, force: true });
      } catch {
        // Released meanwhile.
      }
      sleep(250);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function pack(dir: string, destination: string): Packed {
  // The build ran already; --ignore-scripts keeps prepack from building again.
  const [entry] = JSON.parse(mustRun('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', destination], dir)) as Array<{
    filename: string;
    name: string;
    version: string;
    files: PackedFile[];
  }>;
  if (entry === undefined) throw new Error(`npm pack in ${dir} reported nothing`);
  return { path: join(destination, entry.filename), name: entry.name, version: entry.version, files: entry.files.map(({ path, size }) => ({ path, size })) };
}

let memo: Packages | undefined;

/** Both packages built and packed from the working tree (cached by content). */
export function packages(): Packages {
  if (memo !== undefined) return memo;
  const files = inputFiles();
  const cacheRoot = join(ROOT, '.cache/packages');
  mkdirSync(cacheRoot, { recursive: true });
  const dir = join(cacheRoot, contentHash(files));
  const manifest = join(dir, 'packages.json');
  memo = withLock(`${dir}.lock`, () => {
    if (existsSync(manifest)) return JSON.parse(readFileSync(manifest, 'utf8')) as Packages;
    const building = `${dir}.building`;
    rmSync(building, { recursive: true, force: true });
    const stage = join(building, 'stage');
    for (const file of files) cpSync(join(ROOT, file), join(stage, file));
    symlinkSync(join(ROOT, 'node_modules'), join(stage, 'node_modules'), 'dir');
    mustRun('npm', ['run', 'build'], stage);
    const tarballs = join(building, 'tarballs');
    mkdirSync(tarballs);
    const runtime = pack(stage, tarballs);
    const generator = pack(join(stage, 'scripts'), tarballs);
    rmSync(dir, { recursive: true, force: true });
    renameSync(building, dir);
    pruneOlderThanADay(cacheRoot, dir);
    // Paths as they are after the rename.
    const moved = (packed: Packed): Packed => ({ ...packed, path: join(dir, relative(building, packed.path)) });
    const bin = (JSON.parse(readFileSync(join(dir, 'stage/scripts/package.json'), 'utf8')) as { bin: Record<string, string> }).bin['flo-semconv'];
    if (bin === undefined) throw new Error('scripts/package.json has no flo-semconv bin');
    const result: Packages = { stage: join(dir, 'stage'), runtime: moved(runtime), generator: moved(generator), bin: join(dir, 'stage/scripts', bin) };
    writeFileSync(manifest, JSON.stringify(result, null, 2));
    return result;
  });
  return memo;
}

/** Builds of earlier sources pile up otherwise; a day leaves any build a running test uses alone. */
function pruneOlderThanADay(cacheRoot: string, keep: string): void {
  for (const name of readdirSync(cacheRoot)) {
    const path = join(cacheRoot, name);
    if (path !== keep && !name.endsWith('.lock') && Date.now() - statSync(path).mtimeMs > 24 * 3_600_000) rmSync(path, { recursive: true, force: true });
  }
}

/** The lowest Node version the root package's `engines` field allows (`>=22.15.0` → `22.15.0`). */
export function lowestSupportedNode(): string {
  const range = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
  const match = /^>=\s*(\d+\.\d+\.\d+)$/.exec(range.trim());
  if (match?.[1] === undefined) throw new Error(`engines.node ${JSON.stringify(range)} is not of the form >=X.Y.Z`);
  return match[1];
}

/**
 * A Node binary of exactly `version`, installed from the npm registry's `node`
 * package into ~/.cache/flo-telemetry/node/<version> on first use.
 */
export function nodeBinary(version: string): string {
  const dir = join(homedir(), '.cache/flo-telemetry/node', version);
  const binary = join(dir, 'node_modules/node/bin/node');
  const works = (): boolean => existsSync(binary) && run(binary, ['--version'], { cwd: dir }).stdout.trim() === `v${version}`;
  if (works()) return binary;
  mkdirSync(dir, { recursive: true });
  return withLock(`${dir}.lock`, () => {
    if (works()) return binary;
    // The package downloads the binary in its install script; allow it explicitly.
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ private: true, allowScripts: { node: true } }, null, 2)}\n`);
    mustRun('npm', ['install', '--no-audit', '--no-fund', '--no-save', `node@${version}`], dir);
    if (!works()) throw new Error(`npm installed node@${version} into ${dir}, but ${binary} does not report v${version}`);
    return binary;
  });
}
