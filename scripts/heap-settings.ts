/**
 * The V8 heap settings the `flo-semconv` bin runs the generator with.
 *
 * Printing TypeScript from a large registry allocates gigabytes of short-lived
 * objects (ts-morph's printers and writers) while what stays alive is about
 * 100 MB. With V8's defaults the young generation grows to semi-spaces of tens
 * of MB and the old generation grows far ahead of what survives, so the
 * process peaked at 390–460 MB at 30,000 attributes. Semi-spaces of 8 MB and a
 * 10 % heap growth step make V8 collect sooner: about 260 MB, for roughly a
 * quarter more time on the largest registries (2 MB semi-spaces saved a little
 * more memory for half again the time). bench/RESULTS.md, section 8, has both
 * figures. Both flags exist on every Node the engines field allows.
 */
export const GENERATOR_V8_FLAGS: readonly string[] = ['--max-semi-space-size=8', '--heap-growing-percent=10'];

/** Whether a process started with `execArgv` already runs with the generator's heap settings. */
export function hasGeneratorHeapSettings(execArgv: readonly string[]): boolean {
  return GENERATOR_V8_FLAGS.every((flag) => execArgv.includes(flag));
}

/**
 * The arguments that start `script` again with the heap settings: the settings first, so
 * flags the user gave Node themselves (after them) win.
 */
export function argumentsWithHeapSettings(script: string, execArgv: readonly string[], args: readonly string[]): string[] {
  return [...GENERATOR_V8_FLAGS, ...execArgv, script, ...args];
}
