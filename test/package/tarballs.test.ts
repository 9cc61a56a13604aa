/**
 * What `npm pack` puts in the two tarballs: a licence in each, no source maps
 * pointing at sources that are not shipped, the generator only in its own
 * package, and the two versions in lockstep (generated code calls the
 * runtime's support API of the same version).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { packages, ROOT, type Packages } from './support/packages.ts';

let built: Packages;
beforeAll(() => {
  built = packages();
}, 600_000);

const manifest = (path: string) =>
  JSON.parse(readFileSync(join(ROOT, path), 'utf8')) as {
    name: string;
    version: string;
    license: string;
    engines: { node: string };
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
    peerDependencies: Record<string, string>;
  };

describe.each(['runtime', 'generator'] as const)('the %s tarball', (which) => {
  const files = () => built[which].files.map((file) => file.path);

  it('ships the MIT licence of the flo telemetry kit authors', () => {
    expect(files()).toContain('LICENSE');
    const licence = readFileSync(join(ROOT, 'LICENSE'), 'utf8');
    expect(licence).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} the flo telemetry kit authors\n/);
    expect(manifest('package.json').license).toBe('MIT');
  });

  it('ships no source maps (their sources are not shipped)', () => {
    expect(files().filter((path) => path.endsWith('.map'))).toEqual([]);
  });

  it('ships no TypeScript sources beside its JavaScript, only declarations', () => {
    expect(files().filter((path) => path.endsWith('.ts') && !path.endsWith('.d.ts'))).toEqual([]);
  });
});

describe('the split between the packages', () => {
  it('the runtime carries no generator code and depends on neither ts-morph nor a YAML parser', () => {
    expect(built.runtime.files.map((file) => file.path).filter((path) => path.startsWith('dist/scripts/'))).toEqual([]);
    for (const generatorOnly of ['ts-morph', 'js-yaml', 'yaml']) expect(Object.keys(manifest('package.json').dependencies)).not.toContain(generatorOnly);
  });

  it('the generator carries its bin and depends on ts-morph and yaml (one YAML parser), each at the range this repository tests it with', () => {
    expect(built.generator.files.map((file) => file.path)).toContain('dist/scripts/bin.js');
    const root = manifest('package.json');
    const { dependencies } = manifest('scripts/package.json');
    expect(Object.keys(dependencies)).toEqual(expect.arrayContaining(['ts-morph', 'yaml']));
    expect(Object.keys(dependencies)).not.toContain('js-yaml');
    for (const [name, range] of Object.entries(dependencies)) {
      // The API is the runtime's peer; everything else the repository installs as a devDependency.
      const tested = name === '@opentelemetry/api' ? root.peerDependencies[name] : root.devDependencies[name];
      expect(range, name).toBe(tested);
    }
  });

  it('both have one version, one engines range, and the generator names the runtime of its version as peer', () => {
    const runtime = manifest('package.json');
    const generator = manifest('scripts/package.json');
    expect(built.runtime).toMatchObject({ name: runtime.name, version: runtime.version });
    expect(built.generator).toMatchObject({ name: generator.name, version: runtime.version });
    expect(generator.engines).toEqual(runtime.engines);
    expect(generator.peerDependencies).toEqual({ [runtime.name]: runtime.version });
  });
});
