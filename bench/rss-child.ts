/**
 * What loading and starting telemetry costs in memory, in a fresh process
 * (`node --expose-gc bench/rss-child.ts MODE ENDPOINT [KIT_ENTRY]`, one JSON
 * line out): MODE `sdk` imports the bare OpenTelemetry packages the kit builds
 * on and starts them as the kit does (NodeSDK, batched OTLP gRPC spans,
 * periodic OTLP gRPC metrics); `kit` imports the kit's entry point (KIT_ENTRY:
 * the JavaScript the package ships, built by run.ts; default its TypeScript
 * source) and calls configureTelemetry. RSS and heap used after a forced
 * collection: at start, after the imports, after configuring.
 */
import { pathToFileURL } from 'node:url';

const [mode, endpoint, entry] = process.argv.slice(2);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined || (mode !== 'sdk' && mode !== 'kit') || endpoint === undefined) throw new Error('usage: node --expose-gc bench/rss-child.ts sdk|kit ENDPOINT [KIT_ENTRY]');

const MB = 1024 * 1024;
const sample = async () => {
  for (let round = 0; round < 3; round += 1) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const usage = process.memoryUsage();
  return { rssMb: usage.rss / MB, heapMb: usage.heapUsed / MB };
};

const start = await sample();
let stop: () => Promise<void>;
let imported: { rssMb: number; heapMb: number };
if (mode === 'sdk') {
  const [{ NodeSDK }, { OTLPTraceExporter }, { OTLPMetricExporter }, { BatchSpanProcessor }, { MeterProvider, PeriodicExportingMetricReader }, api] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/exporter-trace-otlp-grpc'),
    import('@opentelemetry/exporter-metrics-otlp-grpc'),
    import('@opentelemetry/sdk-trace'),
    import('@opentelemetry/sdk-metrics'),
    import('@opentelemetry/api'),
  ]);
  imported = await sample();
  const meterProvider = new MeterProvider({ readers: [new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter({ url: endpoint }) })] });
  const sdk = new NodeSDK({
    autoDetectResources: false,
    spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: endpoint }) })],
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [],
  });
  sdk.start();
  api.metrics.setGlobalMeterProvider(meterProvider);
  stop = async () => {
    await Promise.all([sdk.shutdown(), meterProvider.shutdown()]);
  };
} else {
  const kit = (await import(entry === undefined ? '../src/index.ts' : pathToFileURL(entry).href)) as typeof import('../src/index.ts');
  imported = await sample();
  kit.configureTelemetry({ serviceName: 'flo-bench-rss', otlpEndpoint: endpoint, logLevel: 'none' });
  stop = () => kit.shutdownTelemetry();
}
const configured = await sample();
await stop();
console.log(JSON.stringify({ mode, start, imported, configured }));
