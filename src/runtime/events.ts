/**
 * Generic machinery behind the generated event recorders. A semantic-convention
 * event is recorded as an event on the active span, named as the registry
 * names it, with its checked attributes: backends such as Jaeger show span
 * events in the trace they belong to. Without an active span, or while
 * telemetry is off, the call does nothing.
 */
import { trace, type TimeInput } from '@opentelemetry/api';
import { type AttributeField, toAttributes } from './attributes.ts';
import { warnOnce } from './diagnostics.ts';
import { errorMessage } from './error-text.ts';

/** An event as the registry declares it (generated into src/generated/events.ts). */
export interface EventDescriptor {
  readonly name: string;
  readonly fields: readonly AttributeField[];
}

export interface EventRecordOptions {
  readonly timestamp?: TimeInput;
}

export type EventRecorder<A extends object> = (attributes: A, options?: EventRecordOptions) => void;

/** The function a generated `record…Event` recorder delegates to. */
export function eventRecorder<A extends object>(event: EventDescriptor): EventRecorder<A> {
  return (attributes, options) => {
    try {
      const span = trace.getActiveSpan();
      if (span === undefined || !span.isRecording()) return;
      span.addEvent(event.name, toAttributes(event.fields, attributes, event.name), options?.timestamp);
    } catch (error) {
      warnOnce(`${event.name}: recording the event failed: ${errorMessage(error)}`);
    }
  };
}
