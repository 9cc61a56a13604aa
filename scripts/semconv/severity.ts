/**
 * The severity of an event's log records. The semantic conventions name it in prose, in a fixed
 * phrase of the event's note ("Instrumentations SHOULD set the severity to WARN (severity number
 * 13) when recording this event."); the kit's own events name it in `annotations.flo.severity`
 * (a SeverityNumber name such as `WARN`, or its number). Numbers are OpenTelemetry's
 * SeverityNumber: 1-4 TRACE, 5-8 DEBUG, 9-12 INFO, 13-16 WARN, 17-20 ERROR, 21-24 FATAL.
 */
import type { Severity, SourceLocation } from './model.ts';
import type { Problems } from './problems.ts';

const RANGES = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'] as const;
const FIRST = 1;
const LAST = 24;

/** The severity of a number, with its short name: 13 → WARN, 14 → WARN2. */
export function severityOf(number: number): Severity {
  const range = RANGES[Math.floor((number - FIRST) / 4)] as string;
  const step = (number - FIRST) % 4;
  return { number, text: step === 0 ? range : `${range}${step + 1}` };
}

/** The severity number the note of an event names ("severity number 13"), if it names one. */
export function severityInNote(text: string | undefined): Severity | undefined {
  const match = /\bseverity number (\d+)\b/i.exec(text ?? '');
  const number = match === null ? undefined : Number(match[1]);
  return number !== undefined && number >= FIRST && number <= LAST ? severityOf(number) : undefined;
}

/** `annotations.flo.severity`: `WARN`, `warn2` or 13; problems for anything else. */
export function severityAnnotation(value: unknown, what: string, location: SourceLocation, problems: Problems): Severity | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isInteger(value) && value >= FIRST && value <= LAST) return severityOf(value);
  if (typeof value === 'string') {
    for (let number = FIRST; number <= LAST; number += 1) {
      const severity = severityOf(number);
      if (severity.text === value.trim().toUpperCase()) return severity;
    }
  }
  problems.add(location, 'wrong-type', `annotations.flo.severity of ${what} is ${JSON.stringify(value)}: give a severity name (TRACE, DEBUG, INFO, WARN, ERROR, FATAL, or with 2-4 appended: WARN2) or its number, 1 to 24`);
  return undefined;
}
