/**
 * The published packages in a fresh consumer project, as a framework author
 * uses them: `npm install` the runtime tarball (which must not pull the
 * generator's ts-morph and TypeScript), then the generator tarball as a dev
 * dependency, run `npx flo-semconv` on the consumer's own small spec, compile
 * the generated code with the consumer's TypeScript under `nodenext` and under
 * `bundler` (TypeScript 5.4, the oldest supported, this repository's, and the
 * newest major), and run the compiled application on the lowest supported Node
 * and the default one, checking the span and metrics it exports. The application
 * also checks, by type only, that the LLM helpers return what the wrapped call
 * returns: the `openai` and `@anthropic-ai/sdk` promise and stream types, with
 * their own members.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir } from '../support/spec-fixture.ts';
import { lowestSupportedNode, nodeBinary, packages, ROOT, run, type Packages, type Run } from './support/packages.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures');
/** The command the README and the generated headers give; the paths are the consumer's. */
const GENERATE = ['flo-semconv', '--spec', 'spec', '--out', 'src/telemetry', '--docs', 'docs/telemetry'];
const LOWEST = lowestSupportedNode();

const TYPESCRIPTS = [
  { label: 'TypeScript 5.4 (the consumer’s own, the oldest supported)', tsc: 'node_modules/typescript/bin/tsc' },
  { label: 'this repository’s TypeScript', tsc: join(ROOT, 'node_modules/typescript/bin/tsc') },
  { label: 'TypeScript 7 (the newest major)', tsc: 'node_modules/typescript-7/bin/tsc' },
];

const COMPILER_OPTIONS = { target: 'ES2022', strict: true, skipLibCheck: true, rootDir: 'src', types: [] };
const TSCONFIGS = {
  nodenext: { compilerOptions: { ...COMPILER_OPTIONS, module: 'NodeNext', moduleResolution: 'NodeNext', outDir: 'dist' }, include: ['src'] },
  bundler: { compilerOptions: { ...COMPILER_OPTIONS, module: 'ESNext', moduleResolution: 'Bundler', noEmit: true }, include: ['src'] },
} as const;

let built: Packages;
let consumer: string;
let runtimeOnly: { modules: string[]; bins: string[] };
let generated: Run;

/** Runs in the consumer; npm's own warnings (about the machine's npm configuration) are left out of stderr. */
function inConsumer(command: string, args: readonly string[]): Run {
  const result = run(command, args, { cwd: consumer });
  return { ...result, stderr: result.stderr.split('\n').filter((line) => !line.startsWith('npm warn ')).join('\n') };
}

function mustInConsumer(command: string, args: readonly string[]): Run {
  const result = inConsumer(command, args);
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.code}:\n${result.stdout}\n${result.stderr}`);
  return result;
}

/** Every package folder under node_modules (`@scope/name` for scoped ones). */
function installedPackages(): string[] {
  const modules = join(consumer, 'node_modules');
  return readdirSync(modules)
    .filter((name) => !name.startsWith('.'))
    .flatMap((name) => (name.startsWith('@') ? readdirSync(join(modules, name)).map((inner) => `${name}/${inner}`) : [name]))
    .sort();
}

/** The version of a package installed in this repository. */
function installedVersion(name: string): string {
  return (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

function rootManifest(): { dependencies: Record<string, string>; devDependencies: Record<string, string>; peerDependencies: Record<string, string> } {
  return JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as ReturnType<typeof rootManifest>;
}

beforeAll(() => {
  built = packages();
  consumer = makeTempDir('consumer');
  writeFileSync(join(consumer, 'package.json'), `${JSON.stringify({ name: 'acme-jobs', private: true, type: 'module' }, null, 2)}\n`);
  cpSync(join(FIXTURES, 'acme-spec'), join(consumer, 'spec'), { recursive: true });
  mkdirSync(join(consumer, 'src'));
  cpSync(join(FIXTURES, 'consumer/main.ts'), join(consumer, 'src/main.ts'));
  cpSync(join(FIXTURES, 'consumer/adapters.ts'), join(consumer, 'src/adapters.ts'));
  for (const [name, config] of Object.entries(TSCONFIGS)) writeFileSync(join(consumer, `tsconfig.${name}.json`), JSON.stringify(config, null, 2));

  // 1. What an application installs: the runtime, its API peer, and (for this test's exporters) the SDK packages it uses.
  const { dependencies, peerDependencies } = rootManifest();
  const sdk = ['@opentelemetry/sdk-trace', '@opentelemetry/sdk-metrics'].map((name) => `${name}@${dependencies[name]}`);
  mustInConsumer('npm', ['install', '--no-audit', '--no-fund', built.runtime.path, `@opentelemetry/api@${peerDependencies['@opentelemetry/api']}`, ...sdk]);
  runtimeOnly = { modules: installedPackages(), bins: existsSync(join(consumer, 'node_modules/.bin')) ? readdirSync(join(consumer, 'node_modules/.bin')) : [] };

  // 2. Where code is generated: the generator and the consumer's TypeScript, as dev dependencies; and the provider SDKs
  //    whose types the application checks the LLM helpers against (the versions this repository tests with).
  const sdks = ['openai', '@anthropic-ai/sdk'].map((name) => `${name}@${installedVersion(name)}`);
  mustInConsumer('npm', ['install', '--no-audit', '--no-fund', '--save-dev', built.generator.path, 'typescript@~5.4.0', 'typescript-7@npm:typescript@^7', ...sdks]);
  generated = inConsumer('npx', GENERATE);

  // 3. What an application that uses the adapters adds: the frameworks, at the ranges this repository tests them with.
  const { devDependencies } = rootManifest();
  const frameworks = ['@langchain/core', '@openai/agents-core', 'zod'].map((name) => `${name}@${devDependencies[name]}`);
  mustInConsumer('npm', ['install', '--no-audit', '--no-fund', ...frameworks]);
}, 600_000);

// The consumer's node_modules (two TypeScripts, the SDK, two frameworks) take a while to remove on a loaded machine.
afterAll(() => {
  if (consumer !== undefined) removeDir(consumer);
}, 120_000);

describe('a runtime-only install', () => {
  it('carries no generator weight: no ts-morph, no TypeScript, no generator, no bin', () => {
    expect(runtimeOnly.modules).toContain('@flo-ai/telemetry-kit');
    for (const heavy of ['ts-morph', '@ts-morph/common', 'typescript', '@flo-ai/telemetry-kit-generator']) {
      expect(runtimeOnly.modules, heavy).not.toContain(heavy);
    }
    // yaml may still arrive through @opentelemetry/sdk-node's configuration package, never through the kit.
    const installed = JSON.parse(readFileSync(join(consumer, 'node_modules/@flo-ai/telemetry-kit/package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(Object.keys(installed.dependencies)).not.toContain('ts-morph');
    expect(Object.keys(installed.dependencies)).not.toContain('yaml');
    expect(Object.keys(installed.dependencies)).not.toContain('js-yaml');
    expect(runtimeOnly.bins).not.toContain('flo-semconv');
    expect(runtimeOnly.bins).not.toContain('tsc');
  });

  it('installs no framework: the adapters\' frameworks are optional peers', () => {
    for (const framework of ['@langchain/core', '@openai/agents-core', '@openai/agents', 'langsmith']) expect(runtimeOnly.modules, framework).not.toContain(framework);
  });
});

describe('the framework adapters at their subpaths', () => {
  it('record a LangChain model run and an Agents SDK trace from the installed package', () => {
    compileApplication();
    const result = inConsumer(process.execPath, ['dist/adapters.js']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const exported = JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}') as { answer: string; spans: string[] };
    expect(exported.answer).toBe('Rainy.');
    expect(exported.spans).toEqual(['chat FakeListChatModel', 'execute_tool get_weather', 'invoke_agent triage', 'invoke_workflow Agent workflow']);
  }, 120_000);
});

describe('npx flo-semconv in the consumer', () => {
  it('generates the TypeScript and the docs', () => {
    expect(generated.stderr).toBe('');
    expect(generated.code).toBe(0);
    expect(readdirSync(join(consumer, 'src/telemetry'))).toEqual(expect.arrayContaining(['attributes.ts', 'index.ts', 'metrics.ts', 'scope.ts', 'spans.ts']));
    expect(readdirSync(join(consumer, 'docs/telemetry'))).toEqual(expect.arrayContaining(['attributes.md', 'metrics.md', 'spans.md']));
  });

  it('imports between generated files are .js specifiers, the runtime by its package name', () => {
    const index = readFileSync(join(consumer, 'src/telemetry/index.ts'), 'utf8');
    expect(index).toContain("export * from './metrics.js';");
    expect(index).not.toMatch(/from '\.\/\w+\.ts'/);
    expect(readFileSync(join(consumer, 'src/telemetry/metrics.ts'), 'utf8')).toContain("from '@flo-ai/telemetry-kit/runtime'");
  });

  it('headers tell the consumer the command that regenerates the files, and that command works', () => {
    const command = `npx ${GENERATE.join(' ')}`;
    expect(readFileSync(join(consumer, 'src/telemetry/metrics.ts'), 'utf8').split('\n')[1]).toContain(command);
    expect(readFileSync(join(consumer, 'docs/telemetry/metrics.md'), 'utf8').split('\n')[1]).toContain(command);
    const check = inConsumer('npx', [...GENERATE, '--check']);
    expect(check.stdout).toContain('up to date');
    expect(check.code).toBe(0);
  });

  it('the generator also runs by its package name (npx @flo-ai/telemetry-kit-generator) and on the lowest supported Node', () => {
    const byName = inConsumer('npx', ['@flo-ai/telemetry-kit-generator', ...GENERATE.slice(1), '--check']);
    expect(byName.stderr).toBe('');
    expect(byName.code).toBe(0);
    const lowest = inConsumer(nodeBinary(LOWEST), ['node_modules/.bin/flo-semconv', ...GENERATE.slice(1), '--check']);
    expect(lowest.stderr).toBe('');
    expect(lowest.code).toBe(0);
  });
});

describe.each(TYPESCRIPTS)('the generated code and the application compile with $label', ({ tsc }) => {
  it.each(Object.keys(TSCONFIGS))('under %s, with the refused calls refused', (mode) => {
    const result = inConsumer(process.execPath, [tsc, '-p', `tsconfig.${mode}.json`, '--noEmit']);
    expect(result.stdout + result.stderr).toBe('');
    expect(result.code).toBe(0);
  }, 120_000);
});

let compiled = false;
/** Compiles src/ to dist/ once, with the consumer's own TypeScript, as its build would. */
function compileApplication(): void {
  if (compiled) return;
  mustInConsumer(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.nodenext.json']);
  compiled = true;
}

describe.each([
  { label: `the lowest Node engines allows (${LOWEST})`, binary: () => nodeBinary(LOWEST) },
  { label: 'the default Node', binary: () => process.execPath },
])('the compiled application on $label', ({ binary }) => {
  it('exports the span and the metrics the consumer spec declares, under its scope', () => {
    compileApplication();
    const result = inConsumer(binary(), ['dist/main.js']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const exported = JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}') as {
      scope: string;
      spans: Array<{ name: string; scope: string; attributes: Record<string, unknown> }>;
      metrics: Array<{ name: string; unit: string; scope: string; points: Array<{ attributes: Record<string, unknown>; value: unknown }> }>;
    };
    expect(exported.scope).toBe('acme_jobs');
    expect(exported.spans).toEqual([
      { name: 'acme.job.nightly-report.run', scope: 'acme_jobs', attributes: { 'acme.job.name': 'nightly-report', 'acme.job.priority': 'high' } },
    ]);
    const byName = Object.fromEntries(exported.metrics.map((metric) => [metric.name, metric]));
    expect(byName['acme.jobs.completed']).toEqual({
      name: 'acme.jobs.completed',
      unit: '{job}',
      scope: 'acme_jobs',
      points: [{ attributes: { 'acme.job.name': 'nightly-report', 'acme.job.priority': 'high' }, value: 1 }],
    });
    expect(byName['acme.job.duration']).toMatchObject({
      unit: 's',
      scope: 'acme_jobs',
      points: [{ attributes: { 'acme.job.name': 'nightly-report' }, value: { count: 1, sum: 0.25 } }],
    });
  }, 120_000);
});
