import type { SourceLocation } from './model.ts';

/**
 * An error stops generation; a warning is a rule the semantic conventions
 * advise but OpenTelemetry Weaver does not enforce (a unit outside UCUM, a
 * metric name outside the naming guidance): the registry still generates,
 * unless `--strict` makes warnings errors.
 */
export type Severity = 'error' | 'warning';

/** One thing wrong with the spec, at one place, under one named rule. */
export interface Problem {
  readonly location: SourceLocation;
  readonly rule: string;
  readonly message: string;
  readonly severity: Severity;
}

/**
 * Rules whose problem makes a whole dependency or file unreadable: everything
 * it defines then looks missing, so they are listed before the problems that
 * follow from them.
 */
const ROOT_CAUSES: ReadonlySet<string> = new Set([
  'missing-manifest',
  'invalid-manifest',
  'invalid-schema-url',
  'remote-dependency',
  'missing-dependency',
  'cyclic-dependency',
  'yaml-syntax',
  'duplicate-key',
  'unknown-file-format',
]);

/** Collects every problem of a run so that all are reported at once. */
export class Problems {
  readonly list: Problem[] = [];
  /** With `strict`, what would be a warning is an error. */
  private readonly strict: boolean;

  constructor(options: { readonly strict?: boolean } = {}) {
    this.strict = options.strict ?? false;
  }

  add(location: SourceLocation, rule: string, message: string): void {
    this.list.push({ location, rule, message, severity: 'error' });
  }

  /** A rule the registry breaks that does not stop generation (an error under `--strict`). */
  warn(location: SourceLocation, rule: string, message: string): void {
    this.list.push({ location, rule, message, severity: this.strict ? 'error' : 'warning' });
  }

  get hasErrors(): boolean {
    return this.list.some((problem) => problem.severity === 'error');
  }

  /**
   * Root causes first (an unreadable manifest, dependency or file), then
   * everything else; each part sorted by file, line and column, so output
   * reads top to bottom.
   */
  sorted(): Problem[] {
    return [...this.list].sort(
      (a, b) =>
        Number(ROOT_CAUSES.has(b.rule)) - Number(ROOT_CAUSES.has(a.rule)) ||
        a.location.file.localeCompare(b.location.file) ||
        a.location.line - b.location.line ||
        a.location.column - b.location.column,
    );
  }
}

export function formatProblem(problem: Problem): string {
  const { file, line, column } = problem.location;
  return `${file}:${line}:${column}: ${problem.severity} [${problem.rule}] ${problem.message}`;
}

/** Thrown when the spec does not validate; carries every problem found, warnings included. */
export class SpecError extends Error {
  readonly problems: readonly Problem[];

  constructor(problems: readonly Problem[]) {
    const errors = problems.filter((problem) => problem.severity === 'error').length;
    super(`the spec has ${errors} error${errors === 1 ? '' : 's'}:\n${problems.map(formatProblem).join('\n')}`);
    this.name = 'SpecError';
    this.problems = problems;
  }
}
