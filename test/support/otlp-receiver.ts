/**
 * A real OTLP gRPC receiver for tests: a @grpc/grpc-js server on
 * 127.0.0.1:<ephemeral> implementing TraceService/Export and
 * MetricsService/Export, decoding what arrives and keeping the metadata
 * (headers) of every call.
 */
import * as grpc from '@grpc/grpc-js';
import { createServer, type Socket } from 'node:net';
import { decodeLogsRequest, decodeMetricsRequest, decodeTraceRequest, type ReceivedLogRecord, type ReceivedMetric, type ReceivedSpan } from './otlp-proto.ts';

const TRACE_EXPORT = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
const METRICS_EXPORT = '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export';
const LOGS_EXPORT = '/opentelemetry.proto.collector.logs.v1.LogsService/Export';

export interface OtlpReceiver {
  /** `http://127.0.0.1:<port>`, or `https://localhost:<port>` for a TLS receiver. */
  readonly url: string;
  readonly spans: ReceivedSpan[];
  readonly metrics: ReceivedMetric[];
  readonly logs: ReceivedLogRecord[];
  /** Metadata of every export call, traces, metrics and logs alike. */
  readonly metadata: grpc.Metadata[];
  /** Number of export calls answered with an error (see `rejectWith`). */
  readonly rejectedCalls: number;
  close(): Promise<void>;
}

export interface ReceiverOptions {
  /** TLS key and certificate (PEM); without them the receiver speaks plaintext. */
  readonly tls?: { readonly key: Buffer; readonly cert: Buffer };
  /** Answer every export with this gRPC status instead of OK: a refusing collector. */
  readonly rejectWith?: grpc.status;
  /** Listen on this port of 127.0.0.1 (a collector coming back where it was); an ephemeral one by default. */
  readonly port?: number;
  /** Answer each export this long after it arrived: a collector that takes its time. */
  readonly answerAfterMillis?: number;
}

export async function startOtlpReceiver(options: ReceiverOptions = {}): Promise<OtlpReceiver> {
  const server = new grpc.Server();
  const spans: ReceivedSpan[] = [];
  const metrics: ReceivedMetric[] = [];
  const logs: ReceivedLogRecord[] = [];
  const metadata: grpc.Metadata[] = [];
  let rejectedCalls = 0;

  const exportHandler =
    (decode: (body: Buffer) => void): grpc.handleUnaryCall<Buffer, Buffer> =>
    (call, callback) => {
      metadata.push(call.metadata);
      if (options.rejectWith !== undefined) {
        rejectedCalls += 1;
        callback({ code: options.rejectWith, details: 'rejected by test receiver' });
        return;
      }
      decode(call.request);
      // An empty Export*ServiceResponse encodes as zero bytes.
      if (options.answerAfterMillis === undefined) callback(null, Buffer.alloc(0));
      else setTimeout(() => callback(null, Buffer.alloc(0)), options.answerAfterMillis);
    };

  server.addService(
    { Export: rawUnaryMethod(TRACE_EXPORT) },
    { Export: exportHandler((body) => spans.push(...decodeTraceRequest(body))) },
  );
  server.addService(
    { Export: rawUnaryMethod(METRICS_EXPORT) },
    { Export: exportHandler((body) => metrics.push(...decodeMetricsRequest(body))) },
  );
  server.addService({ Export: rawUnaryMethod(LOGS_EXPORT) }, { Export: exportHandler((body) => logs.push(...decodeLogsRequest(body))) });

  const credentials = options.tls
    ? grpc.ServerCredentials.createSsl(null, [{ private_key: options.tls.key, cert_chain: options.tls.cert }])
    : grpc.ServerCredentials.createInsecure();
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`127.0.0.1:${options.port ?? 0}`, credentials, (error, boundPort) => (error ? reject(error) : resolve(boundPort)));
  });

  return {
    // TLS by host name: the certificate names localhost, and TLS SNI must not be an IP address.
    url: options.tls ? `https://localhost:${port}` : `http://127.0.0.1:${port}`,
    spans,
    metrics,
    logs,
    metadata,
    get rejectedCalls() {
      return rejectedCalls;
    },
    close: () =>
      new Promise<void>((resolve) => {
        // Graceful first; do not wait long for clients that keep a channel (or a failed handshake) open.
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 500);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}

/** A port nothing listens on: bound once to get a free number, then closed. */
export async function closedPort(): Promise<number> {
  const listener = createServer();
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const address = listener.address();
  await new Promise<void>((resolve) => listener.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

/**
 * A collector that accepts TCP connections and never answers: no HTTP/2
 * handshake, no response, so every export waits for its deadline.
 */
export async function startSilentCollector(): Promise<{ url: string; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function rawUnaryMethod(path: string): grpc.MethodDefinition<Buffer, Buffer> {
  const identity = (value: Buffer): Buffer => value;
  return {
    path,
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  };
}
