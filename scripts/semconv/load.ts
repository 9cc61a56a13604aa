/**
 * Loads a semantic-convention registry folder as Weaver does: the manifest
 * (`manifest.yaml`, or the legacy `registry_manifest.yaml`) at its root,
 * every other `*.yaml` file below it (hidden folders and symbolic links
 * skipped), in the `groups:` or `definition/2` format, and each dependency
 * the manifest names, found relative to the manifest's folder or else to the
 * working directory (as Weaver finds it). Every file is read and every
 * problem collected before anything is generated.
 */
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { manifestPathIn, MANIFEST_FILES, parseManifest, type Manifest, type ManifestDependency } from './manifest.ts';
import type { DependencyInfo, InstrumentationScope, Spec } from './model.ts';
import { parseRegistryFile } from './parse.ts';
import { Problems, SpecError, type Problem } from './problems.ts';
import { Registry } from './registry.ts';
import { resolveSpec } from './resolve.ts';
import { parseYamlFile } from './yaml-reader.ts';

export interface LoadOptions {
  /** Instrumentation scope name and version, instead of those the manifest implies. */
  readonly scopeName?: string;
  readonly scopeVersion?: string;
  /** Warnings are errors (`--strict`). */
  readonly strict?: boolean;
  /** Receives the warnings, sorted, when the registry loads (with errors they come in the SpecError). */
  readonly warnings?: Problem[];
  /** Receives a line for each dependency read: which folder, found relative to what. */
  readonly notes?: string[];
}

/** Loads, resolves and validates the registry in `dir`; throws SpecError listing every problem. */
export function loadSpec(dir: string, options: LoadOptions = {}): Spec {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`spec folder ${dir} does not exist`);
  const problems = new Problems({ strict: options.strict });
  const notes: string[] = [];
  const { registry, manifest, hasManifest } = loadRegistry(dir, undefined, problems, [], notes);
  const scope = scopeOf(dir, hasManifest, manifest, options, problems);
  const dependencies: DependencyInfo[] = (manifest?.dependencies ?? []).map((d) => ({ name: d.name, schemaUrl: d.schemaUrl, registryPath: d.registryPath }));
  const resolved = resolveSpec(scope, dependencies, registry, problems);
  if (problems.hasErrors) throw new SpecError(problems.sorted());
  options.warnings?.push(...problems.sorted());
  options.notes?.push(...notes);
  const location = { file: displayPath(join(dir, MANIFEST_FILES[0])), line: 1, column: 1 };
  return { ...resolved, folder: realpathSync(dir), annotations: manifest?.annotations ?? {}, annotationsLocation: manifest?.annotationsLocation ?? location };
}

function loadRegistry(dir: string, dependency: string | undefined, problems: Problems, chain: readonly string[], notes: string[]): { registry: Registry; manifest?: Manifest; hasManifest: boolean } {
  const manifestPath = manifestPathIn(dir);
  const manifest = manifestPath === undefined ? undefined : parseManifest(parseYamlFile(displayPath(manifestPath), readFileSync(manifestPath, 'utf8'), problems), dir, problems);
  const files = registryFiles(dir).map((path) => parseRegistryFile(parseYamlFile(displayPath(path), readFileSync(path, 'utf8'), problems), problems));
  const here = realpathSync(dir);
  const dependencies: Registry[] = [];
  const unreadDependencies = [...(manifest?.unreadDependencies ?? [])];
  for (const entry of manifest?.dependencies ?? []) {
    const folder = realpathSync(entry.folder);
    if (chain.includes(folder) || folder === here) {
      problems.add(entry.location, 'cyclic-dependency', `dependency ${entry.folder} depends back on ${dir}`);
      unreadDependencies.push(entry.name ?? entry.registryPath);
      continue;
    }
    notes.push(`dependency ${entry.name ?? entry.schemaUrl}: ${displayPath(entry.folder)}, registry_path ${entry.registryPath} read ${BASES[entry.base]}`);
    const loaded = loadRegistry(entry.folder, entry.schemaUrl, problems, [...chain, here], notes).registry;
    dependencies.push(loaded);
    unreadDependencies.push(...loaded.unreadDependencies);
  }
  const registry = new Registry({ dependency, files, dependencies, unreadDependencies }, problems);
  return { registry, manifest, hasManifest: manifestPath !== undefined };
}

function scopeOf(dir: string, hasManifest: boolean, manifest: Manifest | undefined, options: LoadOptions, problems: Problems): InstrumentationScope {
  const name = options.scopeName ?? manifest?.name;
  const version = options.scopeVersion ?? manifest?.version;
  // A manifest that exists but is broken has reported its own problem.
  if (!hasManifest && (name === undefined || version === undefined)) {
    problems.add(
      { file: displayPath(join(dir, MANIFEST_FILES[0])), line: 1, column: 1 },
      'missing-manifest',
      `the registry has no ${MANIFEST_FILES.join(' or ')} to name its instrumentation scope: add one with schema_url, or pass --scope-name and --scope-version`,
    );
  }
  return { name: name ?? '?', version: version ?? '?', schemaUrl: manifest?.schemaUrl };
}

/** Every registry file below `dir`, sorted; the manifest, hidden folders and symbolic links are skipped, as Weaver skips them. */
export function registryFiles(dir: string): string[] {
  const found: string[] = [];
  const walk = (folder: string, top: boolean): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      if (entry.name.startsWith('.') || entry.isSymbolicLink()) continue;
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path, false);
      else if (entry.isFile() && /\.ya?ml$/.test(entry.name) && !(top && (MANIFEST_FILES as readonly string[]).includes(basename(path)))) found.push(path);
    }
  };
  walk(dir, true);
  return found.sort();
}

const BASES: Record<ManifestDependency['base'], string> = {
  'manifest folder': "relative to the manifest's folder",
  'working directory': "relative to the working directory (not found relative to the manifest's folder)",
  'absolute path': 'as an absolute path',
};

/** Paths in messages are relative to where the command runs, when that is shorter. */
function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? path : rel;
}
