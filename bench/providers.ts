/** The SDK set-ups the benchmarks run on. */
import { ExportResultCode } from '@opentelemetry/core';
import { MetricReader } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace';
import { configureTelemetry, SPAN_BATCH_LIMITS } from '../src/index.ts';

/** Accepts every batch at once: the SDK's own cost, without encoding or network. */
const discardingExporter: SpanExporter = {
  export: (_spans, done) => done({ code: ExportResultCode.SUCCESS }),
  shutdown: async () => {},
  forceFlush: async () => {},
};

/** Aggregates as any reader does; never exports. */
class IdleMetricReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** The real SDK through configureTelemetry, with the kit's batch limits and nothing sent anywhere. */
export function configureInProcess(): void {
  configureTelemetry({
    serviceName: 'flo-bench',
    logLevel: 'none',
    spanProcessors: [new BatchSpanProcessor({ exporter: discardingExporter, ...SPAN_BATCH_LIMITS })],
    metricReaders: [new IdleMetricReader()],
  });
}

/** As an application runs it: OTLP gRPC to a collector, batched spans, periodic metrics. */
export function configureOtlp(endpoint: string) {
  return configureTelemetry({ serviceName: 'flo-bench', otlpEndpoint: endpoint, logLevel: 'none' });
}
