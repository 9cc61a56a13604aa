#!/usr/bin/env node
/**
 * The generator: semantic-convention YAML in, typed TypeScript recorders and
 * markdown reference out. Usable on any spec folder:
 *
 *   node scripts/generate.ts [--spec DIR] [--out DIR] [--docs DIR]
 *                            [--runtime-import SPECIFIER] [--check]
 *
 * Exit codes: 0 done (or up to date), 1 the spec has problems or (with
 * --check) generated files are stale, 2 wrong usage or an I/O failure.
 */
import { parseArgs } from 'node:util';
import { DOCS_HEADER, renderDocs } from './codegen/docs.ts';
import { plannedChanges, writeOutputs, type OutputFolder } from './codegen/output.ts';
import { GENERATED_MARKER, renderTypeScript } from './codegen/typescript.ts';
import { diffSpecs, specAtRevision, type SpecChange } from './semconv/diff.ts';
import { loadSpec } from './semconv/load.ts';
import { formatProblem, SpecError } from './semconv/problems.ts';

export const DEFAULTS = {
  spec: 'semconv',
  out: 'src/generated',
  docs: 'docs',
  runtimeImport: '@flo-ai/telemetry-kit/runtime',
} as const;

/** How the kit's own generated code reaches the runtime beside it (see package.json scripts). */
export const KIT_RUNTIME_IMPORT = '../runtime/support.ts';

export interface GenerateOptions {
  readonly spec: string;
  readonly out: string;
  readonly docs: string;
  readonly runtimeImport: string;
}

const USAGE = `usage: generate [--spec DIR] [--out DIR] [--docs DIR] [--runtime-import SPECIFIER] [--check | --diff BASELINE]
  --spec DIR                 folder of semantic-convention YAML (default ${DEFAULTS.spec})
  --out DIR                  folder for the generated TypeScript (default ${DEFAULTS.out})
  --docs DIR                 folder for the generated markdown (default ${DEFAULTS.docs})
  --runtime-import SPECIFIER module the generated code imports its runtime from
                             (default ${DEFAULTS.runtimeImport}; the kit itself uses ${KIT_RUNTIME_IMPORT})
  --check                    change nothing; exit 1 naming each stale file
  --diff BASELINE            change nothing; compare the spec with an earlier one (a folder, or
                             git:REVISION for the spec folder at that revision) and exit 1 when
                             any change is breaking`;

/** Renders every output folder in memory; throws SpecError when the spec is invalid. */
export function renderOutputs(options: GenerateOptions): OutputFolder[] {
  const spec = loadSpec(options.spec);
  return [
    { dir: options.out, files: renderTypeScript(spec, { runtimeImport: options.runtimeImport }), header: GENERATED_MARKER },
    { dir: options.docs, files: renderDocs(spec), header: DOCS_HEADER },
  ];
}

function main(argv: string[]): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        spec: { type: 'string', default: DEFAULTS.spec },
        out: { type: 'string', default: DEFAULTS.out },
        docs: { type: 'string', default: DEFAULTS.docs },
        'runtime-import': { type: 'string', default: DEFAULTS.runtimeImport },
        check: { type: 'boolean', default: false },
        diff: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    }).values;
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (parsed.help) {
    console.log(USAGE);
    return 0;
  }
  const options = { spec: parsed.spec, out: parsed.out, docs: parsed.docs, runtimeImport: parsed['runtime-import'] };
  try {
    if (parsed.diff !== undefined) return diff(options.spec, parsed.diff);
    const folders = renderOutputs(options);
    return parsed.check ? check(folders) : write(folders);
  } catch (error) {
    if (error instanceof SpecError) {
      for (const problem of error.problems) console.error(formatProblem(problem));
      console.error(`generate: ${error.problems.length} problem(s) in ${options.spec}; nothing was written`);
      return 1;
    }
    console.error(`generate: ${(error as Error).message}; nothing was written`);
    return 2;
  }
}

function diff(specDir: string, baseline: string): number {
  const baselineDir = baseline.startsWith('git:') ? specAtRevision(specDir, baseline.slice('git:'.length)) : baseline;
  const changes = diffSpecs(loadSpec(baselineDir), loadSpec(specDir));
  const line = (c: SpecChange) => `${c.breaking ? 'breaking' : 'compatible'}: ${c.subject}: ${c.description}`;
  for (const c of changes) (c.breaking ? console.error : console.log)(line(c));
  const breaking = changes.filter((c) => c.breaking).length;
  console.log(`generate --diff ${baseline}: ${breaking} breaking, ${changes.length - breaking} compatible change(s)`);
  return breaking > 0 ? 1 : 0;
}

function check(folders: OutputFolder[]): number {
  const changes = plannedChanges(folders);
  for (const change of changes) console.error(`stale: ${change.path} (would ${change.kind})`);
  if (changes.length > 0) {
    console.error('generate --check: generated files differ from the spec; run `npm run generate`');
    return 1;
  }
  console.log('generate --check: generated files are up to date');
  return 0;
}

function write(folders: OutputFolder[]): number {
  const changes = writeOutputs(folders);
  const verbs = { create: 'wrote', update: 'wrote', delete: 'removed' } as const;
  for (const change of changes) console.log(`${verbs[change.kind]} ${change.path}`);
  console.log(changes.length === 0 ? 'generate: everything up to date' : `generate: ${changes.length} file(s) changed`);
  return 0;
}

if (import.meta.main) process.exitCode = main(process.argv.slice(2));
