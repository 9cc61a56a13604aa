/**
 * Every setting of `configureTelemetry()`, declared once.
 *
 * `SETTINGS` below is the only place a setting is described: its option, the
 * environment variables that can set it (in precedence order), how a value is
 * parsed and checked, its default, and whether it may be shown (`public`) or
 * not (`secret`: header values; `code`: objects and functions handed over by
 * the application). The option type, the validation of an options object,
 * the precedence (option > FLO_* > OTEL_* > default), the resolved
 * configuration and its public view are all derived from that table.
 *
 * Standard `OTEL_*` lists are parsed by the OpenTelemetry packages, not here:
 * `OTEL_EXPORTER_OTLP_*HEADERS` by the gRPC exporters (read here with
 * `parseKeyPairsIntoRecord` of @opentelemetry/core, only to learn header
 * names and which values to redact), `OTEL_RESOURCE_ATTRIBUTES` with the same
 * parser; entries it cannot read are skipped with a warning, as the SDK does.
 *
 * Everything here is pure (the environment is a parameter). Bad options throw
 * `TelemetryConfigError`, and so do bad `FLO_*` variables: they are the kit's
 * own, set for this application, and a typo in one is a configuration error
 * to see at start like a bad option (README, "Configuration"). An `OTEL_*`
 * variable is shared by every OpenTelemetry SDK and instrumentation in the
 * process and, as the OpenTelemetry specification says of environment
 * variables, one the kit cannot parse is reported with a warning and treated
 * as unset. No message repeats a header value or URL credential.
 */
import type { Attributes, AttributeValue, DiagLogger } from '@opentelemetry/api';
import { isAttributeValue, parseKeyPairsIntoRecord } from '@opentelemetry/core';
import type { LogRecordProcessor } from '@opentelemetry/sdk-logs';
import type { IMetricReader } from '@opentelemetry/sdk-metrics';
import type { SpanProcessor } from '@opentelemetry/sdk-trace';
// Generated from the spec (semconv/runtime.yaml): the runtime needs no copy of the semantic conventions package.
import {
  // The legacy key is deprecated upstream, but deployments that still set it are read.
  ATTR_DEPLOYMENT_ENVIRONMENT,
  ATTR_DEPLOYMENT_ENVIRONMENT_NAME,
  ATTR_SERVICE_NAME,
  ATTR_SERVICE_VERSION,
} from '../generated/attributes.ts';
import { CONTENT_DESTINATIONS, DEFAULT_CONTENT_MAX_LENGTH, isValidMaxLength, type ContentCaptureOptions, type ContentDestination } from './content.ts';
import { ERROR_MESSAGE_POLICIES, type ErrorMessagePolicy } from './error-text.ts';
import { CONVENTIONS, GEN_AI_OPT_INS, type Conventions, type GenAiOptIn } from './rules.ts';
import { describeValue, redactUrl, urlSecrets } from './redaction.ts';
import { MIN_REQUEST_BYTES } from './export-items.ts';

export type TelemetryLogLevel = 'none' | 'error' | 'warn' | 'info' | 'debug' | 'verbose' | 'all';
export type ConsoleFormat = 'compact' | 'raw';
export type TelemetryEnv = Readonly<Record<string, string | undefined>>;

/** Thrown by `configureTelemetry()` for invalid options or environment variables, and when a new session cannot start. */
export class TelemetryConfigError extends Error {
  /** The option (`otlpEndpoint`) or environment variable (`FLO_OTLP_ENDPOINT`) at fault. */
  readonly setting: string;

  constructor(setting: string, problem: string) {
    super(`Invalid telemetry configuration: ${setting} ${problem}`);
    this.name = 'TelemetryConfigError';
    this.setting = setting;
  }
}

// ---------------------------------------------------------------------------
// Parsers: (value, setting name) → checked value, or TelemetryConfigError.

type Parser<T> = (value: unknown, setting: string) => T;

const LOG_LEVELS: readonly TelemetryLogLevel[] = ['none', 'error', 'warn', 'info', 'debug', 'verbose', 'all'];
const CONSOLE_FORMATS: readonly ConsoleFormat[] = ['compact', 'raw'];
/** setTimeout/setInterval silently turn larger delays into 1 ms. */
const MAX_TIMER_MILLIS = 2_147_483_647;

const text: Parser<string> = (value, setting) => {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new TelemetryConfigError(setting, `must be a non-empty string, got ${describeValue(value)}`);
  }
  return value.trim();
};

const flag: Parser<boolean> = (value, setting) => {
  if (typeof value !== 'boolean') throw new TelemetryConfigError(setting, `must be true or false, got ${describeValue(value)}`);
  return value;
};

/** A variable's `true`/`false`, in any case. */
const flagText: Parser<boolean> = (value, setting) => flag(typeof value === 'string' ? { true: true, false: false }[value.trim().toLowerCase()] ?? value : value, setting);

function count(min: number, max: number, unit: string): Parser<number> {
  return (value, setting) => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
      throw new TelemetryConfigError(setting, `must be a number of ${unit} between ${min} and ${max}, got ${describeValue(value)}`);
    }
    return value;
  };
}

/** A variable's decimal digits, then the number's own checks. */
function countText(parse: Parser<number>): Parser<number> {
  return (value, setting) => parse(typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value, setting);
}

const millis = count(1, MAX_TIMER_MILLIS, 'milliseconds');
const queueSpans = count(0, 10_000_000, 'spans');
const queueBytes = count(0, 4 * 1024 ** 3, 'bytes');
/** Below 64 KiB one span with prompts would not fit a request; above 1 GiB no collector is configured. */
const requestBytes = count(MIN_REQUEST_BYTES, 1024 ** 3, 'bytes');

function oneOf<T extends string>(members: readonly T[], caseInsensitive = false): Parser<T> {
  return (value, setting) => {
    const candidate = typeof value === 'string' && caseInsensitive ? value.trim().toLowerCase() : value;
    const known = members.find((member) => member === candidate);
    if (known === undefined) throw new TelemetryConfigError(setting, `must be one of ${members.join(', ')}, got ${describeValue(value)}`);
    return known;
  };
}

function object<T>(what: string, check: (value: Record<string, unknown>, setting: string) => T): Parser<T> {
  return (value, setting) => {
    if (!isPlainObject(value)) throw new TelemetryConfigError(setting, `must be ${what}, got ${describeValue(value)}`);
    return check(value, setting);
  };
}

function listOf<T>(methods: readonly string[]): Parser<readonly T[]> {
  return (value, setting) => {
    if (!Array.isArray(value)) throw new TelemetryConfigError(setting, `must be an array, got ${describeValue(value)}`);
    value.forEach((item, index) => {
      if (!hasMethods(item, methods)) throw new TelemetryConfigError(`${setting}[${index}]`, `is not usable here, got ${describeValue(item)}`);
    });
    return [...(value as T[])];
  };
}

const DIAG_METHODS = ['error', 'warn', 'info', 'debug', 'verbose'] as const;
const diagLogger: Parser<DiagLogger> = (value, setting) => {
  if (!hasMethods(value, DIAG_METHODS)) {
    throw new TelemetryConfigError(setting, `must have the methods ${DIAG_METHODS.join(', ')}, got ${describeValue(value)}`);
  }
  return value as DiagLogger;
};

/** `http://host:port` (plaintext gRPC) or `https://host:port` (TLS); normalised to its origin. */
const endpoint: Parser<string> = (value, setting) => {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new TelemetryConfigError(setting, `must be a non-empty string, got ${describeValue(value)}`);
  }
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new TelemetryConfigError(setting, `is not a valid URL: ${describeValue(redactUrl(value))} (expected e.g. "http://localhost:4317")`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new TelemetryConfigError(setting, 'must not contain credentials; send them as otlpHeaders (e.g. authorization)');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TelemetryConfigError(
      setting,
      `must start with http:// (plaintext gRPC) or https:// (gRPC over TLS), got ${describeValue(redactUrl(value))}`,
    );
  }
  if (url.hostname === '') throw new TelemetryConfigError(setting, `has no host: ${describeValue(redactUrl(value))}`);
  return `${url.origin}${url.pathname === '/' ? '' : url.pathname}`;
};

/** gRPC metadata keys after lowercasing; ":" pseudo-headers are not for callers. */
const HEADER_KEY = /^[0-9a-z_.-]+$/;
/** gRPC accepts printable ASCII only in text metadata. */
const HEADER_VALUE = /^[ -~]+$/;

const headers = object('an object of header name to string value', (given, setting) => {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(given)) {
    if (typeof value !== 'string') {
      throw new TelemetryConfigError(`${setting}[${JSON.stringify(name)}]`, `must be a string, got ${typeOnly(value)}`);
    }
    const key = name.toLowerCase();
    if (!HEADER_KEY.test(key)) {
      throw new TelemetryConfigError(setting, `has an invalid header name ${JSON.stringify(name)}: use letters, digits, "-", "_" and "."`);
    }
    if (key.startsWith('grpc-') || key.endsWith('-bin')) {
      throw new TelemetryConfigError(setting, `has a header name ${JSON.stringify(name)} reserved by gRPC ("grpc-" prefix, "-bin" suffix)`);
    }
    if (!HEADER_VALUE.test(value)) {
      throw new TelemetryConfigError(setting, `has an invalid value for header ${JSON.stringify(key)} (value redacted): it must be non-empty printable ASCII`);
    }
    result[key] = value;
  }
  return result;
});

/** Resource keys the kit sets from dedicated options; `additionalAttributes` may not set them. */
const DEDICATED_RESOURCE_KEYS: Readonly<Record<string, string>> = {
  [ATTR_SERVICE_NAME]: 'serviceName',
  [ATTR_SERVICE_VERSION]: 'serviceVersion',
  [ATTR_DEPLOYMENT_ENVIRONMENT_NAME]: 'environment',
};

const attributes = object('an object of attribute key to value', (given, setting) => {
  const result: Attributes = {};
  for (const [key, value] of Object.entries(given)) {
    if (value === undefined || value === null) continue;
    const at = `${setting}[${JSON.stringify(key)}]`;
    if (key.trim() === '') throw new TelemetryConfigError(setting, 'has an empty key');
    const dedicated = DEDICATED_RESOURCE_KEYS[key];
    if (dedicated !== undefined) throw new TelemetryConfigError(at, `is set by the kit; use the ${dedicated} option instead`);
    if (!isAttributeValue(value)) {
      throw new TelemetryConfigError(at, `must be a string, number, boolean or an array of one of them, got ${describeValue(value)}`);
    }
    result[key] = value as AttributeValue;
  }
  return result;
});

/** In code: GenAI opt-ins the kit knows, one or a list. */
const optIns: Parser<readonly GenAiOptIn[]> = (value, setting) => {
  const given = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(given) || !given.every((token) => (GEN_AI_OPT_INS as readonly unknown[]).includes(token))) {
    throw new TelemetryConfigError(setting, `must be a list of ${GEN_AI_OPT_INS.join(', ')}, got ${describeValue(value)}`);
  }
  return [...new Set(given as GenAiOptIn[])];
};

/**
 * `OTEL_SEMCONV_STABILITY_OPT_IN`, a comma-separated list as every OpenTelemetry instrumentation
 * reads it: the kit takes the GenAI tokens it knows and leaves the others (`http`, `database`, …)
 * to the instrumentations they are for.
 */
const optInList: Parser<readonly GenAiOptIn[]> = (value) =>
  typeof value !== 'string'
    ? []
    : [...new Set(value.split(',').map((token) => token.trim()).filter((token): token is GenAiOptIn => (GEN_AI_OPT_INS as readonly string[]).includes(token)))];

/** The GenAI opt-in a list of `OTEL_SEMCONV_STABILITY_OPT_IN` tokens asks for, if any. */
export function genAiOptInOf(tokens: readonly string[]): GenAiOptIn | undefined {
  return GEN_AI_OPT_INS.find((token) => tokens.includes(token));
}

const CONTENT_CAPTURE_KEYS: ReadonlySet<string> = new Set(['enabled', 'maxLength', 'redact']);

/**
 * `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT` as OpenTelemetry's GenAI instrumentations
 * read it: `true`/`false`, or where content goes (`NO_CONTENT`, `SPAN_ONLY`, `EVENT_ONLY`,
 * `SPAN_AND_EVENT`, any case), which also turns capture on (off for `NO_CONTENT`).
 */
const CONTENT_MODES: Readonly<Record<string, { readonly enabled: boolean; readonly destination: ContentDestination }>> = {
  true: { enabled: true, destination: 'span' },
  false: { enabled: false, destination: 'span' },
  no_content: { enabled: false, destination: 'span' },
  span_only: { enabled: true, destination: 'span' },
  event_only: { enabled: true, destination: 'event' },
  span_and_event: { enabled: true, destination: 'span_and_event' },
};

function contentMode(value: unknown, setting: string): { readonly enabled: boolean; readonly destination: ContentDestination } {
  const mode = typeof value === 'string' ? CONTENT_MODES[value.trim().toLowerCase()] : undefined;
  if (mode === undefined) throw new TelemetryConfigError(setting, `must be true, false, NO_CONTENT, SPAN_ONLY, EVENT_ONLY or SPAN_AND_EVENT, got ${describeValue(value)}`);
  return mode;
}

const contentCapture: Parser<ContentCaptureOptions> = (value, setting) => {
  if (typeof value === 'boolean') return { enabled: value };
  if (!isPlainObject(value)) throw new TelemetryConfigError(setting, `must be true, false or { enabled, maxLength, redact }, got ${describeValue(value)}`);
  const unknown = Object.keys(value).filter((key) => !CONTENT_CAPTURE_KEYS.has(key));
  if (unknown.length > 0) throw new TelemetryConfigError(setting, `unknown key ${unknown.join(', ')}; expected enabled, maxLength, redact`);
  const { enabled, maxLength, redact } = value;
  if (typeof enabled !== 'boolean') throw new TelemetryConfigError(`${setting}.enabled`, `must be true or false, got ${describeValue(enabled)}`);
  if (maxLength !== undefined && !isValidMaxLength(maxLength)) {
    throw new TelemetryConfigError(`${setting}.maxLength`, `must be a positive whole number or Infinity, got ${describeValue(maxLength)}`);
  }
  if (redact !== undefined && typeof redact !== 'function') {
    throw new TelemetryConfigError(`${setting}.redact`, `must be a function (text, kind) => string, got ${describeValue(redact)}`);
  }
  return { enabled, maxLength: maxLength as number | undefined, redact: redact as ContentCaptureOptions['redact'] };
};

// ---------------------------------------------------------------------------
// The table

type Visibility = 'public' | 'secret' | 'code';

/**
 * One setting. `O` is the type of the option in code (by default the value's, without
 * `undefined`): it only types TelemetryOptions, and is never set.
 */
interface Setting<T, V extends Visibility = Visibility, O = NonNullable<T>> {
  /** Environment variables, highest precedence first (FLO_* before OTEL_*). */
  readonly env?: readonly string[];
  /** Keys of `OTEL_RESOURCE_ATTRIBUTES` consulted after the variables, highest first. */
  readonly resourceKeys?: readonly string[];
  readonly parse: Parser<T>;
  /** How a variable's text becomes a value, when not like an option's. */
  readonly parseEnv?: Parser<T>;
  readonly default: T;
  readonly visibility: V;
  readonly option?: O;
}

function setting<T, V extends Visibility, O = NonNullable<T>>(spec: Setting<T, V, O>): Setting<T, V, O> {
  return spec;
}

/**
 * Every setting of `configureTelemetry()`. The JSDoc of each entry is the documentation of its
 * option: TelemetryOptions below is derived from this table, so editors show it on the option.
 */
export const SETTINGS = {
  /** `service.name`. Default "flo_ai"; env `OTEL_SERVICE_NAME`, `service.name` in `OTEL_RESOURCE_ATTRIBUTES`. */
  serviceName: setting({ env: ['OTEL_SERVICE_NAME'], resourceKeys: [ATTR_SERVICE_NAME], parse: text, default: 'flo_ai', visibility: 'public' }),
  /** `service.version`. Default "1.0.0"; `service.version` in `OTEL_RESOURCE_ATTRIBUTES`. */
  serviceVersion: setting({ resourceKeys: [ATTR_SERVICE_VERSION], parse: text, default: '1.0.0', visibility: 'public' }),
  /** `deployment.environment.name`. Default "development"; env `FLO_ENV`, or the key in `OTEL_RESOURCE_ATTRIBUTES` (the legacy `deployment.environment` too). */
  environment: setting({
    env: ['FLO_ENV'],
    resourceKeys: [ATTR_DEPLOYMENT_ENVIRONMENT_NAME, ATTR_DEPLOYMENT_ENVIRONMENT],
    parse: text,
    default: 'development',
    visibility: 'public',
  }),
  /** OTLP gRPC collector, `http://host:port` (plaintext) or `https://host:port` (TLS). Env `FLO_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_ENDPOINT`. Default: no OTLP export. */
  otlpEndpoint: setting<string | undefined, 'public'>({
    env: ['FLO_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_ENDPOINT'],
    parse: endpoint,
    default: undefined,
    visibility: 'public',
  }),
  /**
   * gRPC metadata sent with every export, e.g. `{ authorization: 'Bearer …' }`. Values are never
   * logged. The `OTEL_EXPORTER_OTLP_*HEADERS` variables are read by the exporters themselves.
   */
  otlpHeaders: setting<Readonly<Record<string, string>>, 'secret'>({ parse: headers, default: {}, visibility: 'secret' }),
  /** Also print spans and metrics to stdout. Default false. */
  consoleExport: setting({ parse: flag, default: false, visibility: 'public' }),
  /** `compact` (default): a span tree and one line per metric point; `raw`: the SDK's console exporters' objects. Env `FLO_CONSOLE_FORMAT`. */
  consoleFormat: setting({ env: ['FLO_CONSOLE_FORMAT'], parse: oneOf(CONSOLE_FORMATS, true), default: 'compact' as ConsoleFormat, visibility: 'public' }),
  /** Extra resource attributes, merged over `OTEL_RESOURCE_ATTRIBUTES`. */
  additionalAttributes: setting<Attributes, 'code', Readonly<Attributes>>({ parse: attributes, default: {}, visibility: 'code' }),
  /** How often metrics are exported, in milliseconds. Default 5000; env `OTEL_METRIC_EXPORT_INTERVAL`. */
  metricExportIntervalMillis: setting({
    env: ['OTEL_METRIC_EXPORT_INTERVAL'],
    parse: millis,
    parseEnv: countText(millis),
    default: 5000,
    visibility: 'public',
  }),
  /** Upper bound for `shutdownTelemetry()` and `forceFlush()`, in milliseconds. Default 5000. */
  shutdownTimeoutMillis: setting({ parse: millis, default: 5000, visibility: 'public' }),
  /** Level of the OpenTelemetry diagnostic logger. Default "warn"; env `OTEL_LOG_LEVEL`. */
  logLevel: setting({ env: ['OTEL_LOG_LEVEL'], parse: oneOf(LOG_LEVELS, true), default: 'warn' as TelemetryLogLevel, visibility: 'public' }),
  /** Where diagnostics go. Default: a `DiagConsoleLogger` (stderr). A logger that throws is contained. */
  diagLogger: setting<DiagLogger | undefined, 'code'>({ parse: diagLogger, default: undefined, visibility: 'code' }),
  /** More span processors, next to the kit's (e.g. a vendor exporter, or in-memory ones in tests). Owned by the kit from now on. */
  spanProcessors: setting<readonly SpanProcessor[], 'code'>({
    parse: listOf(['onStart', 'onEnd', 'forceFlush', 'shutdown']),
    default: [],
    visibility: 'code',
  }),
  /** More metric readers, next to the kit's. Fresh instances per call: a reader binds to one MeterProvider only. */
  metricReaders: setting<readonly IMetricReader[], 'code'>({
    parse: listOf(['setMetricProducer', 'collect', 'forceFlush', 'shutdown']),
    default: [],
    visibility: 'code',
  }),
  /** More log record processors, next to the kit's (e.g. in-memory ones in tests). Owned by the kit from now on. */
  logRecordProcessors: setting<readonly LogRecordProcessor[], 'code'>({
    parse: listOf(['onEmit', 'forceFlush', 'shutdown']),
    default: [],
    visibility: 'code',
  }),
  /** Flush on `beforeExit`, SIGTERM and SIGINT. Default false. */
  installShutdownHooks: setting({ parse: flag, default: false, visibility: 'public' }),
  /** Names emitted: flo_ai's (`flo`), the OpenTelemetry GenAI conventions' (`gen_ai`), or both. Default "both"; env `FLO_CONVENTIONS`. */
  conventions: setting({ env: ['FLO_CONVENTIONS'], parse: oneOf(CONVENTIONS), default: 'both' as Conventions, visibility: 'public' }),
  /**
   * Newer conventions to follow, as `OTEL_SEMCONV_STABILITY_OPT_IN` names them:
   * `['gen_ai_latest_experimental']` switches the GenAI part of `gen_ai` and `both` from semantic
   * conventions v1.41.1 to the latest GenAI conventions, in development (docs/gen-ai-migration.md).
   * Default none; env `OTEL_SEMCONV_STABILITY_OPT_IN` (a comma-separated list; tokens for other
   * instrumentations are left to them).
   */
  semconvStabilityOptIn: setting<readonly GenAiOptIn[], 'public', GenAiOptIn | readonly GenAiOptIn[]>({
    env: ['OTEL_SEMCONV_STABILITY_OPT_IN'],
    parse: optIns,
    parseEnv: optInList,
    default: [],
    visibility: 'public',
  }),
  /**
   * Record prompt and completion text on LLM spans. Off by default: they are user data.
   * `true`, or `{ enabled, maxLength, redact }`. Env `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT`.
   */
  captureContent: setting<ContentCaptureOptions, 'public', boolean | ContentCaptureOptions>({
    env: ['OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT'],
    parse: contentCapture,
    parseEnv: (value, name) => ({ enabled: contentMode(value, name).enabled }),
    default: { enabled: false },
    visibility: 'public',
  }),
  /**
   * Where captured GenAI content goes: `span` (default) records `gen_ai.input.messages`,
   * `gen_ai.output.messages` and `gen_ai.system_instructions` on the LLM span; `event` records them,
   * with the call's parameters, response and usage, in a `gen_ai.client.inference.operation.details`
   * log record linked to the span instead; `span_and_event` does both. Same redaction and
   * truncation either way; flo_ai's `llm.request.content` and `llm.response.content` stay on the
   * span. Env `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT` (`SPAN_ONLY`, `EVENT_ONLY`,
   * `SPAN_AND_EVENT`).
   */
  captureContentIn: setting({
    env: ['OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT'],
    parse: oneOf(CONTENT_DESTINATIONS),
    parseEnv: (value, name) => contentMode(value, name).destination,
    default: 'span' as ContentDestination,
    visibility: 'public',
  }),
  /**
   * Error messages and stack traces of errors thrown by instrumented code: `with-content` (default)
   * records them only while content capture is on, through its redact hook; `always` records them
   * as thrown; `never` records the error type only. Env `FLO_ERROR_MESSAGES`.
   */
  errorMessages: setting({
    env: ['FLO_ERROR_MESSAGES'],
    parse: oneOf(ERROR_MESSAGE_POLICIES, true),
    default: 'with-content' as ErrorMessagePolicy,
    visibility: 'public',
  }),
  /** Spans held for retry while the collector is unreachable (oldest dropped beyond). Default 8192; env `FLO_RETRY_QUEUE_MAX_SPANS`. */
  retryQueueMaxSpans: setting({
    env: ['FLO_RETRY_QUEUE_MAX_SPANS'],
    parse: queueSpans,
    parseEnv: countText(queueSpans),
    default: 8192,
    visibility: 'public',
  }),
  /** Heap the spans held for retry may keep alive (estimated); log records have a queue of the same bounds. Default 16 MiB; env `FLO_RETRY_QUEUE_MAX_BYTES`. */
  retryQueueMaxBytes: setting({
    env: ['FLO_RETRY_QUEUE_MAX_BYTES'],
    parse: queueBytes,
    parseEnv: countText(queueBytes),
    default: 16 * 1024 * 1024,
    visibility: 'public',
  }),
  /**
   * Encoded bytes of one export request at most: batches are cut to fit, and a span or log record
   * that alone does not fit has its longest values cut. Keep it under the collector's receive limit
   * (gRPC servers accept 4 MiB by default; the OpenTelemetry Collector's `max_recv_msg_size_mib`).
   * Default 3 MiB, at least 64 KiB; env `FLO_EXPORT_REQUEST_MAX_BYTES`.
   */
  exportRequestMaxBytes: setting({
    env: ['FLO_EXPORT_REQUEST_MAX_BYTES'],
    parse: requestBytes,
    parseEnv: countText(requestBytes),
    default: 3 * 1024 * 1024,
    visibility: 'public',
  }),
  /** The SDK's own `otel.sdk.*` metrics (queue sizes, drops, export attempts). Default true; env `FLO_SELF_METRICS`. */
  selfMetrics: setting({ env: ['FLO_SELF_METRICS'], parse: flag, parseEnv: flagText, default: true, visibility: 'public' }),
  /**
   * Metrics at all. `false` records spans only: the kit's metric recorders return at once, no meter
   * provider is registered (instruments of the application's own are no-ops), nothing exports
   * metrics. Default true; env `FLO_METRICS`.
   */
  metrics: setting({ env: ['FLO_METRICS'], parse: flag, parseEnv: flagText, default: true, visibility: 'public' }),
  /**
   * Logs at all: the log records of events (the generated event recorders, the GenAI events) and of
   * `getLogger()`. `false`: no logger provider is registered, the event recorders return at once,
   * nothing exports logs, and `logRecordProcessors` are refused. Default true; env `FLO_LOGS`.
   */
  logs: setting({ env: ['FLO_LOGS'], parse: flag, parseEnv: flagText, default: true, visibility: 'public' }),
};

type Settings = typeof SETTINGS;
type ValueOf<K extends keyof Settings> = ReturnType<Settings[K]['parse']>;
type PublicKeys = { [K in keyof Settings]: Settings[K]['visibility'] extends 'public' ? K : never }[keyof Settings];

// ---------------------------------------------------------------------------
// Derived: option type, resolved configuration, public view

type OptionOf<K extends keyof Settings> = Settings[K] extends Setting<unknown, Visibility, infer O> ? O : never;

/**
 * What `configureTelemetry()` accepts: one optional property per setting of SETTINGS, typed as
 * the setting takes it in code and documented by the table's entry. Every option is in
 * docs/configuration.md.
 */
export type TelemetryOptions = { readonly [K in keyof Settings]?: OptionOf<K> };

type ResolvedSettings = { readonly [K in keyof Settings]: ValueOf<K> };

/** The settings in effect, safe to log: header names, never header values. */
export type TelemetrySettings = {
  readonly [K in PublicKeys]: K extends 'captureContent'
    ? { readonly enabled: boolean; readonly maxLength: number; readonly redacted: boolean }
    : ValueOf<K>;
} & {
  /** Names of the headers sent to the collector: from `otlpHeaders` and the `OTEL_EXPORTER_OTLP_*HEADERS` variables. */
  readonly otlpHeaderNames: readonly string[];
  /** Derived: always below the interval, so one slow export never overlaps the next. */
  readonly metricExportTimeoutMillis: number;
};

export interface ResolvedTelemetryConfig extends Omit<ResolvedSettings, 'captureContent' | 'additionalAttributes'> {
  readonly captureContent: TelemetrySettings['captureContent'];
  /** What the binding's content capture receives. */
  readonly contentCapture: ContentCaptureOptions;
  readonly otlpHeaderNames: readonly string[];
  readonly metricExportTimeoutMillis: number;
  /** Every header value and URL secret in play, so diagnostics can redact them. */
  readonly secretValues: readonly string[];
  /** `OTEL_RESOURCE_ATTRIBUTES` overlaid with `additionalAttributes`, minus the keys the kit sets itself. */
  readonly resourceAttributes: Attributes;
  /** `OTEL_SDK_DISABLED=true`. */
  readonly disabled: boolean;
  /** Problems worth a diag warning but not an error. */
  readonly warnings: readonly string[];
}

/** The defaults of every setting, from the table. */
export const TELEMETRY_DEFAULTS = Object.freeze(
  Object.fromEntries(Object.entries(SETTINGS).map(([name, spec]) => [name, spec.default])) as {
    readonly [K in keyof Settings]: ValueOf<K>;
  },
);

function captureContentSummary(value: ContentCaptureOptions): { readonly enabled: boolean; readonly maxLength: number; readonly redacted: boolean } {
  return Object.freeze({ enabled: value.enabled, maxLength: value.maxLength ?? DEFAULT_CONTENT_MAX_LENGTH, redacted: value.redact !== undefined });
}

/** A metric export may use at most this share of the interval, and never more than the cap. */
const METRIC_EXPORT_TIMEOUT_SHARE = 0.8;
const METRIC_EXPORT_TIMEOUT_CAP_MILLIS = 10_000;
/** Shorter strings are not worth redacting and would garble unrelated log text. */
const MIN_REDACTED_LENGTH = 4;
const HEADER_ENV_VARS = ['OTEL_EXPORTER_OTLP_HEADERS', 'OTEL_EXPORTER_OTLP_TRACES_HEADERS', 'OTEL_EXPORTER_OTLP_METRICS_HEADERS', 'OTEL_EXPORTER_OTLP_LOGS_HEADERS'];

export function metricExportTimeoutFor(intervalMillis: number): number {
  const share = Math.floor(intervalMillis * METRIC_EXPORT_TIMEOUT_SHARE);
  return Math.max(1, Math.min(METRIC_EXPORT_TIMEOUT_CAP_MILLIS, share));
}

/**
 * `OTEL_SDK_DISABLED`: `true`/`false` in any case; anything else warns (through
 * `warn`) and counts as false, as the specification and @opentelemetry/core say.
 */
export function isSdkDisabled(env: TelemetryEnv = process.env, warn: (message: string) => void = () => {}): boolean {
  const raw = envValue(env, 'OTEL_SDK_DISABLED')?.toLowerCase();
  if (raw === undefined || raw === 'false') return false;
  if (raw === 'true') return true;
  warn(`OTEL_SDK_DISABLED=${describeValue(raw)} is neither true nor false; telemetry stays enabled`);
  return false;
}

/** Checks an options object alone: known names, each value parsed once. Runs even when `OTEL_SDK_DISABLED` is set. */
export function validateTelemetryOptions(options: unknown): TelemetryOptions {
  parsedOptions(options);
  return (options ?? {}) as TelemetryOptions;
}

/** Combines options, environment and defaults by the table's precedence. Throws `TelemetryConfigError`. */
export function resolveTelemetryConfig(options: TelemetryOptions | undefined, env: TelemetryEnv = process.env): ResolvedTelemetryConfig {
  const given = parsedOptions(options);
  const warnings: string[] = [];
  const envResource = keyValueList(env, 'OTEL_RESOURCE_ATTRIBUTES', warnings);
  const values: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(SETTINGS) as Array<[keyof Settings, Setting<unknown>]>) {
    values[name] = resolveOne(name, spec, given, env, envResource, warnings);
  }
  const resolved = values as ResolvedSettings;
  if (!resolved.metrics && resolved.metricReaders.length > 0) {
    throw new TelemetryConfigError('metricReaders', 'were given while metrics are off (metrics: false or FLO_METRICS=false); drop one or the other');
  }
  if (!resolved.logs && resolved.logRecordProcessors.length > 0) {
    throw new TelemetryConfigError('logRecordProcessors', 'were given while logs are off (logs: false or FLO_LOGS=false); drop one or the other');
  }
  const disabled = isSdkDisabled(env, (message) => warnings.push(message));

  const optionHeaders = resolved.otlpHeaders;
  const envHeaders = resolved.otlpEndpoint === undefined ? [] : HEADER_ENV_VARS.flatMap((name) => Object.entries(keyValueList(env, name, warnings)));
  const endpointSource = options?.otlpEndpoint ?? envValue(env, 'FLO_OTLP_ENDPOINT') ?? envValue(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  warnings.push(...endpointWarnings(resolved.otlpEndpoint, env, Object.keys(optionHeaders).length + envHeaders.length));

  const { captureContent, additionalAttributes, ...rest } = resolved;
  return {
    ...rest,
    otlpEndpoint: resolved.otlpEndpoint === undefined ? undefined : new URL(resolved.otlpEndpoint).origin,
    captureContent: captureContentSummary(captureContent),
    contentCapture: captureContent,
    otlpHeaderNames: uniqueSorted([...Object.keys(optionHeaders), ...envHeaders.map(([name]) => name.toLowerCase())]),
    secretValues: secretsOf([
      ...Object.values(optionHeaders),
      ...envHeaders.map(([, value]) => value),
      ...(typeof endpointSource === 'string' ? urlSecrets(endpointSource) : []),
    ]),
    metricExportTimeoutMillis: metricExportTimeoutFor(resolved.metricExportIntervalMillis),
    resourceAttributes: { ...withoutDedicatedKeys(envResource), ...additionalAttributes },
    disabled,
    // One variable may feed two settings (OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT): one warning is enough.
    warnings: [...new Set(warnings)],
  };
}

/** The subset of a resolved configuration that may be shown to anyone, as the table marks it. */
export function publicSettings(config: ResolvedTelemetryConfig): TelemetrySettings {
  const view: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(SETTINGS) as Array<[keyof Settings, Setting<unknown>]>) {
    if (spec.visibility === 'public') view[name] = config[name as keyof ResolvedTelemetryConfig];
  }
  view.otlpHeaderNames = config.otlpHeaderNames;
  view.metricExportTimeoutMillis = config.metricExportTimeoutMillis;
  return Object.freeze(view) as TelemetrySettings;
}

function resolveOne(
  name: keyof Settings,
  spec: Setting<unknown>,
  given: Record<string, unknown>,
  env: TelemetryEnv,
  envResource: Record<string, string>,
  warnings: string[],
): unknown {
  if (name in given) return given[name];
  for (const variable of spec.env ?? []) {
    const raw = envValue(env, variable);
    if (raw === undefined) continue;
    const parsed = parsedVariable(() => (spec.parseEnv ?? spec.parse)(raw, variable), variable, warnings);
    if (parsed !== UNSET) return parsed;
  }
  for (const key of spec.resourceKeys ?? []) {
    const raw = envResource[key];
    if (raw === undefined || raw === '') continue;
    const parsed = parsedVariable(() => spec.parse(raw, `${key} in OTEL_RESOURCE_ATTRIBUTES`), 'OTEL_RESOURCE_ATTRIBUTES', warnings);
    if (parsed !== UNSET) return parsed;
  }
  return spec.default;
}

const UNSET = Symbol('unset');

/**
 * A variable's value; for an `OTEL_*` variable the kit cannot parse, a warning and UNSET (the next
 * source in precedence, else the default, then applies), as the OpenTelemetry specification asks of
 * SDK environment variables. A `FLO_*` variable throws: see the module comment.
 */
function parsedVariable(parse: () => unknown, variable: string, warnings: string[]): unknown {
  try {
    return parse();
  } catch (error) {
    if (!(error instanceof TelemetryConfigError) || !variable.startsWith('OTEL_')) throw error;
    warnings.push(`${error.message.replace(/^Invalid telemetry configuration: /, '')}; ignored, as if it were not set`);
    return UNSET;
  }
}

/** Each given option parsed by its setting's parser; `undefined` and `null` mean "not set". */
function parsedOptions(options: unknown): Record<string, unknown> {
  if (options === undefined || options === null) return {};
  if (!isPlainObject(options)) throw new TelemetryConfigError('options', `must be an object, got ${describeValue(options)}`);
  const parsed: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(options)) {
    const spec = (SETTINGS as Record<string, Setting<unknown>>)[name];
    if (spec === undefined) {
      const camel = name.replace(/_([a-z])/g, (_match, letter: string) => letter.toUpperCase());
      const hint = camel in SETTINGS ? `; did you mean ${camel}?` : '';
      throw new TelemetryConfigError(name, `is not a telemetry option${hint}`);
    }
    if (value === undefined || value === null) continue;
    parsed[name] = spec.parse(value, name);
  }
  return parsed;
}

/**
 * A `key=value,…` variable, read by @opentelemetry/core's parser (the one the
 * exporters use for headers). Entries it skips are reported by position,
 * never by content (they may hold tokens).
 */
function keyValueList(env: TelemetryEnv, name: string, warnings: string[]): Record<string, string> {
  const raw = envValue(env, name);
  if (raw === undefined) return {};
  const record = parseKeyPairsIntoRecord(raw);
  const entries = raw.split(',').filter((entry) => entry.trim() !== '').length;
  const skipped = entries - Object.keys(record).length;
  if (skipped > 0) warnings.push(`${name}: ${skipped} of ${entries} entries are not name=value (percent-encoded) and are ignored`);
  return record;
}

function endpointWarnings(endpoint: string | undefined, env: TelemetryEnv, headerCount: number): string[] {
  const warnings: string[] = [];
  for (const name of ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT', 'OTEL_EXPORTER_OTLP_LOGS_ENDPOINT']) {
    if (envValue(env, name) !== undefined) warnings.push(`${name} is ignored: set otlpEndpoint, FLO_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT`);
  }
  const protocol = envValue(env, 'OTEL_EXPORTER_OTLP_PROTOCOL');
  if (protocol !== undefined && protocol !== 'grpc') {
    warnings.push(`OTEL_EXPORTER_OTLP_PROTOCOL=${protocol} is ignored: this kit exports over OTLP gRPC only`);
  }
  if (endpoint === undefined) {
    if (headerCount > 0) warnings.push('otlpHeaders are ignored: no OTLP endpoint is set');
    return warnings;
  }
  const url = new URL(endpoint);
  if (url.pathname !== '/' && url.pathname !== '') warnings.push(`the path ${url.pathname} of the OTLP endpoint is ignored: gRPC uses host and port only`);
  if (url.protocol === 'http:' && url.port === '') {
    warnings.push(`the OTLP endpoint ${url.origin} has no port; gRPC will use 443 (the OTLP gRPC port is 4317)`);
  }
  if (url.protocol === 'http:' && headerCount > 0 && !isLoopback(url.hostname)) {
    warnings.push(`OTLP headers are sent unencrypted to ${url.origin}; use https:// for a remote collector`);
  }
  return warnings;
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || hostname.startsWith('127.');
}

/** Each value, plus the credential of `<scheme> <credential>` values ("Bearer abc…") on its own. */
function secretsOf(values: readonly string[]): string[] {
  const credentials = values.flatMap((value) => value.trim().split(/\s+/).slice(1));
  return uniqueSorted([...values, ...credentials].filter((value) => value.length >= MIN_REDACTED_LENGTH));
}

function withoutDedicatedKeys(attributes: Record<string, string>): Attributes {
  return Object.fromEntries(Object.entries(attributes).filter(([key]) => !(key in DEDICATED_RESOURCE_KEYS)));
}

/** An environment variable, trimmed; empty counts as unset, as in the OpenTelemetry spec. */
function envValue(env: TelemetryEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function hasMethods(value: unknown, methods: readonly string[]): boolean {
  return typeof value === 'object' && value !== null && methods.every((method) => typeof (value as Record<string, unknown>)[method] === 'function');
}

/** For values that may be secrets: the type, never the content. */
function typeOnly(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

function uniqueSorted(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}
