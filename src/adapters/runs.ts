/**
 * What an adapter keeps between a framework's start and end callbacks: the handle of each run
 * in progress, by the framework's run id, and the parent of runs it does not record (a prompt
 * template, a guardrail), so what starts under them still finds its nearest recorded ancestor.
 * Entries go when their run ends: a framework that runs forever keeps only what is in flight.
 */
import type { Operation, OperationParent } from '../instrumentation/operation.ts';

export class Runs<H extends Operation = Operation> {
  readonly #handles = new Map<string, H>();
  /** Runs not recorded: their parent's id, or undefined for a root. */
  readonly #skipped = new Map<string, string | undefined>();

  /** The handle of a recorded run in progress. */
  get(id: string | undefined): H | undefined {
    return id === undefined ? undefined : this.#handles.get(id);
  }

  add(id: string, handle: H): void {
    this.#handles.set(id, handle);
  }

  /** A run that is not recorded: what starts under it goes under its parent. */
  skip(id: string, parentId: string | undefined): void {
    this.#skipped.set(id, parentId);
  }

  /**
   * The nearest recorded ancestor of a run with this parent id, as a parent for its handle;
   * undefined (the active context) when it has none.
   */
  parentOf(parentId: string | undefined | null): OperationParent | undefined {
    let id = parentId ?? undefined;
    // Bounded: an id chain longer than this is a cycle in the framework's ids, not nesting.
    for (let depth = 0; id !== undefined && depth < 1000; depth += 1) {
      const handle = this.#handles.get(id);
      if (handle !== undefined) return handle;
      if (!this.#skipped.has(id)) return undefined;
      id = this.#skipped.get(id);
    }
    return undefined;
  }

  /** The handle of a run that ended, removed; undefined for a run not recorded. */
  take(id: string): H | undefined {
    const handle = this.#handles.get(id);
    this.#handles.delete(id);
    this.#skipped.delete(id);
    return handle;
  }

  /** Runs in flight, for tests and diagnostics. */
  get size(): number {
    return this.#handles.size + this.#skipped.size;
  }
}
