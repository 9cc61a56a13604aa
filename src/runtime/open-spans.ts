/**
 * How many spans of one session have started and not ended: what a session
 * replaced by `configureTelemetry()` waits for before it shuts down, so the
 * spans it started (an LLM call in flight, a half-read stream, an agent run)
 * are still exported by it when they end.
 */
import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';

export class OpenSpans implements SpanProcessor {
  #open = 0;
  #waiters: Array<() => void> = [];

  get open(): number {
    return this.#open;
  }

  onStart(_span: Span, _parentContext: Context): void {
    this.#open += 1;
  }

  onEnd(_span: ReadableSpan): void {
    this.#open -= 1;
    if (this.#open === 0) this.stopWaiting();
  }

  /** Resolves once every open span has ended, or after `timeoutMillis` (on an unref'd timer), or at `stopWaiting()`. */
  drained(timeoutMillis: number): Promise<void> {
    if (this.#open === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMillis);
      timer.unref();
      this.#waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Ends every wait now. */
  stopWaiting(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  async forceFlush(): Promise<void> {}

  async shutdown(): Promise<void> {}
}
