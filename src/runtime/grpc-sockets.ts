/**
 * Every socket the OTLP gRPC exporters of one session open, so that telemetry
 * never keeps a process alive and a session can end its connections.
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
 * - gives the exporters no gRPC deadline (`GRPC_NO_DEADLINE_MILLIS`, beyond
 *   which grpc-js arms no timer) and keeps the deadline itself, on unref'd
 *   timers (retry-queue.ts, metric-export.ts), ending the connection of a call
 *   past its deadline (`resetConnections()`), which fails the call.
 * A connection whose TLS handshake has not completed within an export
 * deadline is ended too. `destroyAll()` closes the exporters' channels, which
 * fails the calls still waiting for a connection, and ends every socket,
 * which fails the calls on it.
 *
 * What still holds the loop: a call waiting for a connection that is being
 * made (a TCP connect or TLS handshake in progress), through grpc-js' own
 * channel timer, for at most the handshake bound below.
 *
 * This relies on grpc-js' `_createSecureConnector` hook and on the
 * exporters' `_delegate._transport` and its `_client`; where a future version lacks them,
 * nothing is tracked (exports still work) and exports fall back to keeping
 * the process alive until their deadline.
 */
import type { Socket } from 'node:net';
import { convertLegacyOtlpGrpcOptions } from '@opentelemetry/otlp-grpc-exporter-base';

/** The OTLP export deadline (OTEL_EXPORTER_OTLP_TIMEOUT's default): a handshake slower than that serves no export. */
const HANDSHAKE_TIMEOUT_MILLIS = 10_000;

/**
 * The timeout the kit gives the exporters: beyond 2^31 - 1 ms grpc-js arms no deadline timer (its
 * `getRelativeTimeout` says Infinity), and 2^32 stays beyond that for weeks after a call starts. The
 * real deadline is the kit's own (see above).
 */
export const GRPC_NO_DEADLINE_MILLIS = 2 ** 32;

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
  #destroyed = false;

  /** An OTLP gRPC exporter whose channel `destroyAll()` closes. */
  adopt<E extends object>(exporter: E): E {
    this.#exporters.push(exporter);
    return exporter;
  }

  /**
   * The credentials the exporters would use for `url` and `signal` (`TRACES`, `METRICS`), recording
   * sockets, and the export deadline the exporters would use; both resolved once, by the exporters' own
   * configuration code, from the OTEL_EXPORTER_OTLP_* variables.
   */
  connectionFor(url: string, signal: 'TRACES' | 'METRICS'): SignalConnection {
    const resolved = convertLegacyOtlpGrpcOptions({ url }, signal);
    return { credentials: this.#tracked(resolved.credentials()), timeoutMillis: resolved.timeoutMillis };
  }

  #tracked(credentials: Credentials): Credentials | undefined {
    const create = (credentials as unknown as { _createSecureConnector?: unknown })._createSecureConnector;
    if (typeof create !== 'function') return undefined;
    const connector = (connectorArgs: unknown[]): unknown => this.#track(create.apply(credentials, connectorArgs) as SecureConnector);
    return new Proxy(credentials, {
      get(target, property) {
        if (property === '_createSecureConnector') return (...args: unknown[]) => connector(args);
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }

  /**
   * Ends what an export past its deadline may be waiting on: each exporter's gRPC client is closed
   * and dropped (which fails the calls still waiting for a connection or for name resolution; the
   * exporter builds a new client for its next export, as it does itself after repeated deadline
   * failures), and every connection is ended (which fails the calls on it).
   */
  resetConnections(): void {
    for (const exporter of this.#exporters) {
      const transport = transportOf(exporter);
      const client = transport?._client;
      if (transport === undefined || client === undefined || client === null) continue;
      transport._client = undefined;
      try {
        client.close();
      } catch {
        // Already closed.
      }
    }
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
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

function isSocket(value: unknown): value is Socket {
  return typeof value === 'object' && value !== null && typeof (value as Socket).unref === 'function' && typeof (value as Socket).destroy === 'function';
}

/** The gRPC transport inside an OTLP exporter (`_delegate._transport`), as far as the kit uses it. */
interface GrpcTransport {
  _client?: { close(): void } | null;
  shutdown?(): void;
}

function transportOf(exporter: object): GrpcTransport | undefined {
  const transport = (exporter as { _delegate?: { _transport?: unknown } })._delegate?._transport;
  return typeof transport === 'object' && transport !== null ? (transport as GrpcTransport) : undefined;
}
