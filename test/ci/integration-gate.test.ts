/**
 * The integration suite's gate: with Docker it runs; without, a laptop skips
 * saying what is missing, and CI fails instead of passing without Jaeger.
 */
import { describe, expect, it, vi } from 'vitest';
import { integrationDecision } from '../integration/support/jaeger.ts';

const NO_DOCKER = 'the integration tests need a Docker engine, and none answers';

describe('the integration gate', () => {
  it('runs the suite when Docker answers, in CI or not', () => {
    expect(integrationDecision(undefined, { CI: 'true' })).toBe(true);
    expect(integrationDecision(undefined, {})).toBe(true);
  });

  it('fails in CI without Docker, naming the cause', () => {
    expect(() => integrationDecision(NO_DOCKER, { CI: 'true' })).toThrow(/CI=true: the integration tests need a Docker engine/);
  });

  it('skips on a laptop without Docker, and says what is missing', () => {
    const warn = vi.fn();
    expect(integrationDecision(NO_DOCKER, {}, warn)).toBe(false);
    expect(warn).toHaveBeenCalledWith(`Skipping integration tests: ${NO_DOCKER}`);
  });
});
