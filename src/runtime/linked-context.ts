/**
 * The contexts the kit creates: an OpenTelemetry `Context` stored as linked
 * layers, one small object per value, instead of the API's `BaseContext`,
 * which copies its whole map (and makes three closures) on every `setValue`.
 * A workflow sets a value per span, per agent run and per workflow name, so
 * those copies were a measurable share of what the kit cost over the same
 * telemetry written by hand (bench/RESULTS.md, section 9).
 *
 * It is the `Context` interface of `@opentelemetry/api`, nothing private:
 * immutable, `getValue` sees the newest value of a key, `setValue` and
 * `deleteValue` return a new context and leave this one as it was. Code that
 * sets values in a kit context (the SDK's `trace.setSpan`, `suppressTracing`,
 * other instrumentations) gets layers too. A lookup walks the layers down to
 * the context the kit started from, so the chain is kept short: past
 * `MAX_LAYERS` it is folded into that context with its own `setValue` (as
 * many copies as there were layers, once). OpenTelemetry C++ stores its
 * contexts the same way.
 *
 * What a layer keeps alive: its parent layers, so a value replaced further
 * down (a parent span) stays reachable while a child context is.
 */
import type { Context } from '@opentelemetry/api';

/** Layers before a chain is folded: deeper than a workflow's node, agent run, tool and LLM call nest. */
export const MAX_LAYERS = 32;

export class LinkedContext implements Context {
  readonly #parent: Context;
  /** Undefined for a bridge: a layer that adds nothing, so a kit span over a `BaseContext` does not copy its map. */
  readonly #key: symbol | undefined;
  /** Undefined also for a deleted key: `getValue` answers the same for both, as the API's map does. */
  readonly #value: unknown;
  readonly #layers: number;

  private constructor(parent: Context, key: symbol | undefined, value: unknown, layers: number) {
    this.#parent = parent;
    this.#key = key;
    this.#value = value;
    this.#layers = layers;
  }

  /** `parent` with `key` set to `value`, as one new layer. */
  static with(parent: Context, key: symbol | undefined, value: unknown): LinkedContext {
    if (!(parent instanceof LinkedContext)) return new LinkedContext(parent, key, value, 1);
    if (parent.#layers < MAX_LAYERS) return new LinkedContext(parent, key, value, parent.#layers + 1);
    return new LinkedContext(parent.#folded(), key, value, 1);
  }

  /** `parent` itself when it is one of these, else a layer over it that adds nothing: what a kit span sets its span on. */
  static over(parent: Context): LinkedContext {
    return parent instanceof LinkedContext ? parent : new LinkedContext(parent, undefined, undefined, 1);
  }

  getValue(key: symbol): unknown {
    let layer: Context = this;
    while (layer instanceof LinkedContext) {
      if (layer.#key === key) return layer.#value;
      layer = layer.#parent;
    }
    return layer.getValue(key);
  }

  setValue(key: symbol, value: unknown): Context {
    return LinkedContext.with(this, key, value);
  }

  deleteValue(key: symbol): Context {
    return LinkedContext.with(this, key, undefined);
  }

  /** The context below the layers with every layer's key set on it, the oldest first, so the newest wins. */
  #folded(): Context {
    const layers: LinkedContext[] = [];
    let below: Context = this;
    while (below instanceof LinkedContext) {
      layers.push(below);
      below = below.#parent;
    }
    for (let index = layers.length - 1; index >= 0; index -= 1) {
      const layer = layers[index] as LinkedContext;
      if (layer.#key === undefined) continue;
      below = layer.#value === undefined ? below.deleteValue(layer.#key) : below.setValue(layer.#key, layer.#value);
    }
    return below;
  }
}
