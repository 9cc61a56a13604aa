/**
 * The spec is a registry OpenTelemetry Weaver accepts: `weaver registry check -r semconv`, run from
 * the repository root as CI and developers run it, reports no diagnostic at all (no error, no
 * warning). Weaver exits 0 on warnings, so the diagnostics are read, not only the exit code.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { availableWeaver, REPO_ROOT, weaverCheck, type WeaverCheck } from '../support/weaver.ts';

const weaver = availableWeaver();

/** What a failing assertion prints: the messages, not the JSON. */
const messages = (check: WeaverCheck) => [...check.diagnostics.map((d) => `${d.diagnostic.severity ?? 'Error'}: ${d.diagnostic.message}`), ...check.otherLines];

describe.skipIf(!weaver)('weaver registry check -r semconv', () => {
  it('passes with no diagnostic, from the repository root', () => {
    const check = weaverCheck(weaver!, REPO_ROOT, 'semconv');
    expect(messages(check)).toEqual([]);
    expect(check.status).toBe(0);
    // The dependency was found through the root `.upstream` symlink, not skipped.
    expect(check.output).toContain('.upstream/semconv-v1.41.1/model');
  });

  describe('can fail: a copy of the registry with one broken file', () => {
    let dir: string | undefined;
    afterEach(() => {
      if (dir) rmSync(dir, { recursive: true, force: true });
      dir = undefined;
    });

    /** The spec copied into a temporary repository root, with the same `.upstream` symlink, and `file` edited. */
    function brokenCopy(file: string, edit: (text: string) => string): string {
      dir = mkdtempSync(join(tmpdir(), 'flo-weaver-'));
      cpSync(join(REPO_ROOT, 'semconv'), join(dir, 'semconv'), { recursive: true });
      symlinkSync('semconv/.upstream', join(dir, '.upstream'));
      const path = join(dir, 'semconv', file);
      const before = readFileSync(path, 'utf8');
      const after = edit(before);
      expect(after).not.toBe(before);
      writeFileSync(path, after);
      return dir;
    }

    it('the unbroken copy passes, so what follows is the edit', () => {
      const check = weaverCheck(weaver!, brokenCopy('agent.yaml', (t) => `${t}\n`), 'semconv');
      expect(messages(check)).toEqual([]);
    });

    it('finds an error (an instrument Weaver does not know) and exits 1', () => {
      const check = weaverCheck(weaver!, brokenCopy('agent.yaml', (t) => t.replace('instrument: counter', 'instrument: meter')), 'semconv');
      expect(check.status).toBe(1);
      expect(check.diagnostics.length).toBeGreaterThan(0);
      expect(messages(check).join('\n')).toContain('"meter"');
    });

    it('finds a warning (an attribute without stability) although Weaver exits 0', () => {
      const check = weaverCheck(
        weaver!,
        brokenCopy('agent.yaml', (t) => t.replace(/(- id: agent\.name\n(?:.*\n)*?) {8}stability: development\n/, '$1')),
        'semconv',
      );
      expect(check.status).toBe(0);
      expect(messages(check)).toEqual([expect.stringMatching(/^Warning: .*attribute_id='agent\.name'.*Missing stability field/)]);
    });
  });
});
