/**
 * One generator run in a process of its own, so its peak memory is its own:
 * `node bench/generator-child.ts load|render <registry> [scopeName]` prints
 * `{ ms, maxRssMb, attributes }`. A load run does not import the renderers
 * (ts-morph and the TypeScript compiler weigh about 60 MB before any work),
 * so its peak is what loading costs.
 */
import { loadSpec } from '../scripts/semconv/load.ts';

const [mode, registry] = process.argv.slice(2) as ['load' | 'render', string];
const renderers = mode === 'render' ? await Promise.all([import('../scripts/codegen/typescript.ts'), import('../scripts/codegen/docs.ts')]) : undefined;
const started = performance.now();
const spec = loadSpec(registry, { scopeName: 'bench', scopeVersion: '1.0.0' });
if (renderers !== undefined) {
  const [{ renderTypeScript }, { renderDocs }] = renderers;
  renderTypeScript(spec, { runtimeImport: '@flo-ai/telemetry-kit/runtime' });
  renderDocs(spec);
}
const ms = performance.now() - started;
console.log(JSON.stringify({ ms, maxRssMb: process.resourceUsage().maxRSS / 1024, attributes: spec.attributes.length }));
