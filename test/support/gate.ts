/**
 * The rule every test that needs something outside the repository follows
 * (a Docker engine, Weaver, the pinned registries beside the checkout): run
 * when it is there; when it is not, fail in CI, which must never pass without
 * it, and skip elsewhere, saying what is missing.
 */
export type Env = Readonly<Record<string, string | undefined>>;

/** True to run; false (after saying why) to skip; throws in CI. `what` names the skipped tests. */
export function gate(problem: string | undefined, what: string, env: Env = process.env, warn = console.warn): boolean {
  if (problem === undefined) return true;
  if (env.CI) throw new Error(`CI=${env.CI}: ${problem}`);
  warn(`Skipping ${what}: ${problem}`);
  return false;
}
