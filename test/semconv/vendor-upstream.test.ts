/**
 * scripts/vendor-upstream-semconv.ts: the vendored dependency is exactly the closure the script
 * computes (nothing missing, nothing extra, PROVENANCE.md lists it), and a bump rewrites the
 * vendored folder and the manifest's dependency. The vendored copy itself serves as the upstream
 * checkout, so the test needs nothing outside the repository.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/weaver.ts';

const SCRIPT = join(REPO_ROOT, 'scripts/vendor-upstream-semconv.ts');
const VENDORED = join(REPO_ROOT, 'semconv/.upstream/semconv-v1.41.1');
const PINNED = ['--tag', 'v1.41.1', '--commit', 'ead83b9b0fa36540c1642fce46e874f002ac23f1', '--date', '2026-05-11'];

function vendor(args: readonly string[], cwd = REPO_ROOT) {
  const run = spawnSync(process.execPath, [SCRIPT, ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function yamlFilesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.yaml'))
    .map((e) => relative(dir, join(e.parentPath, e.name)).split('\\').join('/'))
    .sort();
}

describe('the vendored OpenTelemetry registry', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('is exactly the closure of the start folders and the spec, as PROVENANCE.md lists it', () => {
    const run = vendor([VENDORED, ...PINNED, '--dry-run']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const listed = run.stdout.split('\n').filter((l) => l.startsWith('  ')).map((l) => l.trim());
    const onDisk = yamlFilesUnder(join(VENDORED, 'model'));
    expect(listed).toEqual(onDisk);
    expect(onDisk).toHaveLength(37);
    const provenance = readFileSync(join(VENDORED, 'PROVENANCE.md'), 'utf8');
    expect(provenance.match(/^- `model\/(.+)`$/gm)?.map((l) => l.slice(9, -1))).toEqual(onDisk);
    expect(provenance).toContain('`ead83b9b0fa36540c1642fce46e874f002ac23f1`');
    expect(readFileSync(join(VENDORED, 'LICENSE'), 'utf8')).toContain('Apache License');
  });

  it('is reached from the repository root through the .upstream symlink, as from the manifest folder', () => {
    const manifest = readFileSync(join(REPO_ROOT, 'semconv/manifest.yaml'), 'utf8');
    const registryPath = /registry_path:\s*(\S+)/.exec(manifest)?.[1];
    expect(registryPath).toBe('.upstream/semconv-v1.41.1/model');
    expect(yamlFilesUnder(join(REPO_ROOT, registryPath!))).toEqual(yamlFilesUnder(join(REPO_ROOT, 'semconv', registryPath!)));
  });

  it('a bump replaces the vendored folder and points the manifest at the new tag', () => {
    dir = mkdtempSync(join(tmpdir(), 'flo-vendor-'));
    const spec = join(dir, 'semconv');
    cpSync(join(REPO_ROOT, 'semconv'), spec, { recursive: true, filter: (src) => !src.includes('.upstream') });
    // Pretend the spec was on an older release, with a stale vendored folder.
    const manifestPath = join(spec, 'manifest.yaml');
    writeFileSync(
      manifestPath,
      readFileSync(manifestPath, 'utf8').replace('schemas/1.41.1', 'schemas/1.40.0').replace('semconv-v1.41.1', 'semconv-v1.40.0'),
    );
    cpSync(VENDORED, join(spec, '.upstream/semconv-v1.40.0'), { recursive: true });

    const run = vendor([VENDORED, ...PINNED, '--spec', spec]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(existsSync(join(spec, '.upstream/semconv-v1.40.0'))).toBe(false);
    expect(yamlFilesUnder(join(spec, '.upstream/semconv-v1.41.1/model'))).toEqual(yamlFilesUnder(join(VENDORED, 'model')));
    expect(readFileSync(join(spec, '.upstream/semconv-v1.41.1/PROVENANCE.md'), 'utf8')).toBe(readFileSync(join(VENDORED, 'PROVENANCE.md'), 'utf8'));
    const manifest = readFileSync(manifestPath, 'utf8');
    expect(manifest).toContain('schema_url: https://opentelemetry.io/schemas/1.41.1');
    expect(manifest).toContain('registry_path: .upstream/semconv-v1.41.1/model');
    expect(manifest).toContain('schema_url: https://flo-ai.dev/schemas/flo_ai/0.1.0');
  });

  it('refuses, writing nothing, when the spec uses what the new tag does not define', () => {
    dir = mkdtempSync(join(tmpdir(), 'flo-vendor-'));
    const spec = join(dir, 'semconv');
    cpSync(join(REPO_ROOT, 'semconv'), spec, { recursive: true, filter: (src) => !src.includes('.upstream') });
    writeFileSync(join(spec, 'agent.yaml'), readFileSync(join(spec, 'agent.yaml'), 'utf8').replaceAll('ref: error.type', 'ref: error.kind'));
    const run = vendor([VENDORED, ...PINNED, '--spec', spec]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/agent\.yaml uses attribute "error\.kind", which v1\.41\.1 does not define/);
    expect(existsSync(join(spec, '.upstream'))).toBe(false);
  });

  it('does not take the old vendored copy under .upstream for the spec: what only it defines is still reported', () => {
    dir = mkdtempSync(join(tmpdir(), 'flo-vendor-'));
    const spec = join(dir, 'semconv');
    cpSync(join(REPO_ROOT, 'semconv'), spec, { recursive: true, filter: (src) => !src.includes('.upstream') });
    const stale = join(spec, '.upstream/semconv-v1.40.0/model/legacy');
    mkdirSync(stale, { recursive: true });
    writeFileSync(join(stale, 'registry.yaml'), 'groups:\n  - id: registry.legacy\n    type: attribute_group\n    brief: Gone upstream.\n    attributes:\n      - id: legacy.thing\n        type: string\n        brief: A thing.\n        stability: development\n');
    writeFileSync(join(spec, 'agent.yaml'), readFileSync(join(spec, 'agent.yaml'), 'utf8').replace('ref: error.type', 'ref: legacy.thing'));
    const run = vendor([VENDORED, ...PINNED, '--spec', spec]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/agent\.yaml uses attribute "legacy\.thing", which v1\.41\.1 does not define/);
  });
});
