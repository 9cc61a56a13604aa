/**
 * Log records read back from the Jaeger container. Jaeger stores no logs, so its config
 * (../jaeger-config.yaml) gives the collector's logs pipeline the `debug` exporter at
 * `verbosity: detailed`, which prints every record it receives to the container's log, one field a
 * line (collector v0.140, the one Jaeger 2.13 is built on):
 *
 *   <timestamp>	info	ResourceLog #0
 *        -> service.name: Str(flo-it-…)
 *   ScopeLogs #0
 *   ScopeLogs SchemaURL: https://flo-ai.dev/schemas/flo_ai/0.1.0
 *   InstrumentationScope flo_ai 0.1.0
 *   LogRecord #0
 *   SeverityText: WARN
 *   SeverityNumber: Warn(13)
 *   EventName: gen_ai.client.operation.exception
 *   Body: Empty()
 *   Attributes:
 *        -> exception.type: Str(RangeError)
 *   Trace ID: 5b8efff798038103d269b633813fc60c
 *   Span ID: eee19b7ec3c1b174
 *
 * The container's log is read with testcontainers (the Docker API), nothing routed to the host.
 */
import type { StartedTestContainer } from 'testcontainers';

export interface DebugLogRecord {
  readonly service: string | undefined;
  readonly scope: string | undefined;
  readonly eventName: string;
  readonly severityNumber: number;
  readonly severityText: string;
  /** Empty when the record is linked to no span. */
  readonly traceId: string;
  readonly spanId: string;
  /** Each attribute as the exporter prints it: `Str(relevance)`, `Double(0.9)`, `Slice([...])`. */
  readonly attributes: Readonly<Record<string, string>>;
  readonly body: string;
}

/** A line the collector's logger starts (a timestamp): the end of whatever the debug exporter printed before it. */
const LOGGER_LINE = /^\d{4}-\d\d-\d\dT\S+\t/;
const ATTRIBUTE = /^ {5}-> ([^:]+): (.*)$/;

/** Every log record the debug exporter printed, in order. */
export function parseDebugLogs(text: string): DebugLogRecord[] {
  const records: DebugLogRecord[] = [];
  let service: string | undefined;
  let scope: string | undefined;
  let current: { fields: Map<string, string>; attributes: Record<string, string>; section: 'fields' | 'attributes' } | undefined;
  let inResource = false;
  const finish = () => {
    if (current !== undefined) records.push(recordOf(service, scope, current.fields, current.attributes));
    current = undefined;
  };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    const printed = LOGGER_LINE.test(line) ? line.split('\t').slice(2).join('\t') : line;
    if (LOGGER_LINE.test(line)) {
      finish();
      inResource = printed.startsWith('ResourceLog #');
      if (inResource) service = undefined;
      continue;
    }
    if (printed.startsWith('ScopeLogs #')) {
      finish();
      inResource = false;
      scope = undefined;
      continue;
    }
    const scopeLine = /^InstrumentationScope (\S+)/.exec(printed);
    if (scopeLine !== null) scope = scopeLine[1];
    if (printed.startsWith('LogRecord #')) {
      finish();
      inResource = false;
      current = { fields: new Map(), attributes: {}, section: 'fields' };
      continue;
    }
    const attribute = ATTRIBUTE.exec(printed);
    if (inResource) {
      if (attribute?.[1] === 'service.name') service = /^Str\((.*)\)$/.exec(attribute[2] ?? '')?.[1];
      continue;
    }
    if (current === undefined) continue;
    if (printed === 'Attributes:') current.section = 'attributes';
    else if (attribute !== null && current.section === 'attributes') current.attributes[attribute[1] as string] = attribute[2] as string;
    else {
      const field = /^([A-Za-z ]+): ?(.*)$/.exec(printed);
      if (field !== null && ['Trace ID', 'Span ID', 'Flags', 'EventName', 'SeverityText', 'SeverityNumber', 'Body', 'Timestamp', 'ObservedTimestamp'].includes(field[1] as string)) {
        current.fields.set(field[1] as string, field[2] as string);
        current.section = 'fields';
      }
      // Anything else continues a multi-line value (an attribute's text with line breaks).
    }
  }
  finish();
  return records;
}

function recordOf(service: string | undefined, scope: string | undefined, fields: ReadonlyMap<string, string>, attributes: Record<string, string>): DebugLogRecord {
  const severity = /\((\d+)\)/.exec(fields.get('SeverityNumber') ?? '');
  return {
    service,
    scope,
    eventName: fields.get('EventName') ?? '',
    severityNumber: severity === null ? 0 : Number(severity[1]),
    severityText: fields.get('SeverityText') ?? '',
    traceId: fields.get('Trace ID') ?? '',
    spanId: fields.get('Span ID') ?? '',
    attributes,
    body: fields.get('Body') ?? '',
  };
}

/** The container's log so far (stdout and stderr). */
export async function containerLog(container: StartedTestContainer, quietMillis = 500): Promise<string> {
  const stream = await container.logs();
  return new Promise<string>((resolve, reject) => {
    let text = '';
    let timer: NodeJS.Timeout | undefined;
    const done = () => {
      clearTimeout(timer);
      stream.removeAllListeners();
      stream.destroy();
      resolve(text);
    };
    // The stream follows the log: what has been written arrives at once, then it waits for more.
    const quiet = () => {
      clearTimeout(timer);
      timer = setTimeout(done, quietMillis);
    };
    stream.on('data', (chunk: Buffer | string) => {
      text += chunk.toString();
      quiet();
    });
    stream.on('error', (error: Error) => {
      clearTimeout(timer);
      reject(error);
    });
    quiet();
  });
}

/**
 * Polls the container's log until the debug exporter has printed at least `count` records of
 * `service`, or the deadline passes; returns what is there then (the caller asserts the exact set).
 */
export async function waitForLogRecords(container: StartedTestContainer, service: string, count: number, deadlineMs = 20_000): Promise<DebugLogRecord[]> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const records = parseDebugLogs(await containerLog(container)).filter((record) => record.service === service);
    if (records.length >= count || Date.now() > deadline) return records;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
