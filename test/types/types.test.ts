/**
 * The generated types enforce the spec at compile time: tsc must accept the
 * fixture, whose every `@ts-expect-error` marks a call the spec forbids.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Project } from 'ts-morph';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const FIXTURE = join(ROOT, 'test/types/fixtures/recorders.ts');

function tsc(project: string) {
  const result = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '--noEmit', '--pretty', 'false', '-p', project], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return { code: result.status, output: result.stdout + result.stderr };
}

describe('generated types', () => {
  it('reject every call the fixture marks as an error, and accept the rest', () => {
    const result = tsc(join(ROOT, 'test/types/tsconfig.json'));
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  });

  it('the fixture still holds its negative cases', () => {
    const markers = readFileSync(FIXTURE, 'utf8').match(/^\s*\/\/ @ts-expect-error /gm) ?? [];
    expect(markers).toHaveLength(15);
  });
});

describe('open enums in an editor', () => {
  it('offer their known members as completions and accept other strings; closed ones refuse them', () => {
    const project = new Project({ tsConfigFilePath: join(ROOT, 'test/types/tsconfig.json'), skipAddingFilesFromTsConfig: true });
    const text = [
      "import { recordGenAiClientTokenUsage, recordLlmRequestsTotal } from '../../../src/generated/index.ts';",
      "recordGenAiClientTokenUsage(1, { genAiOperationName: 'chat', genAiProviderName: 'ollama', genAiTokenType: '' });",
      "recordLlmRequestsTotal(1, { model: 'm', provider: 'p', status: '' });",
    ].join('\n');
    const file = project.createSourceFile(join(ROOT, 'test/types/fixtures/completion.ts'), text, { overwrite: true });
    const completionsAt = (marker: string): string[] => {
      const position = text.indexOf(marker) + marker.length;
      return (project.getLanguageService().compilerObject.getCompletionsAtPosition(file.getFilePath(), position, {})?.entries ?? []).map((entry) => entry.name);
    };
    // Inside the quotes of an open enum: its members are offered (and 'ollama' above compiled).
    expect(completionsAt("genAiTokenType: '")).toEqual(expect.arrayContaining(['input', 'output']));
    expect(completionsAt("status: '")).toEqual(expect.arrayContaining(['start', 'success', 'error']));
    // The open enum took '' and 'ollama'; only the closed one refuses its empty string.
    const messages = project
      .getPreEmitDiagnostics()
      .filter((d) => d.getSourceFile()?.getFilePath() === file.getFilePath())
      .map((d) => { const m = d.getMessageText(); return typeof m === 'string' ? m : m.getMessageText(); });
    expect(messages).toEqual([expect.stringMatching(/'""' is not assignable to type 'StatusValue'/)]);
  }, 60_000);
});
