/**
 * Provider SDKs that start a GenAI inference span of their own for each API call
 * (`@anthropic-ai/sdk` does, as `anthropic.messages.create` under the instrumentation scope
 * `com.anthropic.sdk.typescript`) duplicate the kit's: one call becomes two inference spans, with
 * token counts twice. This module removes exactly that duplicate and nothing else:
 *
 * - The LLM helpers mark the context they run the provider call in with their inference span
 *   (`withInferenceSpan`).
 * - The tracer provider the kit registers (`mergeSdkInferenceSpans`) hands the provider SDKs'
 *   scopes a tracer that, asked for a span whose parent is such a marked span, returns no new span
 *   but the kit's span context, non-recording. The SDK then records nothing of its own, sends the
 *   kit's span as `traceparent`, and the HTTP client spans of the application's instrumentation hang
 *   under the kit's span, where the SDK's would have been.
 * - Everything else is kept: a span the application or another instrumentation starts inside the
 *   call, and under it the SDK's own span (its parent is then not the kit's); the SDK's spans
 *   outside the kit's helpers; every span of another scope.
 *
 * OpenTelemetry's `suppressTracing` would have dropped all of it, and the trace header with it.
 */
import {
  context,
  createContextKey,
  trace,
  type Context,
  type Span,
  type SpanOptions,
  type Tracer,
  type TracerOptions,
  type TracerProvider,
} from '@opentelemetry/api';

/**
 * Instrumentation scopes of provider SDKs whose spans duplicate the kit's inference span; the
 * Anthropic SDK's packages for other platforms append `.{platform}` to its scope.
 */
export const SDK_INFERENCE_SCOPES: readonly string[] = ['com.anthropic.sdk.typescript'];

const INFERENCE_SPAN = createContextKey('flo-ai inference span');

/** `parent` marked as the context the kit's inference span `span` runs a provider call in. */
export function withInferenceSpan(parent: Context, span: Span): Context {
  return parent.setValue(INFERENCE_SPAN, span);
}

/** The kit's inference span a span started in `parent` would sit directly under, if any. */
function inferenceParent(parent: Context): Span | undefined {
  const marked = parent.getValue(INFERENCE_SPAN) as Span | undefined;
  return marked !== undefined && trace.getSpan(parent) === marked ? marked : undefined;
}

function isSdkInferenceScope(name: string, scopes: readonly string[]): boolean {
  return scopes.some((scope) => name === scope || name.startsWith(`${scope}.`));
}

/**
 * `provider`, with the tracers of the provider SDKs' scopes (`SDK_INFERENCE_SCOPES`) replaced by
 * ones that start no span directly under a kit inference span. Every other tracer is the
 * provider's own, unchanged. `configureTelemetry()` registers its provider this way; an application
 * that runs its own SDK and calls `bindProviders()` can register its provider through it too.
 */
export function mergeSdkInferenceSpans(provider: TracerProvider, scopes: readonly string[] = SDK_INFERENCE_SCOPES): TracerProvider {
  return new MergingTracerProvider(provider, scopes);
}

class MergingTracerProvider implements TracerProvider {
  readonly #provider: TracerProvider;
  readonly #scopes: readonly string[];

  constructor(provider: TracerProvider, scopes: readonly string[]) {
    this.#provider = provider;
    this.#scopes = scopes;
  }

  getTracer(name: string, version?: string, options?: TracerOptions): Tracer {
    const tracer = this.#provider.getTracer(name, version, options);
    return isSdkInferenceScope(name, this.#scopes) ? new MergingTracer(tracer) : tracer;
  }
}

class MergingTracer implements Tracer {
  readonly #tracer: Tracer;

  constructor(tracer: Tracer) {
    this.#tracer = tracer;
  }

  startSpan(name: string, options?: SpanOptions, parent: Context = context.active()): Span {
    const kit = options?.root === true ? undefined : inferenceParent(parent);
    // Not recording, with the kit's span context: nothing is recorded twice, and what the SDK propagates is the kit's span.
    return kit === undefined ? this.#tracer.startSpan(name, options, parent) : trace.wrapSpanContext(kit.spanContext());
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, parent: Context, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, ...rest: [F] | [SpanOptions, F] | [SpanOptions, Context, F]): ReturnType<F> {
    const fn = rest.at(-1) as F;
    const options = rest.length > 1 ? (rest[0] as SpanOptions) : undefined;
    const parent = rest.length > 2 ? (rest[1] as Context) : context.active();
    const span = this.startSpan(name, options, parent);
    return context.with(trace.setSpan(parent, span), fn as (span: Span) => ReturnType<F>, undefined, span);
  }
}
