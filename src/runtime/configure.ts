/**
 * The telemetry lifecycle: start the OpenTelemetry Node SDK, bind the
 * generated recorders to it, hand out tracers and meters, and shut it all
 * down within a bounded time.
 *
 * One session at a time. Configuring again replaces the running session:
 * recorders switch at once, the old SDK is flushed and shut down in the
 * background, and the OpenTelemetry API globals are released before the new
 * SDK registers its own, so no provider leaks.
 */
import { hostname } from 'node:os';
import { inspect } from 'node:util';
import {
  DiagConsoleLogger,
  DiagLogLevel,
  ProxyTracerProvider,
  context,
  createNoopMeter,
  diag,
  logs,
  metrics,
  propagation,
  trace,
  type Attributes,
  type DiagLogFunction,
  type DiagLogger,
  type Meter,
  type Tracer,
} from '@opentelemetry/api';
import {
  defaultResource,
  detectResources,
  osDetector,
  resourceFromAttributes,
  serviceInstanceIdDetector,
  type Resource,
} from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import {
  ATTR_DEPLOYMENT_ENVIRONMENT_NAME,
  ATTR_SERVICE_NAME,
  ATTR_SERVICE_VERSION,
} from '@opentelemetry/semantic-conventions';
import { ATTR_DEPLOYMENT_ENVIRONMENT, ATTR_HOST_NAME } from '@opentelemetry/semantic-conventions/incubating';
import { SCOPE_NAME, SCOPE_VERSION } from '../generated/scope.ts';
import { bindProviders, currentBinding, unbindProviders, type ProviderBinding } from './binding.ts';
import { setContentCapture } from './content.ts';
import { setConventions } from './conventions.ts';
import { buildExportPipeline, type ExportPipeline } from './exporters.ts';
import {
  TelemetryConfigError,
  isSdkDisabled,
  publicSettings,
  resolveTelemetryConfig,
  validateTelemetryOptions,
  type ResolvedTelemetryConfig,
  type TelemetryLogLevel,
  type TelemetryOptions,
  type TelemetrySettings,
} from './options.ts';


/** What `configureTelemetry()` returns: the session it started. */
export interface TelemetryHandle {
  /** The settings in effect after options, FLO_*, OTEL_* and defaults were combined. No header values. */
  readonly settings: TelemetrySettings;
  /** The resource every span and metric of this session carries. */
  readonly resourceAttributes: Readonly<Attributes>;
  /** Exports what is buffered now. Resolves within `shutdownTimeoutMillis`; never rejects (failures go to diag). */
  forceFlush(): Promise<void>;
  /** `shutdownTelemetry()` while this session is current; once replaced, resolves when its background shutdown ends. */
  shutdown(): Promise<void>;
}

interface Session {
  readonly config: ResolvedTelemetryConfig;
  readonly sdk: NodeSDK;
  readonly pipeline: ExportPipeline;
  readonly binding: ProviderBinding;
  readonly removeShutdownHooks: () => void;
  /** Set once the session is stopped; settles within its shutdown bound. */
  stopped: Promise<void> | undefined;
}

let current: Session | undefined;
let lastStopped: Promise<void> = Promise.resolve();

/**
 * Starts telemetry, or replaces the running configuration.
 *
 * Returns `undefined`, starting nothing, when `OTEL_SDK_DISABLED=true`.
 * Throws `TelemetryConfigError` for invalid options or variables; the
 * previous session, if any, then keeps running untouched.
 */
export function configureTelemetry(options?: TelemetryOptions): TelemetryHandle | undefined {
  validateTelemetryOptions(options);
  if (isSdkDisabled()) {
    void stopCurrentSession();
    diag.info('OTEL_SDK_DISABLED=true: telemetry not started');
    return undefined;
  }
  const config = resolveTelemetryConfig(options);
  if (current === undefined) assertGlobalsAreFree();
  const pipeline = buildPipeline(config);
  const resource = buildResource(config);
  const sdk = new NodeSDK({
    resource,
    autoDetectResources: false,
    spanProcessors: [...pipeline.spanProcessors],
    metricReaders: [...pipeline.metricReaders],
    // Passing all three keeps NodeSDK from building exporters out of OTEL_* variables.
    logRecordProcessors: [],
    instrumentations: [],
  });
  // After the NodeSDK constructor, which installs a console logger of its own when OTEL_LOG_LEVEL is set.
  installDiagLogger(config);
  reportConfigurationProblems(config, pipeline);

  void stopCurrentSession();
  setConventions(config.conventions);
  setContentCapture(config.contentCapture);
  startSdk(sdk);
  const session: Session = {
    config,
    sdk,
    pipeline,
    binding: bindProviders({
      tracerProvider: trace.getTracerProvider(),
      meterProvider: metrics.getMeterProvider(),
    }),
    removeShutdownHooks: config.installShutdownHooks ? installShutdownHooks() : () => {},
    stopped: undefined,
  };
  current = session;
  diag.info('telemetry configured', publicSettings(config));
  return createHandle(session, resource);
}

/**
 * Stops telemetry: recorders become no-ops at once, then both signals are
 * flushed and the SDK shut down. Resolves within `shutdownTimeoutMillis`
 * and never rejects. Harmless when called twice or before configuring.
 */
export function shutdownTelemetry(): Promise<void> {
  return stopCurrentSession();
}

/** A tracer of the running session, or `undefined` while telemetry is not configured. */
export function getTracer(name: string = SCOPE_NAME, version: string = SCOPE_VERSION): Tracer | undefined {
  return current?.binding.tracerProvider.getTracer(name, version);
}

/** A meter of the running session, or `undefined` while telemetry is not configured. */
export function getMeter(name: string = SCOPE_NAME, version: string = SCOPE_VERSION): Meter | undefined {
  return current?.binding.meterProvider.getMeter(name, version);
}

export function isTelemetryConfigured(): boolean {
  return current !== undefined;
}

// ---------------------------------------------------------------------------
// Session lifecycle

function buildPipeline(config: ResolvedTelemetryConfig): ExportPipeline {
  try {
    return buildExportPipeline(config);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new TelemetryConfigError('OTLP exporter', `could not be created: ${redact(message, config.secretValues)}`);
  }
}

function startSdk(sdk: NodeSDK): void {
  try {
    sdk.start();
  } catch (error) {
    releaseApiGlobals();
    void sdk.shutdown().catch(() => {});
    throw error;
  }
}

/**
 * Detaches the running session synchronously (recorders first, so they stop
 * recording before anything else happens) and shuts its SDK down in the
 * background. The returned promise settles within the session's bound.
 */
function stopCurrentSession(): Promise<void> {
  const session = current;
  if (session === undefined) return lastStopped;
  current = undefined;
  if (currentBinding() === session.binding) unbindProviders();
  session.removeShutdownHooks();
  releaseApiGlobals();
  session.stopped = settleWithin(() => session.sdk.shutdown(), session.config.shutdownTimeoutMillis, 'telemetry shutdown');
  lastStopped = session.stopped;
  return session.stopped;
}

/**
 * NodeSDK.shutdown() leaves its providers registered with the API, and the
 * API refuses a second registration: release them so a later configure works
 * and `trace`/`metrics` users get no-ops instead of a shut-down SDK.
 */
function releaseApiGlobals(): void {
  trace.disable();
  metrics.disable();
  logs.disable();
  propagation.disable();
  context.disable();
}

/**
 * The kit owns the API globals while configured. If another SDK registered
 * them first, NodeSDK would fail to register silently (a diag line) and the
 * recorders would feed that SDK; refuse instead, with a way out.
 */
function assertGlobalsAreFree(): void {
  const tracerProvider = trace.getTracerProvider();
  const tracingTaken =
    !(tracerProvider instanceof ProxyTracerProvider) ||
    tracerProvider.getDelegate() !== new ProxyTracerProvider().getDelegate();
  const metricsTaken = metrics.getMeterProvider().getMeter(SCOPE_NAME) !== createNoopMeter();
  if (tracingTaken || metricsTaken) {
    throw new TelemetryConfigError(
      'configureTelemetry()',
      'found OpenTelemetry providers registered by another SDK. Either let configureTelemetry() own them ' +
        '(shut the other SDK down and call trace.disable() and metrics.disable()), or keep your SDK and ' +
        'call bindProviders({ tracerProvider, meterProvider }) so the recorders use it.',
    );
  }
}

function createHandle(session: Session, resource: Resource): TelemetryHandle {
  return Object.freeze({
    settings: publicSettings(session.config),
    resourceAttributes: Object.freeze({ ...resource.attributes }),
    forceFlush: () => flushSession(session),
    shutdown: () => (current === session ? stopCurrentSession() : (session.stopped ?? lastStopped)),
  });
}

function flushSession(session: Session): Promise<void> {
  const { spanProcessors, metricReaders } = session.pipeline;
  return settleWithin(
    () => Promise.all([...spanProcessors.map((p) => p.forceFlush()), ...metricReaders.map((r) => r.forceFlush())]),
    session.config.shutdownTimeoutMillis,
    'telemetry flush',
  );
}

/**
 * Runs `work` and resolves when it settles or when `timeoutMillis` passed,
 * whichever comes first. Never rejects: failures and timeouts go to diag.
 * A timeout does not cancel the work; its own deadlines end it later.
 */
function settleWithin(work: () => Promise<unknown>, timeoutMillis: number, what: string): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      diag.warn(`${what} did not finish within ${timeoutMillis} ms; telemetry not yet exported is dropped`);
      resolve();
    }, timeoutMillis);
    const finish = (): void => {
      clearTimeout(timer);
      resolve();
    };
    Promise.resolve()
      .then(work)
      .then(finish, (error: unknown) => {
        diag.error(`${what} failed`, error);
        finish();
      });
  });
}

// ---------------------------------------------------------------------------
// Resource

/**
 * Lowest to highest priority: SDK defaults (telemetry.sdk.*), cheap local
 * facts, OTEL_RESOURCE_ATTRIBUTES plus additionalAttributes, then the keys the
 * kit owns. Only synchronous, deterministic detectors: host.id would spawn
 * `ioreg`/`REG QUERY` on macOS/Windows, and process.command_args can carry
 * secrets passed on the command line.
 */
function buildResource(config: ResolvedTelemetryConfig): Resource {
  return defaultResource()
    .merge(detectResources({ detectors: [osDetector, serviceInstanceIdDetector] }))
    .merge(resourceFromAttributes({ [ATTR_HOST_NAME]: hostname() }))
    .merge(resourceFromAttributes(config.resourceAttributes))
    .merge(
      resourceFromAttributes({
        [ATTR_SERVICE_NAME]: config.serviceName,
        [ATTR_SERVICE_VERSION]: config.serviceVersion,
        [ATTR_DEPLOYMENT_ENVIRONMENT_NAME]: config.environment,
        [ATTR_DEPLOYMENT_ENVIRONMENT]: config.environment,
      }),
    );
}

// ---------------------------------------------------------------------------
// Diagnostics

const DIAG_LEVELS: Readonly<Record<TelemetryLogLevel, DiagLogLevel>> = {
  none: DiagLogLevel.NONE,
  error: DiagLogLevel.ERROR,
  warn: DiagLogLevel.WARN,
  info: DiagLogLevel.INFO,
  debug: DiagLogLevel.DEBUG,
  verbose: DiagLogLevel.VERBOSE,
  all: DiagLogLevel.ALL,
};

function installDiagLogger(config: ResolvedTelemetryConfig): void {
  const logger = redactingLogger(config.diagLogger ?? new DiagConsoleLogger(), config.secretValues);
  diag.setLogger(logger, { logLevel: DIAG_LEVELS[config.logLevel], suppressOverrideMessage: true });
}

function reportConfigurationProblems(config: ResolvedTelemetryConfig, pipeline: ExportPipeline): void {
  for (const warning of config.warnings) diag.warn(warning);
  if (!pipeline.exportsAnything) {
    diag.warn(
      'telemetry is configured but exports nowhere: set otlpEndpoint (or FLO_OTLP_ENDPOINT, ' +
        'OTEL_EXPORTER_OTLP_ENDPOINT) or consoleExport: true. Spans and metrics are recorded, then dropped.',
    );
  }
}

/**
 * No component is known to log OTLP header values, but a future exporter
 * version, a gRPC error or a caller's mistake could; diagnostics pass through
 * this filter so a token never reaches the logs.
 */
function redactingLogger(logger: DiagLogger, secrets: readonly string[]): DiagLogger {
  if (secrets.length === 0) return logger;
  const longestFirst = [...secrets].sort((a, b) => b.length - a.length);
  const wrap =
    (log: DiagLogFunction): DiagLogFunction =>
    (message, ...args) =>
      log.call(logger, redact(String(message), longestFirst), ...args.map((arg) => redactArgument(arg, longestFirst)));
  return {
    error: wrap(logger.error),
    warn: wrap(logger.warn),
    info: wrap(logger.info),
    debug: wrap(logger.debug),
    verbose: wrap(logger.verbose),
  };
}

function redactArgument(argument: unknown, secrets: readonly string[]): unknown {
  if (typeof argument === 'string') return redact(argument, secrets);
  if (typeof argument !== 'object' || argument === null) return argument;
  const rendered = inspect(argument, { depth: 6, breakLength: Infinity });
  return secrets.some((secret) => rendered.includes(secret)) ? redact(rendered, secrets) : argument;
}

function redact(text: string, secrets: readonly string[]): string {
  return secrets.reduce((result, secret) => result.split(secret).join('[REDACTED]'), text);
}

// ---------------------------------------------------------------------------
// Process hooks (opt-in)

/**
 * Flushes when the event loop drains (`beforeExit`) and on SIGTERM/SIGINT.
 * Listening to a signal replaces Node's default "terminate"; so once flushed,
 * if no other listener handles the signal, it is raised again and the process
 * ends the way it would have without us.
 */
function installShutdownHooks(): () => void {
  const onSignal = (signal: NodeJS.Signals): void => {
    void stopCurrentSession().then(() => {
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  };
  const onBeforeExit = (): void => {
    void stopCurrentSession();
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  process.once('beforeExit', onBeforeExit);
  return () => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    process.off('beforeExit', onBeforeExit);
  };
}
