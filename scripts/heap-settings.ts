/**
 * The V8 heap settings the `flo-semconv` bin runs the generator with.
 *
 * Reading a large registry (the `yaml` package's syntax nodes) and printing
 * its TypeScript (ts-morph's printers and writers) allocate far more
 * short-lived objects than stay alive. With V8's defaults the young
 * generation grows to its largest semi-spaces and the old generation grows
 * far ahead of what survives: 10,000 attributes peaked at 393 MB, over the
 * 300 MB DESIGN.md allows. Semi-spaces of 8 MB and a 10 % heap growth step
 * make V8 collect sooner: 231 MB, for about half again the time.
 * bench/RESULTS.md, section 6, has both figures. Both flags exist on every
 * Node the engines field allows.
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
