/**
 * Generic machinery behind the generated event recorders. A semantic-convention event is an
 * OpenTelemetry log record with an event name, emitted through the Logs API of the session's
 * logger provider: its checked attributes, its body where the registry declares one, the severity
 * the convention names, and the context it is recorded in (the active one, or the one the caller
 * gives), whose span's trace and span ids the record carries. Recorded outside any span, it is
 * emitted all the same, linked to no span. While telemetry or logs are off, a call costs one
 * comparison.
 */
import { context as contextApi, type Context, type TimeInput } from '@opentelemetry/api';
import type { LogRecord, Logger, SeverityNumber } from '@opentelemetry/api';
import { isAnyValue } from '@opentelemetry/core';
import { eventAttributes, type AttributeField } from './attributes.ts';
import { warnOnce } from './diagnostics.ts';
import { errorMessage } from './error-text.ts';
import { perBinding, type InstrumentationScope } from './scope.ts';

/** An event as the registry declares it (generated into src/generated/events.ts). */
export interface EventDescriptor {
  readonly name: string;
  /** The severity the convention names (`gen_ai.client.operation.exception`: WARN, 13); none when it names none. */
  readonly severityNumber?: SeverityNumber;
  /** The short name of that severity (`WARN`). */
  readonly severityText?: string;
  /** Present when the registry declares a body: whether the event requires one. */
  readonly body?: { readonly required: boolean };
  readonly fields: readonly AttributeField[];
}

export interface EventRecordOptions {
  /** When the event happened. Default: now. */
  readonly timestamp?: TimeInput;
  /**
   * The context the event belongs to: the trace and span ids of its span link the record to it
   * (the span a caller passes, for an event recorded where that span is not active). Default: the
   * active context.
   */
  readonly context?: Context;
}

/** The options of an event whose registry declares a body: the body, typed as the registry declares it. */
export interface EventBodyOptions<B> extends EventRecordOptions {
  readonly body?: B;
}

export type EventRecorder<A extends object, O extends EventRecordOptions = EventRecordOptions> = (attributes: A, options?: O) => void;

/** The function a generated `record…Event` recorder delegates to: the event of `event`, emitted under `scope`. */
export function eventRecorder<A extends object, O extends EventRecordOptions = EventRecordOptions>(scope: InstrumentationScope, event: EventDescriptor): EventRecorder<A, O> {
  // The session's logger, derived once per binding; undefined while telemetry or logs are off.
  const logger = perBinding((binding) => binding.loggerProvider?.getLogger(scope.name, scope.version, { schemaUrl: scope.schemaUrl }));
  return (attributes, options) => {
    try {
      const bound = logger();
      if (bound !== undefined) emitEvent(bound, event, attributes, options as EventBodyOptions<unknown> | undefined);
    } catch (error) {
      warnOnce(`${event.name}: recording the event failed: ${errorMessage(error)}`);
    }
  };
}

function emitEvent(logger: Logger, event: EventDescriptor, attributes: object, options: EventBodyOptions<unknown> | undefined): void {
  const checked = eventAttributes(event.fields, attributes, event.name);
  if (checked === undefined) return;
  const record: LogRecord = { eventName: event.name, attributes: checked, context: options?.context ?? contextApi.active() };
  if (event.severityNumber !== undefined) record.severityNumber = event.severityNumber;
  if (event.severityText !== undefined) record.severityText = event.severityText;
  if (options?.timestamp !== undefined) record.timestamp = options.timestamp;
  const body = checkedBody(event, options?.body);
  if (body !== undefined) record.body = body;
  logger.emit(record);
}

/** The body as recorded: an OpenTelemetry AnyValue of an event that declares one; otherwise left out, and said why. */
function checkedBody(event: EventDescriptor, body: unknown): LogRecord['body'] {
  if (body === undefined || body === null) {
    if (event.body?.required === true) warnOnce(`${event.name}: the body the event requires is missing`);
    return undefined;
  }
  if (event.body === undefined) {
    warnOnce(`${event.name}: dropped the body: the event declares none`);
    return undefined;
  }
  if (!isAnyValue(body)) {
    warnOnce(`${event.name}: dropped the body: it holds a value no log record can carry (a function, a symbol, a bigint, a class instance or a cycle)`);
    return undefined;
  }
  return body as LogRecord['body'];
}
