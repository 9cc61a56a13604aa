/**
 * What `configureTelemetry()` accepts, and how options, `FLO_*` variables,
 * `OTEL_*` variables and defaults combine into one resolved configuration.
 *
 * Precedence, for every setting: explicit option > `FLO_*` > `OTEL_*` > default
 * (docs/configuration.md argues why). `OTEL_SDK_DISABLED=true` is the one
 * exception: it is the operator's kill switch and wins over code.
 *
 * Everything here is pure (the environment is a parameter), so the whole
 * precedence table is testable without touching global state. Bad input
 * throws `TelemetryConfigError`; header values (tokens) never appear in its
 * message.
 */
import type { AttributeValue, Attributes, DiagLogger } from '@opentelemetry/api';
import { isAttributeValue } from '@opentelemetry/core';
import type { IMetricReader } from '@opentelemetry/sdk-metrics';
import type { SpanProcessor } from '@opentelemetry/sdk-trace';
import {
  ATTR_DEPLOYMENT_ENVIRONMENT_NAME,
  ATTR_SERVICE_NAME,
  ATTR_SERVICE_VERSION,
} from '@opentelemetry/semantic-conventions';
// The legacy key is deprecated upstream, but flo_ai dashboards still query it.
import { ATTR_DEPLOYMENT_ENVIRONMENT } from '@opentelemetry/semantic-conventions/incubating';
import { DEFAULT_CONTENT_MAX_LENGTH, type ContentCaptureOptions } from './content.ts';
import { CONVENTIONS, type Conventions } from './conventions.ts';

export type TelemetryLogLevel = 'none' | 'error' | 'warn' | 'info' | 'debug' | 'verbose' | 'all';

export interface TelemetryOptions {
  /** `service.name`. Default "flo_ai"; env `OTEL_SERVICE_NAME`. */
  serviceName?: string;
  /** `service.version`. Default "1.0.0". */
  serviceVersion?: string;
  /** `deployment.environment.name` and legacy `deployment.environment`. Env `FLO_ENV`; default "development". */
  environment?: string;
  /** OTLP gRPC collector, `http://host:port` (plaintext) or `https://host:port` (TLS). Env `FLO_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_ENDPOINT`. */
  otlpEndpoint?: string;
  /** gRPC metadata sent with every export, e.g. `{ authorization: 'Bearer …' }`. Values are never logged. */
  otlpHeaders?: Readonly<Record<string, string>>;
  /** Also print spans and metrics to stdout (ConsoleSpanExporter, ConsoleMetricExporter). Default false. */
  consoleExport?: boolean;
  /** Extra resource attributes, merged over `OTEL_RESOURCE_ATTRIBUTES`. */
  additionalAttributes?: Readonly<Attributes>;
  /** How often metrics are exported. Default 5000; env `OTEL_METRIC_EXPORT_INTERVAL`. */
  metricExportIntervalMillis?: number;
  /** Upper bound for `shutdownTelemetry()` and `forceFlush()`. Default 5000. */
  shutdownTimeoutMillis?: number;
  /** Level of the OpenTelemetry diagnostic logger. Default "warn"; env `OTEL_LOG_LEVEL`. */
  logLevel?: TelemetryLogLevel;
  /** Where diagnostics go. Default: a `DiagConsoleLogger` (stderr). */
  diagLogger?: DiagLogger;
  /** More span processors, next to the kit's (e.g. a vendor exporter, or in-memory ones in tests). Owned by the kit from now on. */
  spanProcessors?: readonly SpanProcessor[];
  /** More metric readers, next to the kit's. Fresh instances per call: a reader binds to one MeterProvider only. */
  metricReaders?: readonly IMetricReader[];
  /** Flush on `beforeExit`, SIGTERM and SIGINT. Default false. */
  installShutdownHooks?: boolean;
  /**
   * Names emitted: flo_ai's (`flo`), the OpenTelemetry GenAI conventions' (`gen_ai`), or both.
   * Default "both"; env `FLO_CONVENTIONS`. See docs/attributes.md, "GenAI mapping".
   */
  conventions?: Conventions;
  /**
   * Record prompt and completion text on LLM spans. Off by default: they are user data.
   * `true`, or `{ enabled, maxLength, redact }` to truncate (default 4096 characters) and
   * rewrite each text first. Env `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true`.
   */
  captureContent?: boolean | ContentCaptureOptions;
}

/** The settings in effect, safe to log: header names, never header values. */
export interface TelemetrySettings {
  readonly serviceName: string;
  readonly serviceVersion: string;
  readonly environment: string;
  /** Normalised `scheme://host:port`, or undefined when OTLP export is off. */
  readonly otlpEndpoint: string | undefined;
  /** Names of the headers sent to the collector: from `otlpHeaders` and the `OTEL_EXPORTER_OTLP_*HEADERS` variables. */
  readonly otlpHeaderNames: readonly string[];
  readonly consoleExport: boolean;
  readonly metricExportIntervalMillis: number;
  /** Derived: always below the interval, so one slow export never overlaps the next. */
  readonly metricExportTimeoutMillis: number;
  readonly shutdownTimeoutMillis: number;
  readonly logLevel: TelemetryLogLevel;
  readonly installShutdownHooks: boolean;
  readonly conventions: Conventions;
  /** Whether prompts and completions are recorded, and how much of each. */
  readonly captureContent: { readonly enabled: boolean; readonly maxLength: number; readonly redacted: boolean };
}

export interface ResolvedTelemetryConfig extends TelemetrySettings {
  /** What `setContentCapture()` receives. */
  readonly contentCapture: ContentCaptureOptions;
  /** Headers from the option only: the gRPC exporters add the `OTEL_EXPORTER_OTLP_*HEADERS` ones themselves. */
  readonly otlpHeaders: Readonly<Record<string, string>>;
  /** Every header value in play, so diagnostics can redact them. */
  readonly secretValues: readonly string[];
  /** `OTEL_RESOURCE_ATTRIBUTES` overlaid with `additionalAttributes`, minus the keys the kit sets itself. */
  readonly resourceAttributes: Attributes;
  readonly diagLogger: DiagLogger | undefined;
  readonly spanProcessors: readonly SpanProcessor[];
  readonly metricReaders: readonly IMetricReader[];
  /** Problems worth a diag warning but not an error. */
  readonly warnings: readonly string[];
}

export type TelemetryEnv = Readonly<Record<string, string | undefined>>;

export const TELEMETRY_DEFAULTS = Object.freeze({
  serviceName: 'flo_ai',
  serviceVersion: '1.0.0',
  environment: 'development',
  consoleExport: false,
  metricExportIntervalMillis: 5000,
  shutdownTimeoutMillis: 5000,
  logLevel: 'warn' as TelemetryLogLevel,
  installShutdownHooks: false,
  conventions: 'both' as Conventions,
  captureContent: false,
});

/** A metric export may use at most this share of the interval, and never more than the cap. */
const METRIC_EXPORT_TIMEOUT_SHARE = 0.8;
const METRIC_EXPORT_TIMEOUT_CAP_MILLIS = 10_000;
/** setTimeout/setInterval silently turn larger delays into 1 ms. */
const MAX_TIMER_MILLIS = 2_147_483_647;
/** Shorter strings are not worth redacting and would garble unrelated log text. */
const MIN_REDACTED_LENGTH = 4;

const LOG_LEVELS: readonly TelemetryLogLevel[] = ['none', 'error', 'warn', 'info', 'debug', 'verbose', 'all'];

/** Resource keys the kit sets from dedicated options; `additionalAttributes` may not set them. */
const DEDICATED_RESOURCE_KEYS: Readonly<Record<string, keyof TelemetryOptions>> = {
  [ATTR_SERVICE_NAME]: 'serviceName',
  [ATTR_SERVICE_VERSION]: 'serviceVersion',
  [ATTR_DEPLOYMENT_ENVIRONMENT_NAME]: 'environment',
  [ATTR_DEPLOYMENT_ENVIRONMENT]: 'environment',
};

const OPTION_NAMES: ReadonlySet<string> = new Set<keyof TelemetryOptions>([
  'serviceName',
  'serviceVersion',
  'environment',
  'otlpEndpoint',
  'otlpHeaders',
  'consoleExport',
  'additionalAttributes',
  'metricExportIntervalMillis',
  'shutdownTimeoutMillis',
  'logLevel',
  'diagLogger',
  'spanProcessors',
  'metricReaders',
  'installShutdownHooks',
  'conventions',
  'captureContent',
]);

/** Header variables the gRPC exporters read on their own; validated here so a bad one fails early and redacted. */
const HEADER_ENV_VARS = [
  'OTEL_EXPORTER_OTLP_HEADERS',
  'OTEL_EXPORTER_OTLP_TRACES_HEADERS',
  'OTEL_EXPORTER_OTLP_METRICS_HEADERS',
] as const;

/** Thrown by `configureTelemetry()` for invalid options or environment variables. */
export class TelemetryConfigError extends Error {
  /** The option (`otlpEndpoint`) or environment variable (`FLO_OTLP_ENDPOINT`) at fault. */
  readonly setting: string;

  constructor(setting: string, problem: string) {
    super(`Invalid telemetry configuration: ${setting} ${problem}`);
    this.name = 'TelemetryConfigError';
    this.setting = setting;
  }
}

/** True when `OTEL_SDK_DISABLED` asks for no telemetry at all. */
export function isSdkDisabled(env: TelemetryEnv = process.env): boolean {
  const raw = envValue(env, 'OTEL_SDK_DISABLED');
  if (raw === undefined) return false;
  const normalised = raw.toLowerCase();
  if (normalised === 'true') return true;
  if (normalised === 'false') return false;
  throw new TelemetryConfigError('OTEL_SDK_DISABLED', `must be "true" or "false", got ${describe(raw)}`);
}

/**
 * Checks the options object alone: types, ranges, URL and header syntax.
 * Runs even when `OTEL_SDK_DISABLED` is set, because a bad option is a bug in code.
 */
export function validateTelemetryOptions(options: unknown): TelemetryOptions {
  if (options === undefined || options === null) return {};
  if (!isPlainObject(options)) {
    throw new TelemetryConfigError('options', `must be an object, got ${describe(options)}`);
  }
  rejectUnknownOptions(options);
  const given = options as TelemetryOptions;
  optionalString(given, 'serviceName');
  optionalString(given, 'serviceVersion');
  optionalString(given, 'environment');
  const endpoint = optionalString(given, 'otlpEndpoint');
  if (endpoint !== undefined) parseEndpoint(endpoint, 'otlpEndpoint');
  optionHeaders(given.otlpHeaders);
  optionalBoolean(given, 'consoleExport');
  optionalBoolean(given, 'installShutdownHooks');
  additionalAttributes(given.additionalAttributes);
  optionalMillis(given, 'metricExportIntervalMillis');
  optionalMillis(given, 'shutdownTimeoutMillis');
  optionalLogLevel(given.logLevel, 'logLevel');
  optionalDiagLogger(given.diagLogger);
  optionalList(given.spanProcessors, 'spanProcessors', isSpanProcessor);
  optionalList(given.metricReaders, 'metricReaders', isMetricReader);
  optionalConventions(given.conventions, 'conventions');
  optionalContentCapture(given.captureContent);
  return given;
}

/** Combines options, environment and defaults. Throws `TelemetryConfigError`; does not look at `OTEL_SDK_DISABLED`. */
export function resolveTelemetryConfig(
  options: TelemetryOptions | undefined,
  env: TelemetryEnv = process.env,
): ResolvedTelemetryConfig {
  const given = validateTelemetryOptions(options);
  const envResource = parseResourceAttributesEnv(env);
  const warnings: string[] = [];

  const endpoint = resolveEndpoint(given, env);
  const headers = optionHeaders(given.otlpHeaders);
  const envHeaders = endpoint ? headersFromEnv(env) : [];
  warnings.push(...endpointWarnings(endpoint, env, Object.keys(headers).length + envHeaders.length));

  const contentCapture: ContentCaptureOptions = optionalContentCapture(given.captureContent) ??
    envContentCapture(env) ?? { enabled: TELEMETRY_DEFAULTS.captureContent };
  const metricExportIntervalMillis =
    optionalMillis(given, 'metricExportIntervalMillis') ??
    envMillis(env, 'OTEL_METRIC_EXPORT_INTERVAL') ??
    TELEMETRY_DEFAULTS.metricExportIntervalMillis;

  return {
    serviceName:
      optionalString(given, 'serviceName') ??
      envValue(env, 'OTEL_SERVICE_NAME') ??
      stringAttribute(envResource, ATTR_SERVICE_NAME) ??
      TELEMETRY_DEFAULTS.serviceName,
    serviceVersion:
      optionalString(given, 'serviceVersion') ??
      stringAttribute(envResource, ATTR_SERVICE_VERSION) ??
      TELEMETRY_DEFAULTS.serviceVersion,
    environment:
      optionalString(given, 'environment') ??
      envValue(env, 'FLO_ENV') ??
      stringAttribute(envResource, ATTR_DEPLOYMENT_ENVIRONMENT_NAME) ??
      stringAttribute(envResource, ATTR_DEPLOYMENT_ENVIRONMENT) ??
      TELEMETRY_DEFAULTS.environment,
    otlpEndpoint: endpoint?.origin,
    otlpHeaders: headers,
    otlpHeaderNames: uniqueSorted([...Object.keys(headers), ...envHeaders.map(([name]) => name)]),
    secretValues: secretsOf([...Object.values(headers), ...envHeaders.map(([, value]) => value)]),
    consoleExport: optionalBoolean(given, 'consoleExport') ?? TELEMETRY_DEFAULTS.consoleExport,
    resourceAttributes: {
      ...withoutDedicatedKeys(envResource),
      ...additionalAttributes(given.additionalAttributes),
    },
    metricExportIntervalMillis,
    metricExportTimeoutMillis: metricExportTimeoutFor(metricExportIntervalMillis),
    shutdownTimeoutMillis: optionalMillis(given, 'shutdownTimeoutMillis') ?? TELEMETRY_DEFAULTS.shutdownTimeoutMillis,
    logLevel:
      optionalLogLevel(given.logLevel, 'logLevel') ??
      optionalLogLevel(envValue(env, 'OTEL_LOG_LEVEL'), 'OTEL_LOG_LEVEL') ??
      TELEMETRY_DEFAULTS.logLevel,
    installShutdownHooks: optionalBoolean(given, 'installShutdownHooks') ?? TELEMETRY_DEFAULTS.installShutdownHooks,
    conventions:
      optionalConventions(given.conventions, 'conventions') ??
      optionalConventions(envValue(env, 'FLO_CONVENTIONS'), 'FLO_CONVENTIONS') ??
      TELEMETRY_DEFAULTS.conventions,
    contentCapture,
    captureContent: contentCaptureSummary(contentCapture),
    diagLogger: given.diagLogger ?? undefined,
    spanProcessors: [...(given.spanProcessors ?? [])],
    metricReaders: [...(given.metricReaders ?? [])],
    warnings,
  };
}

/** The subset of a resolved configuration that may be shown to anyone. */
export function publicSettings(config: ResolvedTelemetryConfig): TelemetrySettings {
  return Object.freeze({
    serviceName: config.serviceName,
    serviceVersion: config.serviceVersion,
    environment: config.environment,
    otlpEndpoint: config.otlpEndpoint,
    otlpHeaderNames: config.otlpHeaderNames,
    consoleExport: config.consoleExport,
    metricExportIntervalMillis: config.metricExportIntervalMillis,
    metricExportTimeoutMillis: config.metricExportTimeoutMillis,
    shutdownTimeoutMillis: config.shutdownTimeoutMillis,
    logLevel: config.logLevel,
    installShutdownHooks: config.installShutdownHooks,
    conventions: config.conventions,
    captureContent: config.captureContent,
  });
}

export function metricExportTimeoutFor(intervalMillis: number): number {
  const share = Math.floor(intervalMillis * METRIC_EXPORT_TIMEOUT_SHARE);
  return Math.max(1, Math.min(METRIC_EXPORT_TIMEOUT_CAP_MILLIS, share));
}

// ---------------------------------------------------------------------------
// Endpoint

function resolveEndpoint(given: TelemetryOptions, env: TelemetryEnv): URL | undefined {
  const fromOption = optionalString(given, 'otlpEndpoint');
  if (fromOption !== undefined) return parseEndpoint(fromOption, 'otlpEndpoint');
  for (const name of ['FLO_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_ENDPOINT']) {
    const fromEnv = envValue(env, name);
    if (fromEnv !== undefined) return parseEndpoint(fromEnv, name);
  }
  return undefined;
}

function parseEndpoint(raw: string, setting: string): URL {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new TelemetryConfigError(setting, `is not a valid URL: ${describe(raw)} (expected e.g. "http://localhost:4317")`);
  }
  if (url.username !== '' || url.password !== '') {
    // Never echo the URL here: it carries a password.
    throw new TelemetryConfigError(setting, 'must not contain credentials; send them as otlpHeaders (e.g. authorization)');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TelemetryConfigError(
      setting,
      `must start with http:// (plaintext gRPC) or https:// (gRPC over TLS), got ${describe(raw)}`,
    );
  }
  if (url.hostname === '') {
    throw new TelemetryConfigError(setting, `has no host: ${describe(raw)}`);
  }
  return url;
}

function endpointWarnings(endpoint: URL | undefined, env: TelemetryEnv, headerCount: number): string[] {
  const warnings: string[] = [];
  for (const name of ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT']) {
    if (envValue(env, name) !== undefined) {
      warnings.push(`${name} is ignored: set otlpEndpoint, FLO_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT`);
    }
  }
  const protocol = envValue(env, 'OTEL_EXPORTER_OTLP_PROTOCOL');
  if (protocol !== undefined && protocol !== 'grpc') {
    warnings.push(`OTEL_EXPORTER_OTLP_PROTOCOL=${protocol} is ignored: this kit exports over OTLP gRPC only`);
  }
  if (endpoint === undefined) {
    if (headerCount > 0) warnings.push('otlpHeaders are ignored: no OTLP endpoint is set');
    return warnings;
  }
  if (endpoint.pathname !== '/' && endpoint.pathname !== '') {
    warnings.push(`the path ${endpoint.pathname} of the OTLP endpoint is ignored: gRPC uses host and port only`);
  }
  if (endpoint.protocol === 'http:' && endpoint.port === '') {
    warnings.push(`the OTLP endpoint ${endpoint.origin} has no port; gRPC will use 443 (the OTLP gRPC port is 4317)`);
  }
  if (endpoint.protocol === 'http:' && headerCount > 0 && !isLoopback(endpoint.hostname)) {
    warnings.push(`OTLP headers are sent unencrypted to ${endpoint.origin}; use https:// for a remote collector`);
  }
  return warnings;
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || hostname.startsWith('127.');
}

// ---------------------------------------------------------------------------
// Headers

/** gRPC metadata keys after lowercasing; ":" pseudo-headers are not for callers. */
const HEADER_KEY = /^[0-9a-z_.-]+$/;
/** gRPC accepts printable ASCII only in text metadata. */
const HEADER_VALUE = /^[ -~]+$/;

function optionHeaders(headers: unknown): Record<string, string> {
  if (headers === undefined || headers === null) return {};
  if (!isPlainObject(headers)) {
    throw new TelemetryConfigError('otlpHeaders', `must be an object of header name to string value, got ${describe(headers)}`);
  }
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value !== 'string') {
      throw new TelemetryConfigError(`otlpHeaders[${JSON.stringify(name)}]`, `must be a string, got ${typeOnly(value)}`);
    }
    result[checkHeader('otlpHeaders', name, value)] = value;
  }
  return result;
}

/** All header entries of the `OTEL_EXPORTER_OTLP_*HEADERS` variables, as the exporters will send them. */
function headersFromEnv(env: TelemetryEnv): Array<[string, string]> {
  return HEADER_ENV_VARS.flatMap((name) => {
    const raw = envValue(env, name);
    return raw === undefined ? [] : parseHeaderList(raw, name);
  });
}

/**
 * `key1=value1,key2=value2`, percent-decoded, as `parseKeyPairsIntoRecord` of
 * @opentelemetry/core reads it for the exporters (a `;…` suffix is baggage
 * metadata and dropped). Stricter than core, which silently skips bad entries.
 */
function parseHeaderList(raw: string, setting: string): Array<[string, string]> {
  const entries: Array<[string, string]> = [];
  raw.split(',').forEach((entry, index) => {
    if (entry.trim() === '') return;
    const pair = entry.split(';', 1)[0] ?? '';
    const separator = pair.indexOf('=');
    if (separator <= 0) {
      // The entry may be a bare token: say where it is, not what it is.
      throw new TelemetryConfigError(setting, `entry ${index + 1} is not of the form name=value`);
    }
    const name = decodeOrThrow(pair.slice(0, separator).trim(), setting, `the name of entry ${index + 1}`);
    const value = decodeOrThrow(pair.slice(separator + 1).trim(), setting, `the value of header "${name}"`);
    entries.push([checkHeader(setting, name, value), value]);
  });
  return entries;
}

function checkHeader(setting: string, name: string, value: string): string {
  const key = name.toLowerCase();
  if (!HEADER_KEY.test(key)) {
    throw new TelemetryConfigError(setting, `has an invalid header name ${JSON.stringify(name)}: use letters, digits, "-", "_" and "."`);
  }
  if (key.startsWith('grpc-') || key.endsWith('-bin')) {
    throw new TelemetryConfigError(setting, `has a header name ${JSON.stringify(name)} reserved by gRPC ("grpc-" prefix, "-bin" suffix)`);
  }
  if (!HEADER_VALUE.test(value)) {
    throw new TelemetryConfigError(
      setting,
      `has an invalid value for header ${JSON.stringify(key)} (value redacted): it must be non-empty printable ASCII`,
    );
  }
  return key;
}

function decodeOrThrow(raw: string, setting: string, what: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new TelemetryConfigError(setting, `has invalid percent-encoding in ${what} (value redacted)`);
  }
}

/**
 * Each value, plus the credential of `<scheme> <credential>` values
 * ("Bearer abc…") on its own, since the token may be logged without its scheme.
 */
function secretsOf(values: readonly string[]): string[] {
  const credentials = values.flatMap((value) => value.trim().split(/\s+/).slice(1));
  return uniqueSorted([...values, ...credentials].filter((value) => value.length >= MIN_REDACTED_LENGTH));
}

// ---------------------------------------------------------------------------
// Resource attributes

/** `OTEL_RESOURCE_ATTRIBUTES=key1=value1,key2=value2`, percent-decoded; "," and "=" must be encoded. */
function parseResourceAttributesEnv(env: TelemetryEnv): Record<string, string> {
  const setting = 'OTEL_RESOURCE_ATTRIBUTES';
  const raw = envValue(env, setting);
  const attributes: Record<string, string> = {};
  if (raw === undefined) return attributes;
  raw.split(',').forEach((entry, index) => {
    if (entry.trim() === '') return;
    const parts = entry.split('=');
    const rawKey = parts[0]?.trim() ?? '';
    if (parts.length !== 2 || rawKey === '') {
      throw new TelemetryConfigError(
        setting,
        `entry ${index + 1} (${describe(entry)}) is not of the form key=value; percent-encode "," and "=" in values`,
      );
    }
    const key = decodeOrThrow(rawKey, setting, `entry ${index + 1}`);
    attributes[key] = decodeOrThrow(parts[1]?.trim() ?? '', setting, `the value of "${key}"`);
  });
  return attributes;
}

function additionalAttributes(attributes: unknown): Attributes {
  if (attributes === undefined || attributes === null) return {};
  if (!isPlainObject(attributes)) {
    throw new TelemetryConfigError('additionalAttributes', `must be an object of attribute key to value, got ${describe(attributes)}`);
  }
  const result: Attributes = {};
  for (const [key, value] of Object.entries(attributes)) {
    const setting = `additionalAttributes[${JSON.stringify(key)}]`;
    if (value === undefined || value === null) continue;
    if (key.trim() === '') throw new TelemetryConfigError('additionalAttributes', 'has an empty key');
    const dedicated = DEDICATED_RESOURCE_KEYS[key];
    if (dedicated !== undefined) {
      throw new TelemetryConfigError(setting, `is set by the kit; use the ${dedicated} option instead`);
    }
    if (!isAttributeValue(value)) {
      throw new TelemetryConfigError(
        setting,
        `must be a string, number, boolean or an array of one of them, got ${describe(value)}`,
      );
    }
    result[key] = value as AttributeValue;
  }
  return result;
}

function withoutDedicatedKeys(attributes: Record<string, string>): Attributes {
  return Object.fromEntries(Object.entries(attributes).filter(([key]) => !(key in DEDICATED_RESOURCE_KEYS)));
}

function stringAttribute(attributes: Record<string, string>, key: string): string | undefined {
  const value = attributes[key];
  return value === undefined || value === '' ? undefined : value;
}

// ---------------------------------------------------------------------------
// Scalar options and variables

function rejectUnknownOptions(options: object): void {
  for (const name of Object.keys(options)) {
    if (OPTION_NAMES.has(name)) continue;
    const camel = name.replace(/_([a-z])/g, (_match, letter: string) => letter.toUpperCase());
    const hint = OPTION_NAMES.has(camel) ? `; did you mean ${camel}?` : '';
    throw new TelemetryConfigError(name, `is not a telemetry option${hint}`);
  }
}

function optionalString(options: TelemetryOptions, name: keyof TelemetryOptions): string | undefined {
  const value: unknown = options[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.trim() === '') {
    throw new TelemetryConfigError(name, `must be a non-empty string, got ${describe(value)}`);
  }
  return value.trim();
}

function optionalBoolean(options: TelemetryOptions, name: keyof TelemetryOptions): boolean | undefined {
  const value: unknown = options[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw new TelemetryConfigError(name, `must be true or false, got ${describe(value)}`);
  return value;
}

function optionalMillis(options: TelemetryOptions, name: keyof TelemetryOptions): number | undefined {
  const value: unknown = options[name];
  if (value === undefined || value === null) return undefined;
  return checkMillis(value, name);
}

function envMillis(env: TelemetryEnv, name: string): number | undefined {
  const raw = envValue(env, name);
  return raw === undefined ? undefined : checkMillis(/^\d+$/.test(raw) ? Number(raw) : raw, name);
}

function checkMillis(value: unknown, setting: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > MAX_TIMER_MILLIS) {
    throw new TelemetryConfigError(
      setting,
      `must be a number of milliseconds between 1 and ${MAX_TIMER_MILLIS}, got ${describe(value)}`,
    );
  }
  return value;
}

function optionalLogLevel(value: unknown, setting: string): TelemetryLogLevel | undefined {
  if (value === undefined || value === null) return undefined;
  const level = typeof value === 'string' ? value.trim().toLowerCase() : undefined;
  const known = LOG_LEVELS.find((candidate) => candidate === level);
  if (known === undefined) {
    throw new TelemetryConfigError(setting, `must be one of ${LOG_LEVELS.join(', ')}, got ${describe(value)}`);
  }
  return known;
}

function optionalConventions(value: unknown, setting: string): Conventions | undefined {
  if (value === undefined || value === null) return undefined;
  const known = CONVENTIONS.find((candidate) => candidate === value);
  if (known === undefined) throw new TelemetryConfigError(setting, `must be one of ${CONVENTIONS.join(', ')}, got ${describe(value)}`);
  return known;
}

const CONTENT_CAPTURE_KEYS: ReadonlySet<string> = new Set(['enabled', 'maxLength', 'redact']);
const CONTENT_CAPTURE_ENV = 'OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT';

function optionalContentCapture(value: unknown): ContentCaptureOptions | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return { enabled: value };
  const setting = 'captureContent';
  if (!isPlainObject(value)) throw new TelemetryConfigError(setting, `must be true, false or { enabled, maxLength, redact }, got ${describe(value)}`);
  const unknown = Object.keys(value).filter((key) => !CONTENT_CAPTURE_KEYS.has(key));
  if (unknown.length > 0) throw new TelemetryConfigError(setting, `unknown key ${unknown.join(', ')}; expected enabled, maxLength, redact`);
  const { enabled, maxLength, redact } = value;
  if (typeof enabled !== 'boolean') throw new TelemetryConfigError(`${setting}.enabled`, `must be true or false, got ${describe(enabled)}`);
  if (maxLength !== undefined && !(maxLength === Infinity || (Number.isSafeInteger(maxLength) && (maxLength as number) > 0))) {
    throw new TelemetryConfigError(`${setting}.maxLength`, `must be a positive whole number or Infinity, got ${describe(maxLength)}`);
  }
  if (redact !== undefined && typeof redact !== 'function') {
    throw new TelemetryConfigError(`${setting}.redact`, `must be a function (text, kind) => string, got ${describe(redact)}`);
  }
  return { enabled, maxLength: maxLength as number | undefined, redact: redact as ContentCaptureOptions['redact'] };
}

function contentCaptureSummary(capture: ContentCaptureOptions): TelemetrySettings['captureContent'] {
  return Object.freeze({
    enabled: capture.enabled,
    maxLength: capture.maxLength ?? DEFAULT_CONTENT_MAX_LENGTH,
    redacted: capture.redact !== undefined,
  });
}

function envContentCapture(env: TelemetryEnv): ContentCaptureOptions | undefined {
  const raw = envValue(env, CONTENT_CAPTURE_ENV)?.toLowerCase();
  if (raw === undefined) return undefined;
  if (raw !== 'true' && raw !== 'false') throw new TelemetryConfigError(CONTENT_CAPTURE_ENV, `must be true or false, got ${describe(raw)}`);
  return { enabled: raw === 'true' };
}

function optionalDiagLogger(value: unknown): void {
  if (value === undefined || value === null) return;
  const methods = ['error', 'warn', 'info', 'debug', 'verbose'] as const;
  const valid =
    typeof value === 'object' &&
    methods.every((method) => typeof (value as Record<string, unknown>)[method] === 'function');
  if (!valid) {
    throw new TelemetryConfigError('diagLogger', `must have the methods ${methods.join(', ')}, got ${describe(value)}`);
  }
}

function optionalList(value: unknown, setting: string, isItem: (item: unknown) => boolean): void {
  if (value === undefined || value === null) return;
  if (!Array.isArray(value)) throw new TelemetryConfigError(setting, `must be an array, got ${describe(value)}`);
  value.forEach((item, index) => {
    if (!isItem(item)) throw new TelemetryConfigError(`${setting}[${index}]`, `is not usable here, got ${describe(item)}`);
  });
}

function isSpanProcessor(value: unknown): boolean {
  return hasMethods(value, ['onStart', 'onEnd', 'forceFlush', 'shutdown']);
}

function isMetricReader(value: unknown): boolean {
  return hasMethods(value, ['setMetricProducer', 'collect', 'forceFlush', 'shutdown']);
}

function hasMethods(value: unknown, methods: readonly string[]): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    methods.every((method) => typeof (value as Record<string, unknown>)[method] === 'function')
  );
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

/** A short, log-safe rendering of a bad value for error messages. */
function describe(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}…` : value);
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** For values that may be secrets: the type, never the content. */
function typeOnly(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

function uniqueSorted(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}
