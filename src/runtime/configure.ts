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
  type DiagLogger,
  type Logger,
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
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { NodeSDK } from '@opentelemetry/sdk-node';
// Generated from the spec (semconv/runtime.yaml): the runtime needs no copy of the semantic conventions package.
import { ATTR_DEPLOYMENT_ENVIRONMENT_NAME, ATTR_HOST_NAME, ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '../generated/attributes.ts';
import { SCOPE_NAME, SCOPE_VERSION } from '../generated/scope.ts';
import { bindProviders, unbindProviders } from './bind.ts';
import { currentBinding, type ProviderBinding } from './binding.ts';
import { buildLogPipeline, buildMetricPipeline, buildSpanPipeline, type LogPipeline, type MetricPipeline, type SpanPipeline } from './exporters.ts';
import { errorMessage } from './error-text.ts';
import { GrpcSocketTracker } from './grpc-sockets.ts';
import { OpenSpans } from './open-spans.ts';
import { redact, safeDiagLogger } from './redaction.ts';
import { mergeSdkInferenceSpans } from './sdk-inference-spans.ts';
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
} from './settings.ts';

/** What `configureTelemetry()` returns: the session it started. */
export interface TelemetryHandle {
  /** The settings in effect after options, FLO_*, OTEL_* and defaults were combined. No header values. */
  readonly settings: TelemetrySettings;
  /** The resource every span and metric of this session carries. */
  readonly resourceAttributes: Readonly<Attributes>;
  /** Exports what is buffered now. Resolves within `shutdownTimeoutMillis`; never rejects (failures go to diag). */
  forceFlush(): Promise<void>;
  /**
   * `shutdownTelemetry()` while this session is current. Once replaced, the session still exports the spans it
   * started until they end; this stops it now (spans still open are reported, not exported) and resolves when
   * its shutdown ends.
   */
  shutdown(): Promise<void>;
}

/**
 * One configuration, complete: settings, resource, providers, pipelines and
 * the diagnostic logger. Built without touching anything global, so a
 * failure leaves the running session as it was; then swapped in at once.
 */
interface Session {
  readonly config: ResolvedTelemetryConfig;
  readonly resource: Resource;
  readonly meterProvider: MeterProvider;
  readonly metricPipeline: MetricPipeline;
  readonly spanPipeline: SpanPipeline;
  readonly logPipeline: LogPipeline;
  /** The OTLP exporters' connections, ended once the shutdown bound has passed. */
  readonly sockets: GrpcSocketTracker;
  /** Spans started and not yet ended: a replaced session waits for them. */
  readonly openSpans: OpenSpans;
  readonly diagLogger: DiagLogger;
  /** Set by the swap. */
  sdk: NodeSDK | undefined;
  binding: ProviderBinding | undefined;
  removeShutdownHooks: () => void;
  /** Set once the session's metric side is shut down (at once when it is replaced). */
  metricsStopped: Promise<void> | undefined;
  /** Set once the session is stopped; settles within its shutdown bound. */
  stopped: Promise<void> | undefined;
}

/**
 * How long a replaced session keeps exporting the spans it started, waiting for them to end: long
 * enough for LLM calls, streams and agent runs in flight at a reconfigure; a span never ended does
 * not keep a session (its providers, queue and connections) forever.
 */
export const REPLACED_SESSION_DRAIN_MILLIS = 5 * 60_000;

let current: Session | undefined;
/** Replaced sessions still exporting the spans they started. */
const replaced = new Set<Session>();
let lastStopped: Promise<void> = Promise.resolve();

/**
 * Starts telemetry, or replaces the running configuration.
 *
 * Returns `undefined`, starting nothing, when `OTEL_SDK_DISABLED=true`.
 * Throws `TelemetryConfigError` for invalid options or variables, or when
 * the new session cannot be built (a metric reader already bound to another
 * provider); the previous session, if any, then keeps running untouched.
 * Never throws anything else.
 */
export function configureTelemetry(options?: TelemetryOptions): TelemetryHandle | undefined {
  validateTelemetryOptions(options);
  if (isSdkDisabled(process.env)) {
    void stopCurrentSession();
    safely(() => diag.info('OTEL_SDK_DISABLED=true: telemetry not started'));
    return undefined;
  }
  const config = resolveTelemetryConfig(options);
  if (current === undefined) assertGlobalsAreFree(config.metrics);
  const session = buildSession(config);
  swapIn(session);
  return createHandle(session);
}

/**
 * Builds a session while the diagnostics its parts emit are held: the OpenTelemetry exporters warn
 * about bad OTEL_EXPORTER_OTLP_* values (timeout, compression, temporality preference, an unreadable
 * certificate) in their constructors, before the session's logger would otherwise be installed.
 * They reach the session's logger once each, whether the build succeeds or not, and the logger in
 * force before is put back until the swap.
 */
function buildSession(config: ResolvedTelemetryConfig): Session {
  const diagLogger = safeDiagLogger(config.diagLogger ?? new DiagConsoleLogger(), config.secretValues);
  const held = new HeldDiagnostics();
  diag.setLogger(held, { logLevel: DIAG_LEVELS[config.logLevel], suppressOverrideMessage: true });
  try {
    return buildSessionParts(config, diagLogger);
  } finally {
    restoreDiagLogger();
    held.deliverTo(diagLogger);
  }
}

function buildSessionParts(config: ResolvedTelemetryConfig, diagLogger: DiagLogger): Session {
  const resource = buildResource(config);
  let step = 'the metric exporters';
  let metricPipeline: MetricPipeline | undefined;
  const sockets = new GrpcSocketTracker();
  try {
    metricPipeline = buildMetricPipeline(config, sockets);
    step = 'metricReaders';
    const meterProvider = new MeterProvider({ resource, readers: [...metricPipeline.readers] });
    step = 'the span exporters';
    const spanPipeline = buildSpanPipeline(config, meterProvider, sockets);
    step = 'the log exporters';
    const logPipeline = buildLogPipeline(config, meterProvider, sockets);
    return {
      config,
      resource,
      meterProvider,
      metricPipeline,
      spanPipeline,
      logPipeline,
      sockets,
      openSpans: new OpenSpans(),
      diagLogger,
      sdk: undefined,
      binding: undefined,
      removeShutdownHooks: () => {},
      metricsStopped: undefined,
      stopped: undefined,
    };
  } catch (error) {
    // Stop what was built for this session alone; readers passed in may belong to the running one.
    const own = metricPipeline?.readers.filter((reader) => !config.metricReaders.includes(reader)) ?? [];
    for (const reader of own) void Promise.resolve().then(() => reader.shutdown()).catch(() => {});
    const message = errorMessage(error);
    throw new TelemetryConfigError(step, `could not be set up: ${redact(message, config.secretValues)}; the running telemetry, if any, is unchanged`);
  }
}

/**
 * Replaces the running session by `next` in one synchronous step: the old
 * session is detached (recorders unbound, API globals released), the new SDK
 * registers its providers, and one `bindProviders` call points the recorders
 * at the new providers and policies together. The old session then shuts
 * down in the background.
 */
function swapIn(next: Session): void {
  const previous = current;
  if (previous !== undefined) detach(previous);
  const { config } = next;
  // Constructed here, not while building: its constructor installs a console diag logger when OTEL_LOG_LEVEL is set.
  const sdk = new NodeSDK({
    resource: next.resource,
    autoDetectResources: false,
    // First, so a span counts as open before any other processor sees it.
    spanProcessors: [next.openSpans, ...next.spanPipeline.processors],
    // The kit's own MeterProvider (built with the session) is registered below.
    metricReaders: [],
    // NodeSDK builds the LoggerProvider from these (with the session's resource); passing them, even none, keeps it
    // from building exporters out of OTEL_* variables.
    logRecordProcessors: [...next.logPipeline.processors],
    instrumentations: [],
  });
  diag.setLogger(next.diagLogger, { logLevel: DIAG_LEVELS[config.logLevel], suppressOverrideMessage: true });
  next.sdk = sdk;
  try {
    // Everything that can fail was built already; with the kit's own providers this only registers globals.
    sdk.start();
    mergeSdkInferenceSpansOfRegisteredProvider();
    // Metrics off: the API's no-op meter provider stays, so the application's own instruments cost nothing either.
    if (config.metrics) metrics.setGlobalMeterProvider(next.meterProvider);
    // Logs off: nor does a logger provider; NodeSDK registers one (without processors) whatever it is given.
    if (!config.logs) logs.disable();
  } catch (error) {
    // Not expected; if it happens, telemetry is off rather than half on, and both sessions are stopped.
    releaseApiGlobals(config.metrics);
    void stopInBackground(next);
    if (previous !== undefined) void stopInBackground(previous);
    const message = errorMessage(error);
    throw new TelemetryConfigError('configureTelemetry()', `could not start the OpenTelemetry SDK: ${redact(message, config.secretValues)}`);
  }
  next.binding = bindProviders({
    tracerProvider: trace.getTracerProvider(),
    meterProvider: metrics.getMeterProvider(),
    loggerProvider: config.logs ? logs.getLoggerProvider() : undefined,
    recordMetrics: config.metrics,
    conventions: config.conventions,
    semconvStabilityOptIn: config.semconvStabilityOptIn,
    captureContent: config.contentCapture,
    captureContentIn: config.captureContentIn,
    errorMessages: config.errorMessages,
  });
  next.removeShutdownHooks = config.installShutdownHooks ? installShutdownHooks() : () => {};
  current = next;
  if (previous !== undefined) retire(previous);
  reportConfigurationProblems(next);
  safely(() => diag.info('telemetry configured', publicSettings(config)));
}

/**
 * The tracer provider NodeSDK registered, behind the same global proxy (so tracers handed out
 * before, by provider SDK clients made earlier, reach it too), wrapped so that a provider SDK's own
 * inference span directly under the kit's is not recorded twice (sdk-inference-spans.ts).
 */
function mergeSdkInferenceSpansOfRegisteredProvider(): void {
  const registered = trace.getTracerProvider();
  if (registered instanceof ProxyTracerProvider) registered.setDelegate(mergeSdkInferenceSpans(registered.getDelegate()));
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
  return current?.binding?.tracerProvider.getTracer(name, version);
}

/** A meter of the running session, or `undefined` while telemetry is not configured. */
export function getMeter(name: string = SCOPE_NAME, version: string = SCOPE_VERSION): Meter | undefined {
  return current?.binding?.meterProvider.getMeter(name, version);
}

/** A logger of the running session, or `undefined` while telemetry is not configured or logs are off. */
export function getLogger(name: string = SCOPE_NAME, version: string = SCOPE_VERSION): Logger | undefined {
  return current?.binding?.loggerProvider?.getLogger(name, version);
}

export function isTelemetryConfigured(): boolean {
  return current !== undefined;
}

// ---------------------------------------------------------------------------
// Session lifecycle

/**
 * Detaches the running session synchronously (recorders first, so they stop
 * recording before anything else happens) and shuts it down in the
 * background, together with replaced sessions still waiting for their spans.
 * The returned promise settles within the sessions' bound.
 */
function stopCurrentSession(): Promise<void> {
  const stops = [...replaced].map(stopInBackground);
  const session = current;
  if (session !== undefined) {
    detach(session);
    stops.push(stopInBackground(session));
  }
  if (stops.length === 0) return lastStopped;
  lastStopped = Promise.all([lastStopped, ...stops]).then(() => undefined);
  return lastStopped;
}

function detach(session: Session): void {
  if (current === session) current = undefined;
  if (session.binding !== undefined && currentBinding() === session.binding) unbindProviders();
  session.removeShutdownHooks();
  releaseApiGlobals(session.config.metrics);
}

/**
 * A session replaced by a new one: its metric side is shut down at once (the
 * recorders write into the new session from now on), while its span side
 * keeps exporting the spans it started until they have all ended, or
 * REPLACED_SESSION_DRAIN_MILLIS passed, or telemetry is shut down.
 */
function retire(session: Session): void {
  replaced.add(session);
  void stopMetrics(session);
  void session.openSpans.drained(REPLACED_SESSION_DRAIN_MILLIS).then(() => stopInBackground(session));
}

function stopMetrics(session: Session): Promise<void> {
  session.metricsStopped ??= settleWithin(() => session.meterProvider.shutdown(), session.config.shutdownTimeoutMillis, 'telemetry shutdown');
  return session.metricsStopped;
}

/**
 * Flushes and shuts the session down within its bound. When the bound
 * passes first, whatever is still running (an export waiting for a
 * collector that never answers) is abandoned, so nothing of the session
 * keeps the process alive. Spans it started that never ended are reported.
 */
function stopInBackground(session: Session): Promise<void> {
  if (session.stopped !== undefined) return session.stopped;
  session.openSpans.stopWaiting();
  const shutdown = (): Promise<unknown> => Promise.all([session.sdk?.shutdown(), stopMetrics(session)]);
  session.stopped = settleWithin(shutdown, session.config.shutdownTimeoutMillis, 'telemetry shutdown').then(() => {
    replaced.delete(session);
    reportOpenSpans(session);
    reportOpenHandles(session);
    abandon(session);
  });
  return session.stopped;
}

function reportOpenSpans(session: Session): void {
  const open = session.openSpans.open;
  if (open <= 0) return;
  safely(() =>
    session.diagLogger.warn(`flo telemetry: ${open} spans started before telemetry was reconfigured or shut down had not ended by then; they were not exported`),
  );
}

/** Handles a framework started (`startLlmCall`, …) and never ended: their spans were lost, and the count is the one trace of it. */
function reportOpenHandles(session: Session): void {
  const handles = session.binding?.openHandles;
  if (handles === undefined || handles.open <= 0) return;
  safely(() =>
    session.diagLogger.warn(
      `flo telemetry: ${handles.open} operation handles were still open when telemetry was reconfigured or shut down (${handles.describe()}); call end() on every handle`,
    ),
  );
}

/** Ends everything of a session that may still hold a timer or a socket. */
function abandon(session: Session): void {
  session.spanPipeline.retryQueue?.abandon();
  session.logPipeline.retryQueue?.abandon();
  session.sockets.destroyAll();
}

/**
 * NodeSDK.shutdown() leaves its providers registered with the API, and the
 * API refuses a second registration: release them so a later configure works
 * and `trace`/`metrics` users get no-ops instead of a shut-down SDK.
 */
/** `ownsMetrics`: the session registered the meter provider (not with `metrics: false`, where one the application registered stays). */
function releaseApiGlobals(ownsMetrics: boolean): void {
  trace.disable();
  if (ownsMetrics) metrics.disable();
  logs.disable();
  propagation.disable();
  context.disable();
}

/**
 * The kit owns the API globals while configured. If another SDK registered
 * them first, NodeSDK would fail to register silently (a diag line) and the
 * recorders would feed that SDK; refuse instead, with a way out.
 */
function assertGlobalsAreFree(needsMetrics: boolean): void {
  const tracerProvider = trace.getTracerProvider();
  const tracingTaken =
    !(tracerProvider instanceof ProxyTracerProvider) ||
    tracerProvider.getDelegate() !== new ProxyTracerProvider().getDelegate();
  // With `metrics: false` the kit registers no meter provider, so one the application registered is no conflict.
  const metricsTaken = needsMetrics && metrics.getMeterProvider().getMeter(SCOPE_NAME) !== createNoopMeter();
  if (tracingTaken || metricsTaken) {
    throw new TelemetryConfigError(
      'configureTelemetry()',
      'found OpenTelemetry providers registered by another SDK. Either let configureTelemetry() own them ' +
        '(shut the other SDK down and call trace.disable() and metrics.disable()), or keep your SDK and ' +
        'call bindProviders({ tracerProvider, meterProvider }) so the recorders use it.',
    );
  }
}

function createHandle(session: Session): TelemetryHandle {
  return Object.freeze({
    settings: publicSettings(session.config),
    resourceAttributes: Object.freeze({ ...session.resource.attributes }),
    forceFlush: () => flushSession(session),
    shutdown: () => (current === session ? stopCurrentSession() : stopInBackground(session)),
  });
}

function flushSession(session: Session): Promise<void> {
  return settleWithin(
    () => Promise.all([flushSpans(session.spanPipeline), flushLogs(session.logPipeline), session.meterProvider.forceFlush()]),
    session.config.shutdownTimeoutMillis,
    'telemetry flush',
  );
}

/**
 * The batch processor's flush only hands its spans to its exporter, and the retry queue accepts them
 * at once: the flush is done when the queue has delivered (or dropped) them too.
 */
/** As for spans: the batch processors hand their records over at once, the retry queue has them delivered. */
async function flushLogs(pipeline: LogPipeline): Promise<void> {
  await Promise.all(pipeline.processors.map((processor) => processor.forceFlush()));
  await pipeline.retryQueue?.forceFlush();
}

async function flushSpans(pipeline: SpanPipeline): Promise<void> {
  await Promise.all(pipeline.processors.map((processor) => processor.forceFlush()));
  await pipeline.retryQueue?.forceFlush();
}

/**
 * Runs `work` and resolves when it settles or when `timeoutMillis` passed,
 * whichever comes first. Never rejects: failures and timeouts go to diag.
 * A timeout does not cancel the work; its own deadlines end it later.
 */
function settleWithin(work: () => Promise<unknown>, timeoutMillis: number, what: string): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      safely(() => diag.warn(`${what} did not finish within ${timeoutMillis} ms; telemetry not yet exported is dropped`));
      resolve();
    }, timeoutMillis);
    // Deliberately not unref'd: a caller awaiting shutdown at the top level of a module must see it
    // resolve, not the process end under it. The timer ends with the bound, when the promise resolves.
    const finish = (): void => {
      clearTimeout(timer);
      resolve();
    };
    Promise.resolve()
      .then(work)
      .then(finish, (error: unknown) => {
        safely(() => diag.error(`${what} failed`, error));
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
        // Only the current key: `deployment.environment` is deprecated in the semantic conventions
        // (a violation for Weaver's live-check). Dashboards that still query it can have it back
        // through additionalAttributes.
        [ATTR_DEPLOYMENT_ENVIRONMENT_NAME]: config.environment,
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

/** The running session's logger, or none, as diagnostics were before a session was built. */
function restoreDiagLogger(): void {
  if (current === undefined) diag.disable();
  else diag.setLogger(current.diagLogger, { logLevel: DIAG_LEVELS[current.config.logLevel], suppressOverrideMessage: true });
}

/** Diagnostics held while a session is built, each distinct one delivered once (both exporters read the same variables). */
class HeldDiagnostics implements DiagLogger {
  readonly #lines = new Map<string, { readonly level: keyof DiagLogger; readonly message: string; readonly args: unknown[] }>();

  error(message: string, ...args: unknown[]): void {
    this.#hold('error', message, args);
  }
  warn(message: string, ...args: unknown[]): void {
    this.#hold('warn', message, args);
  }
  info(message: string, ...args: unknown[]): void {
    this.#hold('info', message, args);
  }
  debug(message: string, ...args: unknown[]): void {
    this.#hold('debug', message, args);
  }
  verbose(message: string, ...args: unknown[]): void {
    this.#hold('verbose', message, args);
  }

  deliverTo(logger: DiagLogger): void {
    for (const { level, message, args } of this.#lines.values()) safely(() => logger[level](message, ...args));
    this.#lines.clear();
  }

  #hold(level: keyof DiagLogger, message: string, args: unknown[]): void {
    const key = `${level} ${message}`;
    if (!this.#lines.has(key)) this.#lines.set(key, { level, message, args });
  }
}

function reportConfigurationProblems(session: Session): void {
  for (const warning of session.config.warnings) safely(() => diag.warn(warning));
  if (!session.spanPipeline.exportsSpans && !session.metricPipeline.exportsMetrics) {
    safely(() =>
      diag.warn(
        'telemetry is configured but exports nowhere: set otlpEndpoint (or FLO_OTLP_ENDPOINT, ' +
          'OTEL_EXPORTER_OTLP_ENDPOINT) or consoleExport: true. Spans and metrics are recorded, then dropped.',
      ),
    );
  }
}

/** Diagnostics never throw into the application, whatever logger is installed. */
function safely(log: () => void): void {
  try {
    log();
  } catch {
    // Nowhere left to report it.
  }
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
