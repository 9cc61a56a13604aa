/**
 * Option validation and the precedence table of docs/configuration.md:
 * explicit option > FLO_* > OTEL_* > default. `resolveTelemetryConfig` takes
 * the environment as a parameter, so these tests touch no global state.
 */
import { describe, expect, it } from 'vitest';
import { configureTelemetry, shutdownTelemetry } from '../../src/runtime/configure.ts';
import {
  TelemetryConfigError,
  isSdkDisabled,
  metricExportTimeoutFor,
  publicSettings,
  resolveTelemetryConfig,
  validateTelemetryOptions,
  type ResolvedTelemetryConfig,
  type TelemetryEnv,
  type TelemetryOptions,
} from '../../src/runtime/settings.ts';

const SECRET = 's3cr3t-token-value';

function resolve(options: TelemetryOptions = {}, env: TelemetryEnv = {}): ResolvedTelemetryConfig {
  return resolveTelemetryConfig(options, env);
}

/** The error thrown by `run`, asserting it is a TelemetryConfigError. */
function configError(run: () => unknown): TelemetryConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(TelemetryConfigError);
    return error as TelemetryConfigError;
  }
  throw new Error('expected a TelemetryConfigError, nothing was thrown');
}

interface PrecedenceRow {
  readonly row: string;
  readonly options?: TelemetryOptions;
  readonly env?: TelemetryEnv;
  readonly expected: unknown;
}

function precedence(setting: keyof ResolvedTelemetryConfig, rows: readonly PrecedenceRow[]): void {
  describe(`precedence of ${setting}`, () => {
    it.each(rows)('$row', ({ options, env, expected }) => {
      expect(resolve(options, env)[setting]).toEqual(expected);
    });
  });
}

precedence('serviceName', [
  {
    row: 'option beats OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES',
    options: { serviceName: 'from-option' },
    env: { OTEL_SERVICE_NAME: 'from-otel', OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-attrs' },
    expected: 'from-option',
  },
  {
    row: 'OTEL_SERVICE_NAME beats service.name in OTEL_RESOURCE_ATTRIBUTES',
    env: { OTEL_SERVICE_NAME: 'from-otel', OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-attrs' },
    expected: 'from-otel',
  },
  { row: 'service.name in OTEL_RESOURCE_ATTRIBUTES', env: { OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-attrs' }, expected: 'from-attrs' },
  { row: 'default', expected: 'flo_ai' },
  { row: 'empty variable counts as unset', env: { OTEL_SERVICE_NAME: '  ' }, expected: 'flo_ai' },
]);

precedence('serviceVersion', [
  {
    row: 'option beats OTEL_RESOURCE_ATTRIBUTES',
    options: { serviceVersion: '2.0.0' },
    env: { OTEL_RESOURCE_ATTRIBUTES: 'service.version=3.0.0' },
    expected: '2.0.0',
  },
  { row: 'service.version in OTEL_RESOURCE_ATTRIBUTES', env: { OTEL_RESOURCE_ATTRIBUTES: 'service.version=3.0.0' }, expected: '3.0.0' },
  { row: 'default', expected: '1.0.0' },
]);

precedence('environment', [
  {
    row: 'option beats FLO_ENV and OTEL_RESOURCE_ATTRIBUTES',
    options: { environment: 'production' },
    env: { FLO_ENV: 'staging', OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=qa' },
    expected: 'production',
  },
  {
    row: 'FLO_ENV beats OTEL_RESOURCE_ATTRIBUTES',
    env: { FLO_ENV: 'staging', OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=qa' },
    expected: 'staging',
  },
  {
    row: 'deployment.environment.name beats legacy deployment.environment in OTEL_RESOURCE_ATTRIBUTES',
    env: { OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=legacy,deployment.environment.name=qa' },
    expected: 'qa',
  },
  { row: 'legacy deployment.environment in OTEL_RESOURCE_ATTRIBUTES', env: { OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=legacy' }, expected: 'legacy' },
  { row: 'default', expected: 'development' },
]);

precedence('otlpEndpoint', [
  {
    row: 'option beats FLO_OTLP_ENDPOINT and OTEL_EXPORTER_OTLP_ENDPOINT',
    options: { otlpEndpoint: 'http://option:4317' },
    env: { FLO_OTLP_ENDPOINT: 'http://flo:4317', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel:4317' },
    expected: 'http://option:4317',
  },
  {
    row: 'FLO_OTLP_ENDPOINT beats OTEL_EXPORTER_OTLP_ENDPOINT',
    env: { FLO_OTLP_ENDPOINT: 'http://flo:4317', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel:4317' },
    expected: 'http://flo:4317',
  },
  { row: 'OTEL_EXPORTER_OTLP_ENDPOINT', env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otel:4317' }, expected: 'https://otel:4317' },
  { row: 'default: no OTLP export', expected: undefined },
]);

precedence('metricExportIntervalMillis', [
  {
    row: 'option beats OTEL_METRIC_EXPORT_INTERVAL',
    options: { metricExportIntervalMillis: 1000 },
    env: { OTEL_METRIC_EXPORT_INTERVAL: '2000' },
    expected: 1000,
  },
  { row: 'OTEL_METRIC_EXPORT_INTERVAL', env: { OTEL_METRIC_EXPORT_INTERVAL: '2000' }, expected: 2000 },
  { row: 'default', expected: 5000 },
]);

precedence('logLevel', [
  { row: 'option beats OTEL_LOG_LEVEL', options: { logLevel: 'error' }, env: { OTEL_LOG_LEVEL: 'debug' }, expected: 'error' },
  { row: 'OTEL_LOG_LEVEL, case-insensitive', env: { OTEL_LOG_LEVEL: 'DEBUG' }, expected: 'debug' },
  { row: 'default', expected: 'warn' },
]);

precedence('resourceAttributes', [
  {
    row: 'additionalAttributes beat OTEL_RESOURCE_ATTRIBUTES, key by key',
    options: { additionalAttributes: { team: 'ml', 'deployment.region': 'eu-west-1' } },
    env: { OTEL_RESOURCE_ATTRIBUTES: 'team=platform,cost.center=42' },
    expected: { team: 'ml', 'deployment.region': 'eu-west-1', 'cost.center': '42' },
  },
  {
    row: 'OTEL_RESOURCE_ATTRIBUTES, percent-decoded, minus the keys the kit sets',
    env: { OTEL_RESOURCE_ATTRIBUTES: 'service.name=x,note=a%2Cb%3Dc' },
    expected: { note: 'a,b=c' },
  },
  { row: 'default: none', expected: {} },
]);

precedence('otlpHeaderNames', [
  {
    row: 'names from otlpHeaders and every OTEL_EXPORTER_OTLP_*HEADERS variable',
    options: { otlpEndpoint: 'http://localhost:4317', otlpHeaders: { Authorization: SECRET } },
    env: {
      OTEL_EXPORTER_OTLP_HEADERS: 'x-tenant=acme',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-traces=1',
      OTEL_EXPORTER_OTLP_METRICS_HEADERS: 'x-metrics=1',
    },
    expected: ['authorization', 'x-metrics', 'x-tenant', 'x-traces'],
  },
]);

precedence('consoleExport', [
  { row: 'option', options: { consoleExport: true }, expected: true },
  { row: 'default', expected: false },
]);

precedence('shutdownTimeoutMillis', [
  { row: 'option', options: { shutdownTimeoutMillis: 250 }, expected: 250 },
  { row: 'default', expected: 5000 },
]);

precedence('installShutdownHooks', [
  { row: 'option', options: { installShutdownHooks: true }, expected: true },
  { row: 'default: no process hooks', expected: false },
]);

describe('OTEL_SDK_DISABLED', () => {
  it.each([
    ['true', true],
    [' TRUE ', true],
    ['false', false],
    ['', false],
    [undefined, false],
  ])('%j means disabled=%s', (value, disabled) => {
    expect(isSdkDisabled({ OTEL_SDK_DISABLED: value })).toBe(disabled);
  });

  it('warns about anything else and counts it as false, as the specification and @opentelemetry/core do', () => {
    const warnings: string[] = [];
    expect(isSdkDisabled({ OTEL_SDK_DISABLED: 'yes' }, (warning) => warnings.push(warning))).toBe(false);
    expect(warnings).toEqual(['OTEL_SDK_DISABLED="yes" is neither true nor false; telemetry stays enabled']);
    expect(resolve({}, { OTEL_SDK_DISABLED: '1' }).warnings.join('\n')).toContain('OTEL_SDK_DISABLED="1"');
  });
});

describe('metric export timeout', () => {
  it.each([1, 2, 100, 5000, 60_000])('stays below an interval of %i ms (or equal at 1 ms)', (interval) => {
    const timeout = metricExportTimeoutFor(interval);
    expect(timeout).toBeGreaterThan(0);
    expect(timeout).toBeLessThanOrEqual(10_000);
    if (interval > 1) expect(timeout).toBeLessThan(interval);
  });
});

describe('invalid options', () => {
  it.each<[string, TelemetryOptions | unknown, string, string]>([
    ['serviceName of the wrong type', { serviceName: 42 }, 'serviceName', '42'],
    ['empty serviceName', { serviceName: ' ' }, 'serviceName', 'non-empty'],
    ['negative interval', { metricExportIntervalMillis: -1 }, 'metricExportIntervalMillis', '-1'],
    ['NaN interval', { metricExportIntervalMillis: Number.NaN }, 'metricExportIntervalMillis', 'NaN'],
    ['interval as a string', { metricExportIntervalMillis: '5000' }, 'metricExportIntervalMillis', '"5000"'],
    ['interval beyond timer range', { metricExportIntervalMillis: 2 ** 31 }, 'metricExportIntervalMillis', '2147483648'],
    ['zero shutdown timeout', { shutdownTimeoutMillis: 0 }, 'shutdownTimeoutMillis', '0'],
    ['export request budget below a sane minimum', { exportRequestMaxBytes: 1024 }, 'exportRequestMaxBytes', 'between 65536 and'],
    ['export request budget as a string', { exportRequestMaxBytes: '3MiB' }, 'exportRequestMaxBytes', '"3MiB"'],
    ['export request budget not a number', { exportRequestMaxBytes: Number.NaN }, 'exportRequestMaxBytes', 'NaN'],
    ['consoleExport as a string', { consoleExport: 'yes' }, 'consoleExport', '"yes"'],
    ['unknown log level', { logLevel: 'loud' }, 'logLevel', '"loud"'],
    ['endpoint without scheme', { otlpEndpoint: 'localhost:4317' }, 'otlpEndpoint', 'http://'],
    ['endpoint with another scheme', { otlpEndpoint: 'ftp://collector:21' }, 'otlpEndpoint', '"ftp://collector:21"'],
    ['unparsable endpoint', { otlpEndpoint: 'http://' }, 'otlpEndpoint', 'not a valid URL'],
    ['additionalAttributes with an object value', { additionalAttributes: { nested: { a: 1 } } }, 'additionalAttributes["nested"]', 'an object'],
    ['additionalAttributes setting a kit key', { additionalAttributes: { 'service.name': 'x' } }, 'additionalAttributes["service.name"]', 'serviceName option'],
    ['additionalAttributes as an array', { additionalAttributes: ['a'] }, 'additionalAttributes', 'an array'],
    ['diagLogger without methods', { diagLogger: { error: () => {} } }, 'diagLogger', 'warn'],
    ['spanProcessors holding an exporter', { spanProcessors: [{ export: () => {} }] }, 'spanProcessors[0]', 'not usable'],
    ['options not an object', 'http://localhost:4317', 'options', 'must be an object'],
    ['snake_case option of the Python API', { otlp_endpoint: 'http://localhost:4317' }, 'otlp_endpoint', 'did you mean otlpEndpoint?'],
  ])('%s', (_case, options, setting, inMessage) => {
    const error = configError(() => validateTelemetryOptions(options));
    expect(error.setting).toBe(setting);
    expect(error.message).toContain(inMessage);
    expect(error.name).toBe('TelemetryConfigError');
  });

  it('accepts undefined and null as "not set"', () => {
    const config = resolve({ serviceName: undefined, otlpEndpoint: null as unknown as undefined });
    expect(config.serviceName).toBe('flo_ai');
    expect(config.otlpEndpoint).toBeUndefined();
  });

  it('never echoes credentials embedded in an endpoint URL', () => {
    const error = configError(() => validateTelemetryOptions({ otlpEndpoint: `https://user:${SECRET}@collector:4317` }));
    expect(error.message).toContain('credentials');
    expect(error.message).not.toContain(SECRET);
  });

  it.each([
    ['a query string, with another scheme', `grpc://collector:4317/?api_key=${SECRET}`, 'otlpEndpoint'],
    ['a query string, unparsable', `http://exa mple:4317/?api_key=${SECRET}`, 'otlpEndpoint'],
    ['userinfo, with another scheme', `grpc://${SECRET}@collector:4317`, 'otlpEndpoint'],
    ['userinfo, unparsable', `http://admin:${SECRET}@exa mple:4317`, 'otlpEndpoint'],
    ['a fragment, no host', `http://?#${SECRET}`, 'otlpEndpoint'],
  ])('never echoes a secret in %s', (_case, otlpEndpoint, setting) => {
    const error = configError(() => validateTelemetryOptions({ otlpEndpoint }));
    expect(error.setting).toBe(setting);
    expect(error.message).not.toContain(SECRET);
    const fromEnv = configError(() => resolve({}, { FLO_OTLP_ENDPOINT: otlpEndpoint }));
    expect(fromEnv.message).not.toContain(SECRET);
  });

  it('redacts the query values of a valid endpoint in diagnostics', () => {
    expect(resolve({ otlpEndpoint: `https://collector:4317/?api_key=${SECRET}` }).secretValues).toContain(SECRET);
  });
});

describe('invalid environment variables', () => {
  // The kit's own variables are set for this application: a mistake there is a configuration error, like an option.
  it.each<[string, TelemetryEnv, string, string]>([
    ['FLO_OTLP_ENDPOINT without scheme', { FLO_OTLP_ENDPOINT: 'collector:4317' }, 'FLO_OTLP_ENDPOINT', '"collector:4317"'],
    ['FLO_RETRY_QUEUE_MAX_SPANS not a number', { FLO_RETRY_QUEUE_MAX_SPANS: 'lots' }, 'FLO_RETRY_QUEUE_MAX_SPANS', '"lots"'],
    ['FLO_EXPORT_REQUEST_MAX_BYTES below the minimum', { FLO_EXPORT_REQUEST_MAX_BYTES: '4096' }, 'FLO_EXPORT_REQUEST_MAX_BYTES', 'between 65536 and'],
    ['FLO_ERROR_MESSAGES unknown', { FLO_ERROR_MESSAGES: 'some' }, 'FLO_ERROR_MESSAGES', 'with-content, always, never'],
    ['FLO_CONVENTIONS unknown', { FLO_CONVENTIONS: 'genai' }, 'FLO_CONVENTIONS', 'flo, gen_ai, both'],
  ])('%s throws TelemetryConfigError naming it', (_case, env, setting, inMessage) => {
    const error = configError(() => resolve({}, env));
    expect(error.setting).toBe(setting);
    expect(error.message).toContain(inMessage);
  });

  // OpenTelemetry's are shared by every SDK in the process: as its specification says, one that cannot be
  // parsed is reported with a warning and treated as unset.
  it.each<[string, TelemetryEnv, keyof ReturnType<typeof resolve>, unknown, string]>([
    ['OTEL_EXPORTER_OTLP_ENDPOINT unparsable', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://exa mple' }, 'otlpEndpoint', undefined, 'not a valid URL'],
    ['OTEL_METRIC_EXPORT_INTERVAL not a number', { OTEL_METRIC_EXPORT_INTERVAL: 'soon' }, 'metricExportIntervalMillis', 5000, '"soon"'],
    ['OTEL_METRIC_EXPORT_INTERVAL zero', { OTEL_METRIC_EXPORT_INTERVAL: '0' }, 'metricExportIntervalMillis', 5000, 'between 1 and'],
    ['OTEL_LOG_LEVEL unknown', { OTEL_LOG_LEVEL: 'loud' }, 'logLevel', 'warn', '"loud"'],
    ['OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT neither true nor false', { OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'maybe' }, 'contentCapture', { enabled: false }, '"maybe"'],
    ['service.version in OTEL_RESOURCE_ATTRIBUTES empty after trimming', { OTEL_RESOURCE_ATTRIBUTES: 'service.version=%20' }, 'serviceVersion', '1.0.0', 'service.version in OTEL_RESOURCE_ATTRIBUTES'],
  ])('%s: a warning naming it, and the setting as if it were not set', (_case, env, setting, value, inWarning) => {
    const config = resolve({}, env);
    expect(config[setting]).toEqual(value);
    const name = Object.keys(env)[0] as string;
    expect(config.warnings.find((warning) => warning.startsWith(name.startsWith('OTEL_RESOURCE') ? 'service.version' : name))).toMatch(new RegExp(`${inWarning.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*; ignored, as if it were not set`));
  });

  it('an unparsable OTEL_* variable gives way to the next source: a FLO_* one before it still wins, a default after', () => {
    expect(resolve({}, { FLO_OTLP_ENDPOINT: 'http://flo:4317', OTEL_EXPORTER_OTLP_ENDPOINT: 'nonsense' }).otlpEndpoint).toBe('http://flo:4317');
    expect(resolve({}, { OTEL_LOG_LEVEL: 'loud' }).warnings).toHaveLength(1);
  });

  it('configureTelemetry() starts with OTEL_METRIC_EXPORT_INTERVAL=soon, warning through diag', async () => {
    const saved = process.env.OTEL_METRIC_EXPORT_INTERVAL;
    process.env.OTEL_METRIC_EXPORT_INTERVAL = 'soon';
    const warned: string[] = [];
    try {
      const handle = configureTelemetry({ diagLogger: { error: () => {}, warn: (message: string) => void warned.push(message), info: () => {}, debug: () => {}, verbose: () => {} } });
      expect(handle?.settings.metricExportIntervalMillis).toBe(5000);
      expect(warned.join('\n')).toMatch(/OTEL_METRIC_EXPORT_INTERVAL must be a number of milliseconds.*"soon".*ignored/);
    } finally {
      await shutdownTelemetry();
      if (saved === undefined) delete process.env.OTEL_METRIC_EXPORT_INTERVAL;
      else process.env.OTEL_METRIC_EXPORT_INTERVAL = saved;
    }
  });
});

describe('headers', () => {
  const endpoint = { otlpEndpoint: 'http://localhost:4317' };

  it('lowercases names and keeps values', () => {
    const config = resolve({ ...endpoint, otlpHeaders: { 'X-Api-Key': SECRET } });
    expect(config.otlpHeaders).toEqual({ 'x-api-key': SECRET });
    expect(config.secretValues).toContain(SECRET);
  });

  it('collects values from OTEL_EXPORTER_OTLP_*HEADERS for redaction, percent-decoded', () => {
    const config = resolve(endpoint, {
      OTEL_EXPORTER_OTLP_HEADERS: `authorization=Bearer%20${SECRET}`,
      OTEL_EXPORTER_OTLP_METRICS_HEADERS: 'x-metrics-key=metrics-secret',
    });
    expect(config.secretValues).toEqual(expect.arrayContaining([`Bearer ${SECRET}`, 'metrics-secret']));
    // Env headers are sent by the exporters themselves, not passed again as metadata.
    expect(config.otlpHeaders).toEqual({});
  });

  it.each<[string, TelemetryOptions, TelemetryEnv, string]>([
    ['a value with a line break', { otlpHeaders: { authorization: `Bearer ${SECRET}\nx` } }, {}, 'otlpHeaders'],
    ['a non-ASCII value', { otlpHeaders: { authorization: `${SECRET}é` } }, {}, 'otlpHeaders'],
    ['an empty value', { otlpHeaders: { authorization: '' } }, {}, 'otlpHeaders'],
    ['a value of the wrong type', { otlpHeaders: { authorization: 42 as unknown as string } }, {}, 'otlpHeaders["authorization"]'],
  ])('rejects %s without showing the value', (_case, options, env, setting) => {
    const error = configError(() => resolve({ ...endpoint, ...options }, env));
    expect(error.setting).toBe(setting);
    expect(error.message).not.toContain(SECRET);
  });

  it.each([
    ['a name with a space', { 'x api key': 'v' }, '"x api key"'],
    ['a gRPC reserved name', { 'grpc-timeout': '1S' }, 'reserved'],
    ['a binary header name', { 'token-bin': 'abc' }, 'reserved'],
  ])('rejects %s, naming it', (_case, otlpHeaders, inMessage) => {
    const error = configError(() => resolve({ ...endpoint, otlpHeaders }));
    expect(error.setting).toBe('otlpHeaders');
    expect(error.message).toContain(inMessage);
  });

  it.each<[string, TelemetryEnv]>([
    ['a bare token', { OTEL_EXPORTER_OTLP_HEADERS: SECRET }],
    ['bad percent-encoding', { OTEL_EXPORTER_OTLP_HEADERS: `authorization=${SECRET}%ZZ` }],
    ['an empty value', { OTEL_EXPORTER_OTLP_METRICS_HEADERS: `authorization=,x=${SECRET}` }],
  ])('leaves the variables to the exporters\' parser: %s is skipped with a warning that shows no value', (_case, env) => {
    const config = resolve(endpoint, env);
    expect(config.warnings.join('\n')).toMatch(/entries are not name=value/);
    expect(config.warnings.join('\n')).not.toContain(SECRET);
  });

  it('does not validate header variables while OTLP export is off', () => {
    expect(() => resolve({}, { OTEL_EXPORTER_OTLP_HEADERS: 'garbage' })).not.toThrow();
  });
});

describe('warnings', () => {
  it.each<[string, TelemetryOptions, TelemetryEnv, string]>([
    ['OTEL_RESOURCE_ATTRIBUTES with a bare word', {}, { OTEL_RESOURCE_ATTRIBUTES: 'ok=1,oops' }, 'OTEL_RESOURCE_ATTRIBUTES: 1 of 2 entries'],
    ['OTEL_RESOURCE_ATTRIBUTES with bad percent-encoding', {}, { OTEL_RESOURCE_ATTRIBUTES: 'a=%ZZ' }, 'OTEL_RESOURCE_ATTRIBUTES: 1 of 1 entries'],
    ['an http endpoint without port', { otlpEndpoint: 'http://collector' }, {}, 'no port'],
    ['a path in the endpoint', { otlpEndpoint: 'https://collector:4317/v1/traces' }, {}, 'path /v1/traces'],
    ['a signal-specific endpoint variable', {}, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://x:4317' }, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is ignored'],
    ['another OTLP protocol', {}, { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' }, 'gRPC only'],
    ['headers without an endpoint', { otlpHeaders: { authorization: SECRET } }, {}, 'otlpHeaders are ignored'],
    [
      'headers over plaintext to a remote host',
      { otlpEndpoint: 'http://collector.example.com:4317', otlpHeaders: { authorization: SECRET } },
      {},
      'unencrypted',
    ],
  ])('for %s', (_case, options, env, inWarning) => {
    const { warnings } = resolve(options, env);
    expect(warnings.join('\n')).toContain(inWarning);
    expect(warnings.join('\n')).not.toContain(SECRET);
  });

  it('none for a plaintext loopback collector with headers', () => {
    expect(resolve({ otlpEndpoint: 'http://127.0.0.1:4317', otlpHeaders: { authorization: SECRET } }).warnings).toEqual([]);
  });
});

precedence('conventions', [
  { row: 'option beats FLO_CONVENTIONS', options: { conventions: 'flo' }, env: { FLO_CONVENTIONS: 'gen_ai' }, expected: 'flo' },
  { row: 'FLO_CONVENTIONS beats the default', env: { FLO_CONVENTIONS: 'gen_ai' }, expected: 'gen_ai' },
  { row: 'default: both', expected: 'both' },
]);

describe('conventions validation', () => {
  it('names the option and the bad value', () => {
    const error = configError(() => validateTelemetryOptions({ conventions: 'otel' }));
    expect(error.setting).toBe('conventions');
    expect(error.message).toContain('must be one of flo, gen_ai, both, got "otel"');
  });

  it('names FLO_CONVENTIONS when the variable is wrong', () => {
    expect(configError(() => resolve({}, { FLO_CONVENTIONS: 'all' })).setting).toBe('FLO_CONVENTIONS');
  });
});

describe('captureContentIn: where captured GenAI content goes', () => {
  it('is span by default; the option takes span, event or span_and_event', () => {
    expect(resolve().captureContentIn).toBe('span');
    expect(resolve({ captureContentIn: 'event' }).captureContentIn).toBe('event');
    expect(resolve({ captureContentIn: 'span_and_event' }).captureContentIn).toBe('span_and_event');
    expect(configError(() => resolve({ captureContentIn: 'log' as never })).message).toContain('captureContentIn must be one of span, event, span_and_event, got "log"');
  });

  it('OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT takes the modes of OpenTelemetry’s GenAI instrumentations, in any case, which turn capture on too', () => {
    const of = (value: string) => {
      const config = resolve({}, { OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: value });
      return [config.captureContent.enabled, config.captureContentIn];
    };
    expect(of('SPAN_ONLY')).toEqual([true, 'span']);
    expect(of('event_only')).toEqual([true, 'event']);
    expect(of('Span_And_Event')).toEqual([true, 'span_and_event']);
    expect(of('NO_CONTENT')).toEqual([false, 'span']);
    expect(of('true')).toEqual([true, 'span']);
    // The options beat the variable, each on its own.
    expect(resolve({ captureContentIn: 'span' }, { OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'EVENT_ONLY' }).captureContentIn).toBe('span');
  });

  it('an unknown mode is warned about once and treated as unset, as for any OTEL_* variable', () => {
    const config = resolve({}, { OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'LOGS_ONLY' });
    expect([config.captureContent.enabled, config.captureContentIn]).toEqual([false, 'span']);
    expect(config.warnings).toEqual([
      'OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT must be true, false, NO_CONTENT, SPAN_ONLY, EVENT_ONLY or SPAN_AND_EVENT, got "LOGS_ONLY"; ignored, as if it were not set',
    ]);
  });
});

describe('captureContent', () => {
  const enabled = (options: TelemetryOptions, env: TelemetryEnv = {}) => resolve(options, env).captureContent.enabled;

  it('is off by default', () => {
    expect(resolve().captureContent).toEqual({ enabled: false, maxLength: 4096, redacted: false });
  });

  it('option beats OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT, which beats the default', () => {
    const env = { OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'true' };
    expect(enabled({ captureContent: false }, env)).toBe(false);
    expect(enabled({}, env)).toBe(true);
    expect(enabled({}, { OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'FALSE' })).toBe(false);
  });

  it('keeps maxLength and the redact hook for the instrumentation, and shows only that a hook is set', () => {
    const redact = (text: string) => text.replaceAll('secret', '***');
    const config = resolve({ captureContent: { enabled: true, maxLength: 100, redact } });
    expect(config.contentCapture).toEqual({ enabled: true, maxLength: 100, redact });
    expect(publicSettings(config).captureContent).toEqual({ enabled: true, maxLength: 100, redacted: true });
  });

  it.each<[string, unknown, string, string]>([
    ['a string', 'yes', 'captureContent', 'must be true, false or { enabled, maxLength, redact }'],
    ['an unknown key', { enabled: true, max: 10 }, 'captureContent', 'unknown key max'],
    ['no enabled flag', { maxLength: 10 }, 'captureContent.enabled', 'must be true or false'],
    ['a zero maxLength', { enabled: true, maxLength: 0 }, 'captureContent.maxLength', 'positive whole number'],
    ['a fractional maxLength', { enabled: true, maxLength: 2.5 }, 'captureContent.maxLength', 'positive whole number'],
    ['a redact that is not a function', { enabled: true, redact: 'mask' }, 'captureContent.redact', 'must be a function'],
  ])('rejects %s, naming the setting', (_case, captureContent, setting, inMessage) => {
    const error = configError(() => validateTelemetryOptions({ captureContent }));
    expect(error.setting).toBe(setting);
    expect(error.message).toContain(inMessage);
  });

});
