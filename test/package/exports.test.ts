/**
 * The published entry points: every `exports` target is built from a source
 * module that exists, and the root entry carries each layer's API.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import * as kit from '../../src/index.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const manifest = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as {
  exports: Record<string, string | { types: string; default: string }>;
};

/** `./dist/src/runtime/index.js` is compiled from `src/runtime/index.ts`. */
const sourceOf = (built: string) => built.replace(/^\.\/dist\//, '').replace(/\.js$/, '.ts');

it.each(Object.entries(manifest.exports).filter(([, target]) => typeof target !== 'string'))(
  'export %s is built from an existing module',
  (_name, target) => {
    const { default: built } = target as { default: string };
    expect(existsSync(`${root}${sourceOf(built)}`)).toBe(true);
  },
);

it('the runtime package has no bin; the generator package\'s flo-semconv is built from the bin entry', () => {
  expect(manifest).not.toHaveProperty('bin');
  const generator = JSON.parse(readFileSync(`${root}scripts/package.json`, 'utf8')) as { bin: Record<string, string> };
  // scripts/dist/scripts/bin.js is compiled from scripts/bin.ts.
  expect(Object.entries(generator.bin).map(([name, built]) => [name, sourceOf(built)])).toEqual([['flo-semconv', 'scripts/bin.ts']]);
});

it('the root entry carries the runtime, the generated recorders, the helpers and the checker', () => {
  for (const name of ['configureTelemetry', 'shutdownTelemetry', 'getTracer', 'getMeter', 'recordLlmTokensTotal', 'startLlmGenerateSpan', 'traceLlmCall', 'traceWorkflow', 'checkConformance']) {
    expect(kit, name).toHaveProperty(name, expect.any(Function));
  }
});
