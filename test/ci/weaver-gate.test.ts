/**
 * The Weaver tests' gate: with Weaver they run; without, a laptop skips saying what is missing,
 * and CI fails instead of passing without having checked the spec.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { REPO_ROOT, weaverDecision, weaverPath, weaverProblem } from '../support/weaver.ts';

const NO_WEAVER = 'the Weaver tests need OpenTelemetry Weaver 0.25.1, and nothing is at /nowhere/weaver';

describe('the Weaver gate', () => {
  it('runs the tests when Weaver is there, in CI or not', () => {
    expect(weaverDecision(undefined, { CI: 'true' })).toBe(true);
    expect(weaverDecision(undefined, {})).toBe(true);
  });

  it('fails in CI without Weaver, naming the cause', () => {
    expect(() => weaverDecision(NO_WEAVER, { CI: 'true' })).toThrow(/CI=true: the Weaver tests need OpenTelemetry Weaver 0\.25\.1, and nothing is at \/nowhere\/weaver/);
  });

  it('skips on a laptop without Weaver, and says what is missing', () => {
    const warn = vi.fn();
    expect(weaverDecision(NO_WEAVER, {}, warn)).toBe(false);
    expect(warn).toHaveBeenCalledWith(`Skipping Weaver tests: ${NO_WEAVER}`);
  });
});

describe('where Weaver is looked for', () => {
  it('is WEAVER when set, else ../shared/tools/weaver beside the repository', () => {
    expect(weaverPath({ WEAVER: '/opt/weaver/bin/weaver' })).toBe('/opt/weaver/bin/weaver');
    expect(weaverPath({ WEAVER: 'bin/weaver' })).toBe(resolve('bin/weaver'));
    expect(weaverPath({}, '/work/main')).toBe('/work/shared/tools/weaver');
    expect(weaverPath({}, REPO_ROOT)).toBe(resolve(REPO_ROOT, '..', 'shared', 'tools', 'weaver'));
  });

  describe('what is missing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'flo-weaver-gate-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('says nothing is there, and how to get Weaver', () => {
      const problem = weaverProblem(join(dir, 'absent'));
      expect(problem).toContain(`nothing is at ${join(dir, 'absent')}`);
      expect(problem).toContain('WEAVER=');
      expect(problem).toContain('cargo install --git https://github.com/open-telemetry/weaver --tag v0.25.1 weaver');
      expect(problem).toContain('otel/weaver');
    });

    it('says a file is not executable', () => {
      const path = join(dir, 'not-executable');
      writeFileSync(path, '#!/bin/sh\n');
      chmodSync(path, 0o644);
      // root may execute anything with an x bit only; without any x bit access() refuses it too.
      expect(weaverProblem(path)).toContain(`${path} is not executable`);
    });

    it('says a program that is not Weaver fails --version', () => {
      const path = join(dir, 'broken');
      writeFileSync(path, '#!/bin/sh\necho "no such option" >&2\nexit 2\n');
      chmodSync(path, 0o755);
      expect(weaverProblem(path)).toContain(`${path} --version failed (no such option)`);
    });

    it('is nothing when an executable answers --version', () => {
      const path = join(dir, 'weaver');
      writeFileSync(path, '#!/bin/sh\necho "weaver 0.25.1"\n');
      chmodSync(path, 0o755);
      expect(weaverProblem(path)).toBeUndefined();
    });
  });
});
