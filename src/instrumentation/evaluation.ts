/**
 * Results of evaluating GenAI output (an LLM judge, a rule, a human rating): the observation
 * `evaluation.result`, which the GenAI conventions record as the event `gen_ai.evaluation.result`
 * (docs/events.md). The event belongs to the operation evaluated: it is emitted in the context of
 * the span the caller names (a kit span such as the one `traceLlmCall` hands its callback, an
 * OpenTelemetry span, or the span context of one), else of the active span, so it carries that
 * span's trace and span ids; where no span is at hand, `responseId` ties it to the response. A
 * session whose conventions have no such event (flo_ai's names alone) records nothing.
 *
 * What it is given is recorded as given: the evaluation's explanation is text the application
 * chose to hand to telemetry, not text the kit read from a request or response.
 */
import { context, trace, type Context, type Span, type SpanContext, type TimeInput } from '@opentelemetry/api';
import { errorType } from '../runtime/error-text.ts';
import { InstrumentedSpan } from '../runtime/spans.ts';
import { hasInfo, session, warnFailed } from './internal.ts';

export interface EvaluationResult {
  /** What was evaluated for (`gen_ai.evaluation.name`): `relevance`, `faithfulness`, `toxicity`. Required. */
  readonly name: string;
  /** The score, in the evaluator's scale (`gen_ai.evaluation.score.value`). */
  readonly scoreValue?: number;
  /** The score as a label (`gen_ai.evaluation.score.label`): `relevant`, `pass`. */
  readonly scoreLabel?: string;
  /** Why the evaluator gave that score (`gen_ai.evaluation.explanation`). */
  readonly explanation?: string;
  /** The response evaluated (`gen_ai.response.id`), for when its span is not the one the event is linked to. */
  readonly responseId?: string;
  /** The error the evaluation failed with: an error's type is recorded (`error.type`); a string is taken as that type. */
  readonly error?: unknown;
}

export interface EvaluationOptions {
  /**
   * The span of the operation evaluated: a kit span (the `span` argument of `traceLlmCall`'s
   * callback), an OpenTelemetry span, or a span context. Default: the active span.
   */
  readonly span?: InstrumentedSpan | Span | SpanContext;
  /** When the evaluation ended. Default: now. */
  readonly timestamp?: TimeInput;
}

/** Records the result of evaluating GenAI output as the session's conventions say (`gen_ai.evaluation.result`). Never throws. */
export function recordEvaluation(result: EvaluationResult, options?: EvaluationOptions): void {
  const current = session();
  if (current === undefined || !current.emitter.records.evaluationResult || !hasInfo('recordEvaluation', result)) return;
  try {
    current.emitter.evaluationResult(
      {
        genAiEvaluationName: result.name,
        genAiEvaluationScoreValue: result.scoreValue,
        genAiEvaluationScoreLabel: result.scoreLabel,
        genAiEvaluationExplanation: result.explanation,
        genAiResponseId: result.responseId,
        errorType: result.error === undefined ? undefined : typeof result.error === 'string' ? result.error : errorType(result.error),
      },
      { context: contextOf(options?.span), timestamp: options?.timestamp },
    );
  } catch (error) {
    warnFailed('recordEvaluation', error);
  }
}

/** The context the event is emitted in: the named span's, else the active one. */
function contextOf(span: EvaluationOptions['span']): Context {
  const active = context.active();
  if (span === undefined || span === null) return active;
  if (span instanceof InstrumentedSpan) {
    const otelSpan = span.otelSpan;
    return otelSpan === undefined ? active : trace.setSpan(active, otelSpan);
  }
  if (typeof (span as Span).spanContext === 'function') return trace.setSpan(active, span as Span);
  return trace.setSpanContext(active, span as SpanContext);
}
