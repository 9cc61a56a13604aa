/**
 * OpenTelemetry Weaver's live-check as a test fixture: `weaver registry live-check` run as an OTLP
 * gRPC receiver on 127.0.0.1, fed by the kit's own runtime, stopped, and its JSON report read back
 * as a flat list of findings.
 *
 *   const check = await startLiveCheck({ weaver, registry: 'semconv', label: 'kit registry' });
 *   configureTelemetry({ otlpEndpoint: check.endpoint, … });  … await shutdownTelemetry();
 *   const report = await check.stop();        // findings of everything received before the stop
 *   check.kill();                             // in afterAll, whatever happened: idempotent
 *
 * Weaver 0.25.1 facts the fixture is built on (src/registry/otlp/mod.rs of that tag):
 * - The OTLP listener binds `--otlp-grpc-address`, here 127.0.0.1. The admin HTTP server (`/health`,
 *   `/stop`) always binds 0.0.0.0 (hard-coded, no option), so the fixture gives it a free ephemeral
 *   port and only ever talks to it through 127.0.0.1; it lives for the seconds one check takes.
 * - Received requests and the stop signal travel through one FIFO channel, so once the exporter's
 *   calls were answered, a `/stop` sent afterwards is processed after all of their data.
 * - The report goes to `<output dir>/live_check.json` (`--format json --output DIR`); `--fail-on
 *   none` keeps the exit code for Weaver's own failures, the findings are judged by the test.
 * - A registry path is resolved against Weaver's working directory (the repository root here), and
 *   so is the manifest's `registry_path` of a dependency.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.ts';
import { REPO_ROOT } from './weaver.ts';

export type FindingLevel = 'violation' | 'improvement' | 'information';

/** One finding of the report, wherever it sat in the sample tree. */
export interface LiveCheckFinding {
  readonly level: FindingLevel;
  /** `missing_attribute`, `missing_metric`, `deprecated`, `type_mismatch`, `not_stable`, … */
  readonly id: string;
  readonly message: string;
  readonly signalType?: string;
  readonly signalName?: string;
  readonly context: Readonly<Record<string, unknown>>;
  /** What the finding is about: the attribute key, else the metric or span name, else the signal. */
  readonly subject: string;
}

export interface LiveCheckReport {
  readonly label: string;
  /** The JSON report as Weaver wrote it. */
  readonly raw: { readonly samples: readonly unknown[]; readonly statistics: Readonly<Record<string, unknown>> };
  readonly findings: readonly LiveCheckFinding[];
  /** Samples of each type Weaver looked at (span, metric, attribute, resource, …), from its statistics. */
  readonly entities: Readonly<Record<string, number>>;
  /** Names of the spans Weaver received, in the order of the report. */
  readonly spanNames: readonly string[];
  /** Names of the metrics Weaver received. */
  readonly metricNames: readonly string[];
  /** The log records Weaver received, in the order of the report: event name (empty for a plain log line), severity, trace and span ids. */
  readonly logs: readonly { readonly eventName: string; readonly severityNumber?: number; readonly traceId?: string; readonly spanId?: string }[];
  /** Weaver's stderr (progress and diagnostics), for failure messages. */
  readonly stderr: string;
}

export interface LiveCheckOptions {
  readonly weaver: string;
  /** `-r`, relative to `cwd` or absolute. */
  readonly registry: string;
  /** Names the check in messages and summaries (`semconv v1.41.1`, `kit registry`). */
  readonly label: string;
  /** Weaver's working directory. Default: the repository root. */
  readonly cwd?: string;
  /** `--include-unreferenced`: also the signals and attributes of dependency registries the registry does not reference. */
  readonly includeUnreferenced?: boolean;
  /** Bound for resolving the registry and opening the receiver. Default 60 s. */
  readonly startTimeoutMillis?: number;
  /** Bound for `stop()`: the report written and Weaver gone. Default 30 s. */
  readonly stopTimeoutMillis?: number;
  /** Weaver's own safety net (`--inactivity-timeout`), should the test process vanish without a trace. Default 120 s. */
  readonly inactivityTimeoutSeconds?: number;
}

export interface LiveCheck {
  readonly label: string;
  /** `http://127.0.0.1:<port>`: the OTLP gRPC endpoint for `configureTelemetry({ otlpEndpoint })`. */
  readonly endpoint: string;
  /** Stops the receiver, waits for Weaver to write its report and exit, returns the report. Once only. */
  stop(): Promise<LiveCheckReport>;
  /** SIGKILLs Weaver if it still runs and removes the report folder. Idempotent; safe in afterAll. */
  kill(): void;
  /** Weaver's stderr so far. */
  stderr(): string;
}

const REPORT_FILE = 'live_check.json';
/** The OTLP port taken: Weaver says so and exits 1. */
const BIND_FAILURE = /Address already in use|Failed to bind/i;
const ANSI = /\x1b\[[0-9;]*m/g;

/** Starts Weaver's live-check receiver; throws with Weaver's stderr when it exits or does not come up in time. */
export async function startLiveCheck(options: LiveCheckOptions): Promise<LiveCheck> {
  // Ports are picked free, then bound by Weaver: another process can take one in between. Retry then.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options);
    } catch (error) {
      if (attempt >= 3 || !(error instanceof LiveCheckStartError) || !error.portTaken) throw error;
    }
  }
}

class LiveCheckStartError extends Error {
  /** A port was taken between picking and binding it: worth another try with other ports. */
  readonly portTaken: boolean;
  constructor(message: string, portTaken: boolean) {
    super(message);
    this.portTaken = portTaken;
  }
}

async function startOnce(options: LiveCheckOptions): Promise<LiveCheck> {
  const grpcPort = await freePort();
  let adminPort = await freePort();
  while (adminPort === grpcPort) adminPort = await freePort();
  const outputDir = mkdtempSync(join(tmpdir(), 'flo-live-check-'));
  const args = [
    'registry',
    'live-check',
    '-r',
    options.registry,
    ...(options.includeUnreferenced ? ['--include-unreferenced'] : []),
    '--otlp-grpc-address',
    '127.0.0.1',
    '--otlp-grpc-port',
    String(grpcPort),
    '--admin-port',
    String(adminPort),
    '--inactivity-timeout',
    String(options.inactivityTimeoutSeconds ?? 120),
    '--format',
    'json',
    '--output',
    outputDir,
    '--fail-on',
    'none',
  ];
  const command = `${options.weaver} ${args.join(' ')}`;
  const child = spawn(options.weaver, args, {
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  const exited = exitOf(child);
  const output = () => [stderr, stdout].map((text) => text.replace(ANSI, '').trim()).filter(Boolean).join('\n') || '(no output)';

  let killed = false;
  const kill = (): void => {
    if (!killed) {
      killed = true;
      process.off('exit', kill);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      rmSync(outputDir, { recursive: true, force: true });
    }
  };
  // Should the test process end without its afterAll, Weaver goes with it.
  process.on('exit', kill);

  const admin = `http://127.0.0.1:${adminPort}`;
  try {
    await waitUntilReady(admin, exited, options.startTimeoutMillis ?? 60_000);
  } catch (error) {
    kill();
    const exit = await within(exited, 2_000);
    const why = error instanceof Error ? error.message : String(error);
    // The admin port taken: Weaver 0.25.1 then ends at once with status 0 and says nothing about it.
    const portTaken = BIND_FAILURE.test(output()) || exit?.code === 0;
    throw new LiveCheckStartError(`weaver live-check (${options.label}) did not start: ${why}\n$ ${command}\n${output()}`, portTaken);
  }

  let stopped = false;
  return {
    label: options.label,
    endpoint: `http://127.0.0.1:${grpcPort}`,
    stderr: output,
    kill,
    async stop(): Promise<LiveCheckReport> {
      if (stopped) throw new Error(`live-check (${options.label}) was already stopped`);
      stopped = true;
      const bound = options.stopTimeoutMillis ?? 30_000;
      try {
        // `/stop` on 127.0.0.1; should the admin server not answer, SIGHUP stops it the same way.
        const asked = await fetch(`${admin}/stop`, { method: 'POST', signal: AbortSignal.timeout(bound) }).then(
          (response) => response.ok,
          () => false,
        );
        if (!asked && child.exitCode === null) child.kill('SIGHUP');
        const exit = await within(exited, bound);
        if (exit === undefined) throw new Error(`did not exit within ${bound} ms of being stopped`);
        if (exit.code !== 0) throw new Error(`exited with ${exit.code ?? exit.signal}`);
        const raw = JSON.parse(readFileSync(join(outputDir, REPORT_FILE), 'utf8')) as LiveCheckReport['raw'];
        return readReport(options.label, raw, output());
      } catch (error) {
        const why = error instanceof Error ? error.message : String(error);
        throw new Error(`weaver live-check (${options.label}): ${why}\n$ ${command}\n${output()}`);
      } finally {
        kill();
      }
    },
  };
}

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

function exitOf(child: ChildProcess): Promise<Exit> {
  return new Promise((resolve) => {
    child.on('error', () => resolve({ code: null, signal: null }));
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
}

const delay = (millis: number) => new Promise<void>((resolve) => setTimeout(resolve, millis));

/** `promise`, or undefined once `millis` passed; the timer is cleared either way. */
async function within<T>(promise: Promise<T>, millis: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(resolve, millis, undefined)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Weaver resolves the registry, binds the OTLP listener, then serves `/health` on the admin port:
 * once `/health` answers, exports are accepted. Fails as soon as Weaver exits.
 */
async function waitUntilReady(admin: string, exited: Promise<Exit>, bound: number): Promise<void> {
  const deadline = Date.now() + bound;
  let exit: Exit | undefined;
  void exited.then((e) => (exit = e));
  while (Date.now() < deadline) {
    if (exit !== undefined) throw new Error(`weaver exited with ${exit.code ?? exit.signal} before its receiver was ready`);
    // `{"status":"ready"}`: Weaver's, not whatever else might answer on that port.
    const ready = await fetch(`${admin}/health`, { signal: AbortSignal.timeout(1_000) }).then(
      async (response) => response.ok && (await response.text()).includes('ready'),
      () => false,
    );
    if (ready) return;
    await delay(100);
  }
  throw new Error(`its receiver was not ready within ${bound} ms`);
}

// ---------------------------------------------------------------------------
// The report

interface RawFinding {
  readonly level?: string;
  readonly id?: string;
  readonly message?: string;
  readonly signal_type?: string | null;
  readonly signal_name?: string | null;
  readonly context?: Record<string, unknown> | null;
}

/** Flattens the report: every `live_check_result.all_advice` entry anywhere in the sample tree. */
export function readReport(label: string, raw: LiveCheckReport['raw'], stderr = ''): LiveCheckReport {
  const findings: LiveCheckFinding[] = [];
  const spanNames: string[] = [];
  const metricNames: string[] = [];
  const logs: LiveCheckReport['logs'][number][] = [];
  const visit = (node: unknown, key: string | undefined): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item, key);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    if (key === 'span' && typeof record.name === 'string') spanNames.push(record.name);
    if (key === 'metric' && typeof record.name === 'string') metricNames.push(record.name);
    if (key === 'log' && typeof record.event_name === 'string') {
      const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
      logs.push({ eventName: record.event_name, severityNumber: typeof record.severity_number === 'number' ? record.severity_number : undefined, traceId: text(record.trace_id), spanId: text(record.span_id) });
    }
    const result = record.live_check_result as { all_advice?: RawFinding[] } | null | undefined;
    for (const advice of result?.all_advice ?? []) findings.push(finding(advice));
    for (const [childKey, value] of Object.entries(record)) {
      if (childKey !== 'live_check_result') visit(value, childKey);
    }
  };
  visit(raw.samples, undefined);
  const byType = raw.statistics.total_entities_by_type;
  const entities = byType !== null && typeof byType === 'object' ? (byType as Record<string, number>) : {};
  return { label, raw, findings, entities, spanNames, metricNames, logs, stderr };
}

function finding(advice: RawFinding): LiveCheckFinding {
  const context = advice.context ?? {};
  const named = ['attribute_name', 'attribute_key', 'metric_name', 'span_name', 'event_name', 'name'].map((k) => context[k]).find((v) => typeof v === 'string');
  return {
    level: (advice.level ?? 'information') as FindingLevel,
    id: advice.id ?? '?',
    message: advice.message ?? '',
    signalType: advice.signal_type ?? undefined,
    signalName: advice.signal_name ?? undefined,
    context,
    subject: (named as string | undefined) ?? advice.signal_name ?? advice.signal_type ?? '?',
  };
}

/** `level id signal_type subject` → count, sorted: findings grouped the way a reader scans them. */
export function groupFindings(findings: readonly LiveCheckFinding[], levels: readonly FindingLevel[] = ['violation', 'improvement', 'information']): Map<string, number> {
  const groups = new Map<string, number>();
  for (const f of findings) {
    if (!levels.includes(f.level)) continue;
    const key = `${f.level} ${f.id} ${f.signalType ?? '-'} ${f.subject}`;
    groups.set(key, (groups.get(key) ?? 0) + 1);
  }
  return new Map([...groups].sort(([a], [b]) => a.localeCompare(b)));
}

/** `live-check gen_ai vs semconv v1.41.1: 212 samples (14 spans, 9 metrics), 0 violations, 31 improvements, 4 information` */
export function summaryLine(mode: string, report: LiveCheckReport): string {
  const count = (level: FindingLevel) => report.findings.filter((f) => f.level === level).length;
  const samples = Object.values(report.entities).reduce((sum, n) => sum + n, 0);
  const kinds = Object.entries(report.entities)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([type, n]) => `${n} ${type}`)
    .join(', ');
  return (
    `live-check ${mode} vs ${report.label}: ${samples} samples (${kinds}), ` +
    `${count('violation')} violations, ${count('improvement')} improvements, ${count('information')} information`
  );
}
