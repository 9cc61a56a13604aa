/**
 * The pinned official registries the generator is proven against. They live
 * in `../shared/reference/` beside the checkout (on every developer machine
 * and in CI); elsewhere the tests that need them skip saying what is missing,
 * and in CI they fail, as the Jaeger tests do.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gate, type Env } from './gate.ts';

const shared = (path: string): string => fileURLToPath(new URL(`../../../shared/reference/${path}`, import.meta.url));

export const REFERENCE = {
  /** semantic-conventions v1.41.1, `groups:` format, the GenAI model included. */
  semconv: shared('semconv/v1.41.1/model'),
  /** semantic-conventions-genai development snapshot, `definition/2`, depending on v1.44.0. */
  semconvGenai: shared('semconv-genai/model'),
} as const;

/** The folder when present; undefined (after saying why) to skip; throws in CI, which must never skip. */
export function referenceRegistry(path: string, env: Env = process.env, warn = console.warn): string | undefined {
  const problem = existsSync(path) ? undefined : `the pinned official registry ${path} is missing (it ships in ../shared/reference beside the checkout)`;
  return gate(problem, 'the tests that need it', env, warn) ? path : undefined;
}
