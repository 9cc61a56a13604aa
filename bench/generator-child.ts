/**
 * One generator run in a process of its own, so its peak memory is its own:
 * `node [heap flags] bench/generator-child.ts load|generate <registry>` prints
 * `{ ms, maxRssMb, attributes }`. A load run reads, resolves and validates the
 * registry and does not import the renderers (ts-morph and the TypeScript
 * compiler weigh about 60 MB before any work), so its peak is what loading
 * costs. A generate run is what the flo-semconv bin's generator process does:
 * the CLI's main, writing the TypeScript and the docs into fresh folders.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSpec } from '../scripts/semconv/load.ts';

const SCOPE = ['--scope-name', 'bench', '--scope-version', '1.0.0'];
const [mode, registry] = process.argv.slice(2) as ['load' | 'generate', string];

async function generate(): Promise<void> {
  const { main } = await import('../scripts/generate.ts');
  const out = mkdtempSync(join(tmpdir(), 'flo-bench-out-'));
  try {
    const started = performance.now();
    const code = main(['--spec', registry, '--out', join(out, 'ts'), '--docs', join(out, 'docs'), ...SCOPE]);
    if (code !== 0) throw new Error(`the generator exited ${code} on ${registry}`);
    report(performance.now() - started, undefined);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function load(): void {
  const started = performance.now();
  const spec = loadSpec(registry, { scopeName: 'bench', scopeVersion: '1.0.0' });
  report(performance.now() - started, spec.attributes.length);
}

function report(ms: number, attributes: number | undefined): void {
  // The CLI prints what it wrote on stdout; the result goes last, on a line of its own.
  process.stdout.write(`\n${JSON.stringify({ ms, maxRssMb: process.resourceUsage().maxRSS / 1024, attributes })}\n`);
}

if (mode === 'generate') await generate();
else load();
