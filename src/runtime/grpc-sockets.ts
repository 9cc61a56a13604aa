/**
 * Every socket the OTLP gRPC exporters of one session open, so that the
 * session can end them when its shutdown bound has passed.
 *
 * @grpc/grpc-js neither cancels an export in flight when its client is
 * closed nor destroys a connection whose TLS handshake never completes: a
 * collector that accepts TCP and never answers would keep the process alive
 * for the export deadline, or forever behind `https://`. The kit therefore
 * hands the exporters the channel credentials they would build themselves
 * (from the URL scheme and OTEL_EXPORTER_OTLP_CERTIFICATE and friends, by
 * the exporters' own `convertLegacyOtlpGrpcOptions`), wrapped so each
 * connection's socket is recorded on its way through the credentials'
 * connector, and unref'd: telemetry alone never keeps a process alive (an
 * export in flight still does, through grpc-js' own call timer, until its
 * deadline). A connection whose TLS handshake has not completed within an
 * export deadline is ended, so that calls stop queueing behind it and an
 * application waiting for `beforeExit` gets it. `destroyAll()` closes the exporters' channels, which fails the
 * calls still waiting for a connection, and ends every socket, which fails
 * the calls on it.
 *
 * This relies on grpc-js' `_createSecureConnector` hook and on the
 * exporters' `_delegate._transport`; where a future version lacks them,
 * nothing is tracked (exports still work) and shutdown falls back to the
 * exporters' deadlines.
 */
import type { Socket } from 'node:net';
import { convertLegacyOtlpGrpcOptions } from '@opentelemetry/otlp-grpc-exporter-base';

/** The OTLP export deadline (OTEL_EXPORTER_OTLP_TIMEOUT's default): a handshake slower than that serves no export. */
const HANDSHAKE_TIMEOUT_MILLIS = 10_000;

type Credentials = NonNullable<Parameters<typeof convertLegacyOtlpGrpcOptions>[0]['credentials']>;

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

  /** The credentials the exporters would use for `url` and `signal` (`TRACES`, `METRICS`), recording sockets. */
  credentialsFor(url: string, signal: 'TRACES' | 'METRICS'): Credentials | undefined {
    const credentials = convertLegacyOtlpGrpcOptions({ url }, signal).credentials();
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

  /** Ends every connection still open; later connections are ended as they are made. */
  destroyAll(): void {
    this.#destroyed = true;
    for (const exporter of this.#exporters) {
      const transport = (exporter as { _delegate?: { _transport?: { shutdown?: unknown } } })._delegate?._transport;
      try {
        if (typeof transport?.shutdown === 'function') transport.shutdown();
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
              socket.unref();
              this.#sockets.add(socket);
              socket.once('close', () => this.#sockets.delete(socket));
            }
            const handshake = setTimeout(() => socket.destroy(new Error('the collector did not complete the connection handshake')), HANDSHAKE_TIMEOUT_MILLIS);
            handshake.unref();
            const connected = target.connect(socket);
            void connected.then(
              () => clearTimeout(handshake),
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
