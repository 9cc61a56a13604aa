/**
 * A real Jaeger v2 in a testcontainer, configured by ../jaeger-config.yaml:
 * OTLP gRPC in, traces read back through the HTTP query API, metrics scraped
 * from the collector's Prometheus exporter.
 *
 * The image is `JAEGER_IMAGE`, by default the official one of the pinned
 * version. Where no registry is reachable, `bash scripts/jaeger-image.sh`
 * builds an equivalent one locally (see the README).
 */
import { gate } from '../../support/gate.ts';
import { fileURLToPath } from 'node:url';
export { freePort } from '../../support/ports.ts';

// Testcontainers' reaper is an image too, which cannot be pulled where no
// registry answers; these tests stop their containers themselves.
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
const { GenericContainer, Wait, getContainerRuntimeClient } = await import('testcontainers');
type StartedTestContainer = Awaited<ReturnType<InstanceType<typeof GenericContainer>['start']>>;

export const JAEGER_VERSION = '2.13.0';
export const JAEGER_IMAGE = process.env.JAEGER_IMAGE ?? `jaegertracing/jaeger:${JAEGER_VERSION}`;

const CONFIG_FILE = fileURLToPath(new URL('../jaeger-config.yaml', import.meta.url));
const CONFIG_IN_CONTAINER = '/etc/jaeger/config.yaml';
const PORTS = { otlpGrpc: 4317, query: 16686, prometheus: 8889, health: 13133 } as const;

/**
 * Whether a Docker engine answers, and if not, what to do about it. In CI a
 * missing engine is an error (the suite must never pass without Jaeger); on a
 * laptop the suite is skipped with this message.
 */
export async function dockerProblem(): Promise<string | undefined> {
  try {
    await getContainerRuntimeClient();
    return undefined;
  } catch (error) {
    return (
      `the integration tests need a Docker engine, and none answers (${error instanceof Error ? error.message : String(error)}). ` +
      'Start Docker, or run `bash scripts/jaeger-image.sh` (installs and starts one, builds the Jaeger image where no registry is reachable), ' +
      `then JAEGER_IMAGE=flo-telemetry/jaeger:${JAEGER_VERSION} npm test`
    );
  }
}

/** Docker present: run the suite; absent: fail in CI, skip elsewhere with the reason. */
export async function integrationEnabled(): Promise<boolean> {
  return integrationDecision(await dockerProblem(), process.env);
}

/** The rule itself (test/support/gate.ts): true to run; false (after saying why) to skip; throws in CI. */
export function integrationDecision(problem: string | undefined, env: Readonly<Record<string, string | undefined>>, warn = console.warn): boolean {
  return gate(problem, 'integration tests', env, warn);
}

export interface Jaeger {
  /** `http://127.0.0.1:<mapped 4317>`, for `configureTelemetry({ otlpEndpoint })`. */
  readonly otlpEndpoint: string;
  readonly queryUrl: string;
  readonly prometheusUrl: string;
  readonly container: StartedTestContainer;
  stop(): Promise<void>;
}

/** Host ports to bind instead of random ones, so a restarted Jaeger answers where the old one did. */
export type FixedPorts = Partial<Record<keyof typeof PORTS, number>>;

export async function startJaeger(fixed: FixedPorts = {}): Promise<Jaeger> {
  const exposed = (Object.keys(PORTS) as Array<keyof typeof PORTS>).map((name) =>
    fixed[name] === undefined ? PORTS[name] : { container: PORTS[name], host: fixed[name] },
  );
  let container: StartedTestContainer;
  try {
    container = await new GenericContainer(JAEGER_IMAGE)
      .withCopyFilesToContainer([{ source: CONFIG_FILE, target: CONFIG_IN_CONTAINER }])
      .withCommand(['--config', CONFIG_IN_CONTAINER])
      .withExposedPorts(...exposed)
      // The image has no shell, so no port check from inside: wait for the health endpoint.
      .withWaitStrategy(Wait.forHttp('/status', PORTS.health).forStatusCode(200))
      .withStartupTimeout(60_000)
      .start();
  } catch (error) {
    throw new Error(
      `could not start ${JAEGER_IMAGE}: ${error instanceof Error ? error.message : String(error)}. ` +
        `Where no registry is reachable, build the image with \`bash scripts/jaeger-image.sh\` and set JAEGER_IMAGE=flo-telemetry/jaeger:${JAEGER_VERSION}.`,
      { cause: error },
    );
  }
  const url = (port: number) => `http://${container.getHost()}:${container.getMappedPort(port)}`;
  return {
    otlpEndpoint: url(PORTS.otlpGrpc),
    queryUrl: url(PORTS.query),
    prometheusUrl: url(PORTS.prometheus),
    container,
    stop: async () => {
      await container.stop({ timeout: 2_000 });
    },
  };
}

// ---------------------------------------------------------------------------
// Query API (Jaeger's JSON API, as its UI uses it)

export interface JaegerTag {
  readonly key: string;
  readonly type: string;
  readonly value: unknown;
}

export interface JaegerQuerySpan {
  readonly traceID: string;
  readonly spanID: string;
  readonly operationName: string;
  readonly references: ReadonlyArray<{ readonly refType: string; readonly spanID: string }>;
  readonly tags: readonly JaegerTag[];
  readonly logs: ReadonlyArray<{ readonly fields: readonly JaegerTag[] }>;
  readonly processID: string;
}

export interface JaegerTrace {
  readonly traceID: string;
  readonly spans: readonly JaegerQuerySpan[];
  readonly processes: Readonly<Record<string, { readonly serviceName: string; readonly tags: readonly JaegerTag[] }>>;
}

export async function jaegerTraces(queryUrl: string, service: string): Promise<JaegerTrace[]> {
  const response = await fetch(`${queryUrl}/api/traces?service=${encodeURIComponent(service)}&limit=1000&lookback=1h`);
  if (response.status === 404) return [];
  if (!response.ok) throw new Error(`Jaeger query API answered ${response.status}: ${await response.text()}`);
  const body = (await response.json()) as { data: JaegerTrace[] | null };
  return body.data ?? [];
}

export function spansOf(traces: readonly JaegerTrace[]): JaegerQuerySpan[] {
  return traces.flatMap((trace) => trace.spans);
}

/**
 * Polls until `service` has at least `count` spans or the deadline passes,
 * and returns what is there then: the caller asserts the exact number.
 * Jaeger's batch processor and storage make arrival slightly asynchronous.
 */
export async function waitForSpans(queryUrl: string, service: string, count: number, deadlineMs = 20_000): Promise<JaegerTrace[]> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const traces = await jaegerTraces(queryUrl, service);
    if (spansOf(traces).length >= count) {
      // Enough arrived: give duplicates or extras a moment to show, so the caller's exact count means something.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      return jaegerTraces(queryUrl, service);
    }
    if (Date.now() > deadline) return traces;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export function tag(tags: readonly JaegerTag[], key: string): JaegerTag | undefined {
  return tags.find((candidate) => candidate.key === key);
}
