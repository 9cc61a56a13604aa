/**
 * The vendored GenAI development registry (semconv/.upstream/semconv-genai-dev) and the part of
 * semantic conventions v1.44.0 it depends on (semconv/.upstream/semconv-v1.44.0): the first is the
 * pinned snapshot unmodified but for its dependency path, the second exactly the closure
 * scripts/vendor-upstream-semconv.ts computes for it, and both are reached from the repository root
 * (Weaver) and from the snapshot's manifest folder (the kit's generator).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSpec } from '../../scripts/semconv/load.ts';
import { REFERENCE, referenceRegistry } from '../support/reference.ts';
import { REPO_ROOT } from '../support/weaver.ts';

const SNAPSHOT = join(REPO_ROOT, 'semconv/.upstream/semconv-genai-dev');
const V1_44 = join(REPO_ROOT, 'semconv/.upstream/semconv-v1.44.0');
const pinned = referenceRegistry(REFERENCE.semconvGenai);
const pinnedV1_44 = referenceRegistry(REFERENCE.semconv.replace('v1.41.1', 'v1.44.0'));

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && !relative(dir, entry.parentPath).split('/').some((part) => part.startsWith('.')))
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

describe.skipIf(pinned === undefined)('the vendored GenAI development snapshot', () => {
  it('is the pinned snapshot, file for file, but for the dependency path of its manifest', () => {
    const files = filesUnder(join(SNAPSHOT, 'model'));
    expect(files).toEqual(filesUnder(pinned!));
    for (const file of files.filter((f) => f !== 'manifest.yaml')) {
      expect(readFileSync(join(SNAPSHOT, 'model', file), 'utf8'), file).toBe(readFileSync(join(pinned!, file), 'utf8'));
    }
    const ours = readFileSync(join(SNAPSHOT, 'model/manifest.yaml'), 'utf8');
    const theirs = readFileSync(join(pinned!, 'manifest.yaml'), 'utf8');
    expect(ours).toBe(theirs.replace('registry_path: ../../semconv/v1.44.0/model', 'registry_path: .upstream/semconv-v1.44.0/model'));
    expect(readFileSync(join(SNAPSHOT, 'PROVENANCE.md'), 'utf8')).toContain('../../semconv/v1.44.0/model');
  });

  it('loads with its dependency, resolved from its manifest folder as from the repository root', () => {
    const spec = loadSpec(join(SNAPSHOT, 'model'));
    expect(spec.metrics.map((m) => m.metricName)).toContain('gen_ai.client.inference.usage.cache_write.input_tokens');
    // error.type comes from the dependency, through model/.upstream -> ../..
    expect(spec.attributes.find((a) => a.id === 'error.type')?.dependency).toBe('https://opentelemetry.io/schemas/1.44.0');
    expect(readdirSync(join(REPO_ROOT, '.upstream/semconv-v1.44.0/model')).sort()).toEqual(readdirSync(join(SNAPSHOT, 'model/.upstream/semconv-v1.44.0/model')).sort());
  });
});

describe.skipIf(pinnedV1_44 === undefined)('the vendored part of semantic conventions v1.44.0', () => {
  it("is exactly the closure over the snapshot's uses and the start folders, as PROVENANCE.md lists it, without v1.44.0's GenAI stubs", () => {
    const run = spawnSync(
      process.execPath,
      [
        join(REPO_ROOT, 'scripts/vendor-upstream-semconv.ts'),
        join(pinnedV1_44!, '..'),
        ...['--tag', 'v1.44.0', '--commit', 'e10a930844c6951757a43b849d364f7d056ac32b', '--date', '2026-08-04'],
        ...['--seed', join(SNAPSHOT, 'model'), '--out', V1_44, '--folders', 'error,server,deployment,service,exceptions,host,os,telemetry,otel', '--dry-run'],
      ],
      { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 },
    );
    expect(run.stderr).toBe('');
    const listed = run.stdout.split('\n').filter((line) => line.startsWith('  ')).map((line) => line.trim());
    const onDisk = filesUnder(join(V1_44, 'model'));
    expect(listed).toEqual(onDisk);
    expect(onDisk.filter((file) => file.startsWith('gen-ai/') || file.startsWith('openai/'))).toEqual([]);
    for (const file of onDisk) expect(readFileSync(join(V1_44, 'model', file), 'utf8'), file).toBe(readFileSync(join(pinnedV1_44!, file), 'utf8'));
    const provenance = readFileSync(join(V1_44, 'PROVENANCE.md'), 'utf8');
    expect(provenance.match(/^- `model\/(.+)`$/gm)?.map((line) => line.slice(9, -1))).toEqual(onDisk);
  });
});
