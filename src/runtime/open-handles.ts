/**
 * How many operation handles of one session (`startLlmCall`, `startAgentRun`, …) were started
 * and not ended. A framework that reports work through callbacks can lose an end (a callback it
 * never calls, an exception between two of its hooks); the span of such an operation is never
 * exported, and the one trace of the bug is this count, reported when the session stops.
 *
 * Only handles a framework holds are counted: the `trace…` helpers end theirs themselves, and a
 * call of theirs that never settles is an open span, which the session reports already.
 */
export class OpenHandles {
  readonly #byKind = new Map<string, number>();
  #open = 0;

  get open(): number {
    return this.#open;
  }

  opened(kind: string): void {
    this.#open += 1;
    this.#byKind.set(kind, (this.#byKind.get(kind) ?? 0) + 1);
  }

  closed(kind: string): void {
    this.#open -= 1;
    this.#byKind.set(kind, (this.#byKind.get(kind) ?? 0) - 1);
  }

  /** `llm call: 2, agent run: 1`: the kinds still open, for the report. */
  describe(): string {
    return [...this.#byKind]
      .filter(([, count]) => count > 0)
      .map(([kind, count]) => `${kind}: ${count}`)
      .join(', ');
  }
}
