/**
 * Test isolation for code that reads `process.env` and the OpenTelemetry
 * API globals: every test starts without FLO_* / OTEL_* variables and with
 * telemetry shut down, and the environment is restored afterwards.
 */
import { diag, type DiagLogger } from '@opentelemetry/api';
import { inspect } from 'node:util';
import { afterEach, beforeEach } from 'vitest';
import { shutdownTelemetry } from '../../src/runtime/configure.ts';

const KIT_VARIABLE = /^(OTEL_|FLO_)/;

/** Registers hooks: no FLO_ or OTEL_ variables during each test, telemetry stopped after it. */
export function useCleanTelemetryState(): void {
  let saved: NodeJS.ProcessEnv = {};
  beforeEach(() => {
    saved = { ...process.env };
    for (const name of Object.keys(process.env)) {
      if (KIT_VARIABLE.test(name)) delete process.env[name];
    }
  });
  afterEach(async () => {
    await shutdownTelemetry();
    diag.disable();
    for (const name of Object.keys(process.env)) {
      if (!(name in saved)) delete process.env[name];
    }
    Object.assign(process.env, saved);
  });
}

export interface CapturedDiagnostics {
  readonly logger: DiagLogger;
  /** Every call, each rendered as one line (message plus inspected arguments). */
  readonly lines: string[];
  text(): string;
}

/** A diag logger that records everything it is given, for `diagLogger:`. */
export function captureDiagLines(): CapturedDiagnostics {
  const lines: string[] = [];
  const record =
    (level: string) =>
    (message: string, ...args: unknown[]): void => {
      const rendered = args.map((arg) => (typeof arg === 'string' ? arg : inspect(arg, { depth: 8 })));
      lines.push([`${level}: ${message}`, ...rendered].join(' '));
    };
  return {
    logger: {
      error: record('error'),
      warn: record('warn'),
      info: record('info'),
      debug: record('debug'),
      verbose: record('verbose'),
    },
    lines,
    text: () => lines.join('\n'),
  };
}
