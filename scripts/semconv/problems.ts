import type { SourceLocation } from './model.ts';

/** One thing wrong with the spec, at one place, under one named rule. */
export interface Problem {
  readonly location: SourceLocation;
  readonly rule: string;
  readonly message: string;
}

/** Collects every problem of a run so that all are reported at once. */
export class Problems {
  readonly list: Problem[] = [];

  add(location: SourceLocation, rule: string, message: string): void {
    this.list.push({ location, rule, message });
  }

  get isEmpty(): boolean {
    return this.list.length === 0;
  }

  /** Sorted by file, line and column, so output reads top to bottom. */
  sorted(): Problem[] {
    return [...this.list].sort(
      (a, b) =>
        a.location.file.localeCompare(b.location.file) ||
        a.location.line - b.location.line ||
        a.location.column - b.location.column,
    );
  }
}

export function formatProblem(problem: Problem): string {
  const { file, line, column } = problem.location;
  return `${file}:${line}:${column}: error [${problem.rule}] ${problem.message}`;
}

/** Thrown when the spec does not validate; carries every problem found. */
export class SpecError extends Error {
  readonly problems: readonly Problem[];

  constructor(problems: readonly Problem[]) {
    const count = `${problems.length} problem${problems.length === 1 ? '' : 's'}`;
    super(`the spec has ${count}:\n${problems.map(formatProblem).join('\n')}`);
    this.name = 'SpecError';
    this.problems = problems;
  }
}
