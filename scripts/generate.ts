#!/usr/bin/env node
/**
 * The generator: semantic-convention YAML in, typed TypeScript recorders and
 * markdown reference out. Usable on any spec folder:
 *
 *   npx flo-semconv [--spec DIR] [--out DIR] [--docs DIR] [--runtime-import SPECIFIER]
 *                   [--import-extension js|ts] [--check | --diff BASELINE]
 *
 * (`node scripts/generate.ts …` in this repository; `flo-semconv` is bin.ts.)
 *
 * Exit codes: 0 done (or up to date), 1 the spec has problems or (with
 * --check) generated files are stale, 2 wrong usage or an I/O failure.
 */
import { realpathSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildConventions, optInFolder } from './codegen/conventions.ts';
import { DOCS_HEADER, docFiles, EARLIER_DOCS_HEADERS } from './codegen/docs.ts';
import { plannedChanges, writeOutputs, type OutputFolder } from './codegen/output.ts';
import { EARLIER_GENERATED_MARKERS, GENERATED_MARKER, typeScriptFiles } from './codegen/typescript.ts';
import { diffSpecs, specAtRevision, type SpecChange } from './semconv/diff.ts';
import { loadSpec } from './semconv/load.ts';
import { formatProblem, SpecError, type Problem } from './semconv/problems.ts';
import type { Spec } from './semconv/model.ts';

export const DEFAULTS = {
  spec: 'semconv',
  out: 'src/generated',
  docs: 'docs',
  runtimeImport: '@flo-ai/telemetry-kit/runtime',
  importExtension: 'js',
} as const;

/** The command a consumer regenerates with; the program quoted in generated headers. */
export const BIN_PROGRAM = 'npx flo-semconv';

/** How the kit's own generated code reaches the runtime beside it (see package.json scripts). */
export const KIT_RUNTIME_IMPORT = '../runtime/support.ts';

export interface GenerateOptions {
  readonly spec: string;
  readonly out: string;
  readonly docs: string;
  readonly runtimeImport: string;
  /** `js` (default): specifiers any nodenext or bundler project compiles; `ts`: for type-stripping setups. */
  readonly importExtension?: 'js' | 'ts';
  /** Instrumentation scope name and version, instead of what the registry manifest implies. */
  readonly scopeName?: string;
  readonly scopeVersion?: string;
  /** Warnings (a unit outside UCUM, a name outside the naming rule) are errors. */
  readonly strict?: boolean;
}

/** Exactly what `npm run generate` does in this repository (its program and options). */
export const KIT_PROGRAM = 'node scripts/generate.ts';
export const KIT_OPTIONS: GenerateOptions = { ...DEFAULTS, runtimeImport: KIT_RUNTIME_IMPORT, importExtension: 'ts' };

/** How messages name the command that was run: `flo-semconv`, or `node scripts/generate.ts` here. */
export function commandName(program: string): string {
  return program.replace(/^npx\s+/, '');
}

const usage = (name: string): string => `usage: ${name} [--spec DIR] [--out DIR] [--docs DIR] [--runtime-import SPECIFIER] [--import-extension js|ts]
       ${' '.repeat(name.length)} [--scope-name NAME --scope-version VERSION] [--strict] [--check | --diff BASELINE]
  --spec DIR                 folder of semantic-convention YAML (default ${DEFAULTS.spec})
  --out DIR                  folder for the generated TypeScript (default ${DEFAULTS.out})
  --docs DIR                 folder for the generated markdown (default ${DEFAULTS.docs})
  --runtime-import SPECIFIER module the generated code imports its runtime from
                             (default ${DEFAULTS.runtimeImport}; the kit itself uses ${KIT_RUNTIME_IMPORT})
  --import-extension js|ts   extension of the imports between generated files (default js, what
                             nodenext and bundler projects compile; ts for type-stripping setups
                             with rewriteRelativeImportExtensions, as the kit itself uses)
  --scope-name NAME          instrumentation scope name (default: from the manifest's schema_url,
                             https://host/…/<name>/<version>); needed for a registry without manifest
  --scope-version VERSION    instrumentation scope version (default: the schema_url's version)
  --strict                   treat warnings as errors: units outside UCUM, names outside the
                             semantic conventions' naming rule
  --check                    change nothing; exit 1 naming each stale file
  --diff BASELINE            change nothing; compare the spec with an earlier one (a folder, or
                             git:REVISION for the spec folder at that revision) and exit 1 when
                             any change is breaking`;

/** What loading the spec has to say besides errors. */
export interface LoadReport {
  /** Rules the spec breaks that do not stop generation. */
  readonly warnings: Problem[];
  /** Which folder each dependency was read from. */
  readonly notes: string[];
}

/**
 * Loads the spec and returns every output folder with its files' renderers (each file is
 * rendered when written or checked); throws SpecError when the spec is invalid, and puts its
 * warnings and notes in `report`. `program` starts the regenerate command quoted in each file's
 * header.
 */
export function renderOutputs(options: GenerateOptions, program: string = BIN_PROGRAM, report?: LoadReport): OutputFolder[] {
  const loaded = loadSpec(options.spec, { scopeName: options.scopeName, scopeVersion: options.scopeVersion, strict: options.strict, warnings: report?.warnings, notes: report?.notes });
  const { spec, model, optInSpecs } = buildConventions(loaded);
  const regenerateCommand = regenerateCommandOf(options, program);
  const typescript = { runtimeImport: options.runtimeImport, importExtension: options.importExtension ?? DEFAULTS.importExtension, regenerateCommand };
  // A relative runtime import is one folder further up from an opt-in's subfolder.
  const optInTypescript = { ...typescript, runtimeImport: options.runtimeImport.startsWith('.') ? `../${options.runtimeImport}` : options.runtimeImport };
  return [
    { dir: options.out, files: typeScriptFiles(spec, typescript, model), header: GENERATED_MARKER, earlierHeaders: EARLIER_GENERATED_MARKERS },
    ...optInSpecs.map(({ token, spec: optIn }) => ({
      dir: join(options.out, optInFolder(token)),
      files: typeScriptFiles(optIn, optInTypescript),
      header: GENERATED_MARKER,
      earlierHeaders: EARLIER_GENERATED_MARKERS,
    })),
    { dir: options.docs, files: docFiles(spec, { regenerateCommand }, model), header: DOCS_HEADER, earlierHeaders: EARLIER_DOCS_HEADERS },
  ];
}

/**
 * The command line that regenerates the output: paths relative to the working folder (the
 * folder to run it from), options that differ from the defaults, quoted for a POSIX shell.
 */
export function regenerateCommandOf(options: GenerateOptions, program: string = BIN_PROGRAM): string {
  const path = (given: string): string => {
    const fromHere = relative(process.cwd(), resolve(given));
    if (fromHere === '') return '.';
    return (isAbsolute(given) && (fromHere.startsWith('..') || isAbsolute(fromHere)) ? given : fromHere).split(sep).join('/');
  };
  const args = ['--spec', path(options.spec), '--out', path(options.out), '--docs', path(options.docs)];
  if (options.runtimeImport !== DEFAULTS.runtimeImport) args.push('--runtime-import', options.runtimeImport);
  const extension = options.importExtension ?? DEFAULTS.importExtension;
  if (extension !== DEFAULTS.importExtension) args.push('--import-extension', extension);
  if (options.scopeName !== undefined) args.push('--scope-name', options.scopeName);
  if (options.scopeVersion !== undefined) args.push('--scope-version', options.scopeVersion);
  return [program, ...args.map(shellQuote)].join(' ');
}

function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Runs the CLI; returns the exit code. `program` is how it was started, quoted in generated headers. */
export function main(argv: string[], program: string = BIN_PROGRAM): number {
  const name = commandName(program);
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        spec: { type: 'string', default: DEFAULTS.spec },
        out: { type: 'string', default: DEFAULTS.out },
        docs: { type: 'string', default: DEFAULTS.docs },
        'runtime-import': { type: 'string', default: DEFAULTS.runtimeImport },
        'import-extension': { type: 'string', default: DEFAULTS.importExtension },
        'scope-name': { type: 'string' },
        'scope-version': { type: 'string' },
        strict: { type: 'boolean', default: false },
        check: { type: 'boolean', default: false },
        diff: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    }).values;
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage(name)}`);
    return 2;
  }
  if (parsed.help) {
    console.log(usage(name));
    return 0;
  }
  const importExtension = parsed['import-extension'];
  if (importExtension !== 'js' && importExtension !== 'ts') {
    console.error(`--import-extension must be js or ts, not ${JSON.stringify(importExtension)}\n${usage(name)}`);
    return 2;
  }
  const options: GenerateOptions = {
    spec: parsed.spec,
    out: parsed.out,
    docs: parsed.docs,
    runtimeImport: parsed['runtime-import'],
    importExtension,
    scopeName: parsed['scope-name'],
    scopeVersion: parsed['scope-version'],
    strict: parsed.strict,
  };
  try {
    if (parsed.diff !== undefined) return diff(name, options.spec, parsed.diff);
    const report: LoadReport = { warnings: [], notes: [] };
    const folders = renderOutputs(options, program, report);
    for (const note of report.notes) console.log(`${name}: ${note}`);
    for (const warning of report.warnings) console.error(formatProblem(warning));
    return parsed.check ? check(name, folders, regenerateCommandOf(options, program)) : write(name, folders);
  } catch (error) {
    if (error instanceof SpecError) {
      for (const problem of error.problems) console.error(formatProblem(problem));
      console.error(`${name}: ${countOf(error.problems)} in ${options.spec}; nothing was written`);
      return 1;
    }
    console.error(`${name}: ${(error as Error).message}; nothing was written`);
    return 2;
  }
}

/** `2 errors and 1 warning`. */
function countOf(problems: readonly Problem[]): string {
  const count = (severity: Problem['severity']) => problems.filter((problem) => problem.severity === severity).length;
  const words = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const [errors, warnings] = [count('error'), count('warning')];
  return warnings === 0 ? words(errors, 'error') : `${words(errors, 'error')} and ${words(warnings, 'warning')}`;
}

function diff(name: string, specDir: string, baseline: string): number {
  const snapshot = baseline.startsWith('git:') ? specAtRevision(specDir, baseline.slice('git:'.length)) : undefined;
  let before: Spec | undefined;
  let after: Spec | undefined;
  try {
    // Both are loaded, so the problems of each are reported, each under the spec it belongs to.
    before = loadForDiff(name, snapshot?.dir ?? baseline, `the baseline ${baseline}`, snapshot?.origin);
    after = loadForDiff(name, specDir, `the spec ${specDir}`);
  } finally {
    snapshot?.dispose();
  }
  if (before === undefined || after === undefined) return 1;
  const changes = diffSpecs(before, after);
  const line = (c: SpecChange) => `${c.breaking ? 'breaking' : 'compatible'}: ${c.subject}: ${c.description}`;
  for (const c of changes) (c.breaking ? console.error : console.log)(line(c));
  const breaking = changes.filter((c) => c.breaking).length;
  console.log(`${name} --diff ${baseline}: ${breaking} breaking, ${changes.length - breaking} compatible change(s)`);
  return breaking > 0 ? 1 : 0;
}

/** Loads one side of a diff; on spec problems prints them, naming that side, and returns undefined. */
function loadForDiff(command: string, dir: string, name: string, origin: (file: string) => string = (file) => file): Spec | undefined {
  try {
    return loadSpec(dir);
  } catch (error) {
    if (!(error instanceof SpecError)) throw error;
    const located = (problem: Problem): Problem => ({ ...problem, location: { ...problem.location, file: origin(problem.location.file) } });
    for (const problem of error.problems) console.error(formatProblem(located(problem)));
    console.error(`${command} --diff: ${countOf(error.problems)} in ${name}; nothing was compared`);
    return undefined;
  }
}

function check(name: string, folders: OutputFolder[], regenerate: string): number {
  const changes = plannedChanges(folders);
  for (const change of changes) console.error(`stale: ${change.path} (would ${change.kind})`);
  if (changes.length > 0) {
    console.error(`${name} --check: generated files differ from the spec; regenerate them: ${regenerate}`);
    return 1;
  }
  console.log(`${name} --check: generated files are up to date`);
  return 0;
}

function write(name: string, folders: OutputFolder[]): number {
  const changes = writeOutputs(folders);
  const verbs = { create: 'wrote', update: 'wrote', delete: 'removed' } as const;
  for (const change of changes) console.log(`${verbs[change.kind]} ${change.path}`);
  console.log(changes.length === 0 ? `${name}: everything up to date` : `${name}: ${changes.length} file(s) changed`);
  return 0;
}

/**
 * True when Node was started with this file (`node scripts/generate.ts`). Not `import.meta.main`:
 * Node 22.15–22.17, inside the engines range, leave it undefined.
 */
function startedDirectly(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (startedDirectly()) process.exitCode = main(process.argv.slice(2), `node ${relative(process.cwd(), process.argv[1] ?? '').split(sep).join('/')}`);
