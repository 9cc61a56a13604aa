/**
 * The connections and calls of the OTLP gRPC exporters of one session, so
 * that telemetry never keeps a process alive and a session can end them.
 *
 * @grpc/grpc-js keeps the event loop alive while a call is in flight: it refs
 * the connection's socket for as long as the call lasts, and arms a ref'd
 * timer for the call's deadline. Right for an RPC an application waits for;
 * wrong for telemetry, where an export to a collector that accepts TCP and
 * never answers would hold the process for the whole deadline, and the next
 * export (a metric interval, a retry) would start before it ends, so
 * `beforeExit` never fires. The kit therefore
 * - hands the exporters the channel credentials they would build themselves
 *   (from the URL scheme and OTEL_EXPORTER_OTLP_CERTIFICATE and friends, by
 *   the exporters' own `convertLegacyOtlpGrpcOptions`), wrapped so that each
 *   connection's socket is recorded on its way through the credentials'
 *   connector, unref'd, and kept unref'd (grpc-js refs it for every call);
 * - passes each export call to grpc-js without its deadline, so grpc-js arms
 *   no timer, and keeps the deadline itself on an unref'd timer
 *   (retry-queue.ts, metric-export.ts), cancelling the exporter's calls when
 *   it passes (`reconnect()`). (A deadline grpc-js cannot time, above
 *   2^31 ms, is no way out: a grpc-js server turns it into a 1 ms timer and
 *   cancels every call.) The collector sees no grpc-timeout, and a cancel
 *   when the kit gives up;
 * - keeps the channel from ref'ing its timer for calls waiting for a
 *   connection (grpc-js counts a connection only once the server's HTTP/2
 *   settings arrive, so against a silent collector every call waits there).
 * A connection whose TLS handshake has not completed within an export
 * deadline is ended. `destroyAll()` closes the exporters' channels, which
 * fails the calls still waiting for a connection, and ends every socket,
 * which fails the calls on it.
 *
 * This relies on grpc-js' `_createSecureConnector` hook and on the
 * exporters' `_delegate._transport`, its `_client` and the client channel's
 * `callRefTimerRef`; where a future version lacks them, nothing is tracked
 * (exports still work) and exports fall back to keeping the process alive
 * until their deadline.
 */
import type { Socket } from 'node:net';
import { convertLegacyOtlpGrpcOptions } from '@opentelemetry/otlp-grpc-exporter-base';

/** The OTLP export deadline (OTEL_EXPORTER_OTLP_TIMEOUT's default): a handshake slower than that serves no export. */
const HANDSHAKE_TIMEOUT_MILLIS = 10_000;

type Credentials = NonNullable<Parameters<typeof convertLegacyOtlpGrpcOptions>[0]['credentials']>;

/** What the exporters of one signal connect with: their credentials, and the deadline of each export. */
export interface SignalConnection {
  readonly credentials: Credentials | undefined;
  /** OTEL_EXPORTER_OTLP_{SIGNAL_}TIMEOUT, else the OTLP default of 10 s, as the exporters resolve it. */
  readonly timeoutMillis: number;
}

interface SecureConnector {
  connect(socket: Socket): Promise<unknown>;
}

export class GrpcSocketTracker {
  readonly #sockets = new Set<Socket>();
  readonly #exporters: object[] = [];
  /** Each adopted exporter's calls in flight. */
  readonly #calls = new WeakMap<object, Set<GrpcCall>>();
  #destroyed = false;

  /**
   * An OTLP gRPC exporter whose calls go without a gRPC deadline and can be cancelled
   * (`reconnect()`), and whose channel `destroyAll()` closes.
   */
  adopt<E extends object>(exporter: E): E {
    this.#exporters.push(exporter);
    const calls = new Set<GrpcCall>();
    this.#calls.set(exporter, calls);
    const transport = transportOf(exporter);
    if (transport !== undefined) onEveryClient(transport, (client) => withoutDeadline(client, calls));
    return exporter;
  }

  /**
   * After an export the collector did not answer in time, or could not be reached: the exporter's
   * calls in flight are cancelled (they fail with CANCELLED), and its gRPC client is closed and
   * dropped, so its next export makes a new one. A new channel connects at once, where the old one
   * would fail every call fast until grpc-js' reconnect backoff (1 s growing to 120 s) has passed:
   * after an outage of 15 s, metric exports failed for another 10 s and the last one at shutdown was
   * lost. The kit's own backoff (the retry queue's, the metric interval) paces the attempts instead.
   * Closing the channel also fails the calls still waiting for name resolution, which a cancel leaves
   * queued.
   */
  reconnect(exporter: object): void {
    for (const call of [...(this.#calls.get(exporter) ?? [])]) {
      try {
        call.cancel();
      } catch {
        // Already ended.
      }
    }
    const transport = transportOf(exporter);
    const client = transport?._client;
    if (transport === undefined || client === undefined || client === null) return;
    transport._client = undefined;
    try {
      client.close();
    } catch {
      // Already closed.
    }
  }

  /**
   * The credentials the exporters would use for `url` and `signal` (`TRACES`, `METRICS`, `LOGS`), recording
   * sockets, and the export deadline the exporters would use; both resolved once, by the exporters' own
   * configuration code, from the OTEL_EXPORTER_OTLP_* variables.
   */
  connectionFor(url: string, signal: 'TRACES' | 'METRICS' | 'LOGS'): SignalConnection {
    const resolved = convertLegacyOtlpGrpcOptions({ url }, signal);
    return { credentials: this.#tracked(resolved.credentials()), timeoutMillis: resolved.timeoutMillis };
  }

  #tracked(credentials: Credentials): Credentials | undefined {
    const create = (credentials as unknown as { _createSecureConnector?: unknown })._createSecureConnector;
    if (typeof create !== 'function') return undefined;
    const connector = (connectorArgs: unknown[]): unknown => this.#track(create.apply(credentials, connectorArgs) as SecureConnector);
    const tracked: Credentials = new Proxy(credentials, {
      get(target, property) {
        if (property === '_createSecureConnector') return (...args: unknown[]) => connector(args);
        // Equal only to itself: grpc-js shares a connection between channels whose credentials are
        // equal, and a session ending its own connections must not fail another exporter's or
        // another session's calls (a request the collector took, retried, arrives twice).
        if (property === '_equals') return (other: unknown) => other === tracked;
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    return tracked;
  }

  /** Ends every connection still open; later connections are ended as they are made. */
  destroyAll(): void {
    this.#destroyed = true;
    for (const exporter of this.#exporters) {
      try {
        transportOf(exporter)?.shutdown?.();
      } catch {
        // Already closed.
      }
    }
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
  }

  #track(connector: SecureConnector): SecureConnector {
    return new Proxy(connector, {
      get: (target, property) => {
        if (property === 'connect') {
          return (socket: Socket) => {
            if (this.#destroyed) socket.destroy();
            else {
              keepUnrefd(socket);
              this.#sockets.add(socket);
              socket.once('close', () => this.#sockets.delete(socket));
            }
            const handshake = setTimeout(() => socket.destroy(new Error('the collector did not complete the connection handshake')), HANDSHAKE_TIMEOUT_MILLIS);
            handshake.unref();
            const connected = target.connect(socket);
            void connected.then(
              (result) => {
                clearTimeout(handshake);
                // Over TLS, grpc-js talks through the TLS socket wrapped around this one: it must not hold the loop either.
                const secure = (result as { socket?: unknown } | undefined)?.socket;
                if (secure !== socket && isSocket(secure)) keepUnrefd(secure);
              },
              () => clearTimeout(handshake),
            );
            return connected;
          };
        }
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }
}

/**
 * Unrefs the socket and keeps it so: grpc-js refs a connection's socket for every call in flight
 * (through its HTTP/2 session), which would let an export to a silent collector hold the process.
 */
function keepUnrefd(socket: Socket): void {
  socket.unref();
  socket.ref = function keptUnrefd(this: Socket): Socket {
    return this;
  };
}

/**
 * grpc-js refs a timer of the channel while calls wait for a connection (one being made, or name
 * resolution): against a collector that accepts TCP and never completes the HTTP/2 or TLS handshake,
 * that is every call, for as long as the connection attempt lasts. The channel's `callRefTimerRef`
 * is what refs it; without it the timer stays unref'd and the calls still wait, until their
 * deadline cancels them.
 */
function keepCallsUnrefd(client: GrpcClient): void {
  try {
    const channel = client.getChannel?.().internalChannel;
    if (channel !== undefined && typeof channel.callRefTimerRef === 'function') channel.callRefTimerRef = () => {};
  } catch {
    // A future grpc-js without it: waiting calls hold the process until their deadline.
  }
}

function isSocket(value: unknown): value is Socket {
  return typeof value === 'object' && value !== null && typeof (value as Socket).unref === 'function' && typeof (value as Socket).destroy === 'function';
}

/** The gRPC transport inside an OTLP exporter (`_delegate._transport`), as far as the kit uses it. */
interface GrpcTransport {
  _client?: GrpcClient | null;
  shutdown?(): void;
}

/** The exporter's generated gRPC client: its one unary method, `export`, and its channel. */
interface GrpcClient {
  export?: (argument: unknown, metadata: unknown, options: { deadline?: unknown } | undefined, callback: unknown) => GrpcCall;
  getChannel?(): { internalChannel?: { callRefTimerRef?: unknown } };
  close(): void;
}

interface GrpcCall {
  cancel(): void;
  once(event: 'status', listener: () => void): unknown;
}

/**
 * Calls `wrap` with every client the transport makes: it makes one on its first export, and a new
 * one after repeated deadline failures, by assigning `_client`.
 */
function onEveryClient(transport: GrpcTransport, wrap: (client: GrpcClient) => void): void {
  let client = transport._client;
  if (client) wrap(client);
  try {
    Object.defineProperty(transport, '_client', {
      configurable: true,
      enumerable: true,
      get: () => client,
      set: (next: GrpcClient | null | undefined) => {
        client = next;
        if (next) wrap(next);
      },
    });
  } catch {
    // Not configurable in some future version: calls keep grpc-js' own deadline.
  }
}

/**
 * The client's export calls, made without a deadline and remembered until they end, on a channel
 * whose calls waiting for a connection do not hold the process (see the module comment).
 */
function withoutDeadline(client: GrpcClient, calls: Set<GrpcCall>): void {
  keepCallsUnrefd(client);
  const original = client.export;
  if (typeof original !== 'function') return;
  client.export = function exportWithoutDeadline(argument, metadata, options, callback) {
    const call = original.call(client, argument, metadata, { ...options, deadline: Infinity }, callback);
    calls.add(call);
    call.once('status', () => calls.delete(call));
    return call;
  };
}

function transportOf(exporter: object): GrpcTransport | undefined {
  const transport = (exporter as { _delegate?: { _transport?: unknown } })._delegate?._transport;
  return typeof transport === 'object' && transport !== null ? (transport as GrpcTransport) : undefined;
}
