/**
 * The registry manifest (`manifest.yaml`, or the legacy
 * `registry_manifest.yaml`): the registry's schema URL, from which the
 * instrumentation scope's name and version derive, and its dependencies.
 */
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { SourceLocation } from './model.ts';
import type { Problems } from './problems.ts';
import { parseAnnotations } from './parse-common.ts';
import { isMap, MapReader, type Node, type YamlFile } from './yaml-reader.ts';

export const MANIFEST_FILES = ['manifest.yaml', 'registry_manifest.yaml'] as const;
// `annotations` is the kit's (Weaver ignores keys it does not know): see docs/spec-format.md, "Observations and conventions".
const MANIFEST_KEYS = ['schema_url', 'description', 'stability', 'dependencies', 'name', 'version', 'semconv_version', 'schema_base_url', 'annotations'];
const DEPENDENCY_KEYS = ['name', 'schema_url', 'registry_path'];

export interface ManifestDependency {
  readonly name?: string;
  readonly schemaUrl: string;
  /** As written in the manifest. */
  readonly registryPath: string;
  /** The folder read: `registry_path` resolved against the manifest's folder, or else the working directory. */
  readonly folder: string;
  /** What a relative `registry_path` was resolved against. */
  readonly base: 'manifest folder' | 'working directory' | 'absolute path';
  readonly location: SourceLocation;
}

export interface Manifest {
  readonly schemaUrl?: string;
  /** Scope name and version: the legacy keys, else the schema URL's last two path segments. */
  readonly name?: string;
  readonly version?: string;
  readonly dependencies: readonly ManifestDependency[];
  /** Dependencies that cannot be read (remote, missing), by name or path: what refers into them stays unresolved. */
  readonly unreadDependencies: readonly string[];
  /** The manifest's `annotations` (the kit's are under `flo`), and where they stand. */
  readonly annotations: Readonly<Record<string, unknown>>;
  readonly annotationsLocation: SourceLocation;
  readonly location: SourceLocation;
}

export function parseManifest(file: YamlFile, dir: string, problems: Problems): Manifest | undefined {
  const location = { file: file.path, line: 1, column: 1 };
  if (file.root === null || !isMap(file.root)) {
    problems.add(location, 'invalid-manifest', `the registry manifest ${file.path} is empty or not a mapping: it needs at least "schema_url" (like https://example.com/schemas/my_library/1.0.0)`);
    return undefined;
  }
  const reader = new MapReader(file, file.root, 'the registry manifest', MANIFEST_KEYS, problems);
  const schemaUrl = reader.string('schema_url');
  const fromUrl = schemaUrl === undefined ? undefined : splitSchemaUrl(schemaUrl, reader.locationOf('schema_url'), problems);
  const name = reader.string('name') ?? fromUrl?.name;
  const version = reader.string('version') ?? reader.string('semconv_version') ?? fromUrl?.version;
  if (schemaUrl === undefined && (name === undefined || version === undefined)) {
    problems.add(reader.location, 'missing-key', 'the registry manifest needs "schema_url" (like https://example.com/schemas/my_library/1.0.0)');
  }
  reader.string('description');
  reader.string('stability');
  reader.string('schema_base_url');
  const unreadDependencies: string[] = [];
  const dependencies = reader.sequence('dependencies').map((node) => parseDependency(file, node, dir, problems, unreadDependencies));
  const annotations = parseAnnotations(reader, problems);
  const annotationsLocation = reader.has('annotations') ? reader.locationOf('annotations') : reader.location;
  return {
    schemaUrl,
    name,
    version,
    dependencies: dependencies.filter((d): d is ManifestDependency => d !== undefined),
    unreadDependencies,
    annotations,
    annotationsLocation,
    location: reader.location,
  };
}

/** `https://host/path/<name>/<version>`: Weaver reads the version as the last segment. */
function splitSchemaUrl(url: string, location: SourceLocation, problems: Problems): { name: string; version: string } | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    problems.add(location, 'invalid-schema-url', `schema_url "${url}" is not a URL`);
    return undefined;
  }
  const segments = parsed.pathname.split('/').filter((segment) => segment !== '');
  const version = segments.at(-1);
  if (version === undefined) {
    problems.add(location, 'invalid-schema-url', `schema_url "${url}" needs a path ending in the version, like https://example.com/schemas/my_library/1.0.0`);
    return undefined;
  }
  return { name: segments.at(-2) ?? parsed.hostname, version };
}

function parseDependency(file: YamlFile, node: Node, dir: string, problems: Problems, unread: string[]): ManifestDependency | undefined {
  const reader = new MapReader(file, node, 'a dependency of the registry manifest', DEPENDENCY_KEYS, problems);
  const schemaUrl = reader.string('schema_url', { required: true });
  const registryPath = reader.string('registry_path', { required: true });
  const name = reader.string('name');
  if (schemaUrl === undefined || registryPath === undefined) {
    unread.push(name ?? registryPath ?? schemaUrl ?? '?');
    return undefined;
  }
  const location = reader.locationOf('registry_path');
  if (/^[a-z]+:\/\//i.test(registryPath) || registryPath.includes('.git@') || registryPath.endsWith('.git')) {
    problems.add(location, 'remote-dependency', `registry_path "${registryPath}" is remote; the generator reads local folders only: vendor the registry (see docs/spec-format.md) and point registry_path at its folder`);
    unread.push(name ?? registryPath);
    return undefined;
  }
  // First relative to the manifest's folder, so the registry reads the same from any working
  // directory; then, as Weaver 0.25 reads it, relative to the working directory: registries laid
  // out for Weaver (run from their repository's root) load unchanged.
  const candidates = isAbsolute(registryPath)
    ? [{ folder: registryPath, base: 'absolute path' as const }]
    : [
        { folder: resolve(dir, registryPath), base: 'manifest folder' as const },
        { folder: resolve(registryPath), base: 'working directory' as const },
      ];
  const found = candidates.find((candidate) => existsSync(candidate.folder) && statSync(candidate.folder).isDirectory());
  if (found === undefined) {
    const tried = isAbsolute(registryPath)
      ? `${registryPath} does not exist`
      : `"${registryPath}" is a folder neither relative to the manifest's folder (${resolve(dir, registryPath)}) nor to the working directory (${resolve(registryPath)})`;
    problems.add(location, 'missing-dependency', `dependency ${name ?? schemaUrl}: ${tried}`);
    unread.push(name ?? registryPath);
    return undefined;
  }
  return { name, schemaUrl, registryPath, folder: found.folder, base: found.base, location };
}

export function manifestPathIn(dir: string): string | undefined {
  return MANIFEST_FILES.map((name) => join(dir, name)).find((path) => existsSync(path));
}
