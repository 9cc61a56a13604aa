/**
 * A span whose registry gives no name template (every span of the official
 * registries: their names are described in prose) is named by the caller:
 * its generated `start…Span` and `with…Span` require `options.name`, and a
 * plain JavaScript call without one is reported instead of silently naming
 * the span after its group id.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeOutputs } from '../../scripts/codegen/output.ts';
import { renderOutputs } from '../../scripts/generate.ts';
import { bindHarness, captureDiagnostics } from '../support/harness.ts';
import { makeTempDir, MANIFEST, removeDir } from '../support/spec-fixture.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const REGISTRY = `file_format: definition/2
attributes:
  - key: zz.model
    type: string
    brief: The model.
    stability: development
spans:
  - type: zz.inference
    kind: client
    name:
      note: '{zz.operation} {zz.model}, as the caller knows them.'
    brief: A call to a model.
    stability: development
    attributes:
      - ref: zz.model
        requirement_level: required
`;

const TEMPLATED = `groups:
  - id: span.zz.named
    type: span
    span_kind: internal
    brief: A span named by its template.
    stability: development
    annotations:
      flo:
        span_name: zz.{zz.model}.named
    attributes:
      - ref: zz.model
        requirement_level: required
`;

let work = '';
let out = '';
let docs = '';
beforeAll(() => {
  work = makeTempDir('span-names');
  symlinkSync(join(ROOT, 'node_modules'), join(work, 'node_modules'));
  writeFileSync(join(work, 'package.json'), '{ "type": "module" }\n');
  const spec = join(work, 'spec');
  mkdirSync(spec);
  writeFileSync(join(spec, 'manifest.yaml'), MANIFEST);
  writeFileSync(join(spec, 'inference.yaml'), REGISTRY);
  writeFileSync(join(spec, 'named.yaml'), TEMPLATED);
  out = join(work, 'out');
  docs = join(work, 'docs');
  writeOutputs(renderOutputs({ spec, out, docs, runtimeImport: join(ROOT, 'src/runtime/support.ts') }));
});
afterAll(() => removeDir(work));

/** tsc's messages for a module using the generated helpers ('' when it compiles). */
function compile(code: string): string {
  const file = join(work, `use-${Date.now()}.ts`);
  writeFileSync(file, `import { startZzInferenceSpan, withZzInferenceSpan, startZzNamedSpan } from './out/index.js';\n${code}\n`);
  const config = join(work, `tsconfig-${Date.now()}.json`);
  const compilerOptions = { target: 'ES2023', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true, allowImportingTsExtensions: true, types: ['node'] };
  writeFileSync(config, JSON.stringify({ compilerOptions, files: [file] }));
  const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', config, '--pretty', 'false'], { encoding: 'utf8' });
  return tsc.status === 0 ? '' : tsc.stdout.replace(/^.*?\): /gm, '');
}

describe('a span with no name template', () => {
  it('cannot be started without a name: the generated types require options.name', () => {
    expect(compile("startZzInferenceSpan({ zzModel: 'm' }, { name: 'chat m' }).end();")).toBe('');
    expect(compile("withZzInferenceSpan({ zzModel: 'm' }, () => 1, { name: 'chat m' });")).toBe('');
    expect(compile("startZzInferenceSpan({ zzModel: 'm' });")).toMatch(/error TS2554: Expected 2 arguments, but got 1/);
    expect(compile("startZzInferenceSpan({ zzModel: 'm' }, {});")).toMatch(/error TS2345: [^]*Property 'name' is missing/);
    expect(compile("withZzInferenceSpan({ zzModel: 'm' }, () => 1);")).toMatch(/error TS2554: Expected 3 arguments, but got 2/);
    // A span with a template keeps its options optional.
    expect(compile("startZzNamedSpan({ zzModel: 'm' }).end();")).toBe('');
  });

  it('takes the name it is given, and one started without (plain JavaScript) takes its type and is reported', async () => {
    const harness = bindHarness();
    const diagnostics = captureDiagnostics();
    try {
      const generated = await import(join(out, 'index.ts'));
      generated.withZzInferenceSpan({ zzModel: 'm' }, () => undefined, { name: 'chat m' });
      generated.startZzInferenceSpan({ zzModel: 'm' }).end();
      expect((await harness.spans()).map((span) => span.name)).toEqual(['chat m', 'zz.inference']);
      expect(diagnostics.messages).toEqual([expect.stringMatching(/span\.zz\.inference: started without options\.name, which its registry leaves to the caller .*named "zz\.inference" instead/)]);
    } finally {
      diagnostics.restore();
      await harness.shutdown();
    }
  });

  it('is documented as named by the caller', () => {
    const spans = readFileSync(join(docs, 'spans.md'), 'utf8');
    expect(spans).toContain('required from the caller: `options.name` (the registry gives no name template)');
    expect(spans).toMatch(/\[`span\.zz\.inference`\]\(#spanzzinference\): named by the caller/);
    expect(spans).toContain('| `zz.{zz.model}.named` |');
  });
});
