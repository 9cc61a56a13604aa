/**
 * One generator run in a process of its own, so its peak memory is its own:
 * `node bench/generator-child.ts load|render <registry> [scopeName]` prints
 * `{ ms, maxRssMb, attributes }`.
 */
import { renderDocs } from '../scripts/codegen/docs.ts';
import { renderTypeScript } from '../scripts/codegen/typescript.ts';
import { loadSpec } from '../scripts/semconv/load.ts';

const [mode, registry] = process.argv.slice(2) as ['load' | 'render', string];
const started = performance.now();
const spec = loadSpec(registry, { scopeName: 'bench', scopeVersion: '1.0.0' });
if (mode === 'render') {
  renderTypeScript(spec, { runtimeImport: '@flo-ai/telemetry-kit/runtime' });
  renderDocs(spec);
}
const ms = performance.now() - started;
console.log(JSON.stringify({ ms, maxRssMb: process.resourceUsage().maxRSS / 1024, attributes: spec.attributes.length }));
