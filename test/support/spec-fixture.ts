/**
 * Small spec folders written to a temporary directory, for generator tests.
 */
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

export const MANIFEST = 'schema_url: https://example.com/schemas/fixture/1.2.3\n';
export const MANIFEST_FILE = 'manifest.yaml';

/** A valid one-file registry: one attribute group, one span, one counter, one histogram. */
export const VALID_SPEC = `groups:
  - id: registry.demo
    type: attribute_group
    brief: Demo attributes.
    stability: development
    attributes:
      - id: demo.name
        type: string
        brief: A name.
        stability: development
        examples: [alpha]
        requirement_level: required
      - id: demo.mode
        type:
          members:
            - id: fast
              value: fast
              stability: development
            - id: slow
              value: slow
              stability: development
        brief: A mode.
        stability: development
        examples: [fast]
  - id: span.demo.run
    type: span
    span_kind: internal
    brief: A demo run.
    stability: development
    annotations:
      flo:
        span_name: demo.{demo.name}.run
    attributes:
      - ref: demo.name
      - ref: demo.mode
  - id: metric.demo.runs
    type: metric
    metric_name: demo.runs
    instrument: counter
    unit: '{run}'
    brief: Demo runs.
    stability: development
    attributes:
      - ref: demo.name
  - id: metric.demo.duration
    type: metric
    metric_name: demo.duration
    instrument: histogram
    unit: s
    brief: Demo duration.
    stability: development
    annotations:
      flo:
        explicit_bucket_boundaries: [0.1, 1, 10]
    attributes:
      - ref: demo.mode
`;

export function makeTempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `flo-${prefix}-`));
}

/** Writes a spec folder: the manifest (unless given as null) and the named files. */
export function writeSpec(files: Record<string, string | null>): string {
  const dir = makeTempDir('spec');
  const all: Record<string, string | null> = { [MANIFEST_FILE]: MANIFEST, ...files };
  for (const [name, text] of Object.entries(all)) {
    if (text === null) continue;
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

/** Every file below `dir` with its content, to compare a folder before and after a run. */
export function snapshotFolder(dir: string): Record<string, string> {
  const result: Record<string, string> = {};
  const walk = (current: string): void => {
    for (const name of readdirSync(current)) {
      const path = join(current, name);
      if (statSync(path).isDirectory()) walk(path);
      else result[relative(dir, path)] = readFileSync(path, 'utf8');
    }
  };
  walk(dir);
  return result;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export function ensureDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}
