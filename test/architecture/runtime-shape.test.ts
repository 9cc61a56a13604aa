/**
 * The shape of the runtime and the helpers (issue 24): no import circle; no helper decides which
 * names it writes by reading a mode, and no conversion between units is written by hand, because
 * both come from the tables generated from the spec (src/generated/conventions.ts, the span
 * descriptors' `conventions`), which the session's binding selects.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importCircles, REPO } from '../support/import-graph.ts';

const sources = (dir: string): string[] =>
  readdirSync(join(REPO, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();

/**
 * What records telemetry values: the helpers, and the runtime modules that write span attributes
 * and metric points. rules.ts is left out on purpose: it defines the selections the tables are
 * indexed by (and the one conversion rule the generator writes out), so it names the modes.
 */
const RECORDING = ['src/instrumentation', 'src/runtime/attributes.ts', 'src/runtime/spans.ts', 'src/runtime/metrics.ts', 'src/runtime/events.ts', 'src/runtime/bind.ts', 'src/runtime/binding.ts'];
const filesOf = (path: string): string[] => (path.endsWith('.ts') ? [join(REPO, path)] : sources(path));

/** Lines of hand-written source (not generated) that match `pattern`, as `file:line: text`. */
function matches(paths: readonly string[], pattern: RegExp): string[] {
  return paths.flatMap(filesOf).flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .flatMap((line, index) => (pattern.test(line) && !/^\s*(\*|\/\/)/.test(line) ? [`${relative(REPO, file)}:${index + 1}: ${line.trim()}`] : [])),
  );
}

describe('imports', () => {
  it('the runtime has no import circle, type imports included', () => {
    expect(importCircles(sources('src/runtime'))).toEqual([]);
  });

  it('nor has the package as a whole (runtime, generated code, helpers, conformance)', () => {
    expect(importCircles(sources('src'))).toEqual([]);
  });

  it('the import graph helper finds a circle when there is one', () => {
    // Guards the two tests above against a helper that finds nothing: src/index.ts and a module it imports, put in a circle by hand.
    const graph = importCircles([join(REPO, 'test/architecture/fixtures/circle-a.ts'), join(REPO, 'test/architecture/fixtures/circle-b.ts')]);
    expect(graph).toEqual([['test/architecture/fixtures/circle-a.ts', 'test/architecture/fixtures/circle-b.ts', 'test/architecture/fixtures/circle-a.ts']]);
  });
});

describe('lean', () => {
  it('the semantic-convention names the runtime needs are generated from the spec: no @opentelemetry/semantic-conventions (its incubating entry alone is about 10 MB)', () => {
    expect(matches(['src'], /@opentelemetry\/semantic-conventions/)).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(Object.keys(manifest.dependencies)).not.toContain('@opentelemetry/semantic-conventions');
  });
});

describe('conventions are data', () => {
  it('no helper or runtime module reads a conventions mode: the session’s tables decide', () => {
    const modeReads = /\bemits(Flo|GenAi)\b|emittedConventions|currentPolicies|conventions\s*[!=]==\s*'(flo|gen_ai|both)'|'(flo|gen_ai|both)'\s*[!=]==\s*\w*[cC]onventions/;
    expect(matches(RECORDING, modeReads)).toEqual([]);
  });

  it('no unit is converted by hand: the factors come from the spec’s units, in generated code', () => {
    expect(matches(RECORDING, /\/\s*1000\b|\*\s*0?\.001\b|MS_PER_SECOND|1e-?3\b/)).toEqual([]);
  });
});
