/**
 * Loads a spec folder: `registry_manifest.yaml` names the instrumentation
 * scope, every other `*.yaml` file holds `groups`. All files are read and
 * every problem collected before anything is generated.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { InstrumentationScope, Spec } from './model.ts';
import { MANIFEST_KEYS, parseGroups, type RawGroup } from './parse.ts';
import { Problems, SpecError } from './problems.ts';
import { resolveSpec } from './resolve.ts';
import { MapReader, parseYamlFile, type YamlFile } from './yaml-reader.ts';

export const MANIFEST_FILE = 'registry_manifest.yaml';

/** Loads and validates the spec in `dir`; throws SpecError listing every problem. */
export function loadSpec(dir: string): Spec {
  const problems = new Problems();
  const files = specFiles(dir).map((path) => parseYamlFile(displayPath(path), readFileSync(path, 'utf8'), problems));
  const manifest = files.find((file) => file.path.endsWith(MANIFEST_FILE));
  const scope = manifest ? parseManifest(manifest, problems) : undefined;
  if (manifest === undefined) {
    problems.add({ file: displayPath(join(dir, MANIFEST_FILE)), line: 1, column: 1 }, 'missing-manifest', `the spec folder has no ${MANIFEST_FILE}`);
  }
  const groups: RawGroup[] = files.filter((file) => file !== manifest).flatMap((file) => parseGroups(file, problems));
  const spec = resolveSpec(scope ?? { name: '?', version: '?' }, groups, problems);
  if (!problems.isEmpty) throw new SpecError(problems.sorted());
  return spec;
}

function specFiles(dir: string): string[] {
  if (!existsSync(dir)) throw new Error(`spec folder ${dir} does not exist`);
  return readdirSync(dir)
    .filter((name) => name.endsWith('.yaml') || name.endsWith('.yml'))
    .sort()
    .map((name) => join(dir, name));
}

function parseManifest(file: YamlFile, problems: Problems): InstrumentationScope | undefined {
  if (file.root === null) return undefined;
  const reader = new MapReader(file, file.root, 'the registry manifest', MANIFEST_KEYS, problems);
  const name = reader.string('name', { required: true });
  const version = reader.string('version', { required: true });
  if (name === undefined || version === undefined) return undefined;
  return { name, version, schemaUrl: reader.string('schema_url') };
}

/** Paths in messages are relative to where the command runs, when that is shorter. */
function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? path : rel;
}
