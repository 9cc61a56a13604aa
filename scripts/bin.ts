#!/usr/bin/env node
/**
 * The `flo-semconv` command (the generator package's bin). It always runs the
 * generator: no "am I the main module" check, which Node 22.15–22.17 cannot
 * answer through `import.meta.main`.
 */
import { BIN_PROGRAM, main } from './generate.ts';

process.exitCode = main(process.argv.slice(2), BIN_PROGRAM);
