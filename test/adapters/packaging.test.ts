/**
 * The frameworks are optional peers: the kit's main entry point neither imports the adapters nor
 * loads a framework, so an application that uses neither installs neither. The adapters are
 * published at their own subpaths (test/package/consumer.test.ts installs the packed tarball and
 * uses both).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, it } from 'vitest';
import { reachable, REPO } from '../support/import-graph.ts';

const manifest = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
  exports: Record<string, { default: string }>;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
};

it('no module the main entry point reaches is an adapter', () => {
  const files = [...reachable([join(REPO, 'src/index.ts')])].map((file) => file.slice(REPO.length + 1));
  expect(files.length).toBeGreaterThan(20);
  expect(files.filter((file) => file.startsWith('src/adapters/'))).toEqual([]);
});

it('importing the main entry point and tracing a call loads no framework module', () => {
  // A child process, so that no module this test runner loaded counts: every module Node loads is listed.
  const script = `
    import { registerHooks } from 'node:module';
    const loaded = [];
    registerHooks({ load(url, context, next) { loaded.push(url); return next(url, context); } });
    const kit = await import(${JSON.stringify(pathToFileURL(join(REPO, 'src/index.ts')).href)});
    kit.traceLlmCall({ provider: 'openai', model: 'gpt-4o' }, () => 'ok');
    console.log(JSON.stringify(loaded));
  `;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: REPO, encoding: 'utf8' });
  expect(child.stderr).toBe('');
  const loaded = JSON.parse(child.stdout) as string[];
  // The hook sees the kit's modules and the packages they load.
  expect(loaded.some((url) => url.includes('/src/runtime/'))).toBe(true);
  expect(loaded.some((url) => url.includes('node_modules/@opentelemetry/api/'))).toBe(true);
  expect(loaded.filter((url) => /node_modules\/(@langchain|@openai\/agents|langsmith|zod)\//.test(url) || url.includes('/src/adapters/'))).toEqual([]);
});

it('publishes each adapter at its subpath, its framework an optional peer', () => {
  expect(manifest.exports['./langchain']?.default).toBe('./dist/src/adapters/langchain/index.js');
  expect(manifest.exports['./openai-agents']?.default).toBe('./dist/src/adapters/openai-agents/index.js');
  for (const framework of ['@langchain/core', '@openai/agents-core']) {
    expect(manifest.peerDependencies[framework], framework).toBeDefined();
    expect(manifest.peerDependenciesMeta[framework], framework).toEqual({ optional: true });
  }
});
