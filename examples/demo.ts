/**
 * The kit end to end, without network: `npm run demo` (or `node examples/demo.ts`).
 *
 * Two customer questions go through the support-desk workflow at the same
 * time. Telemetry goes to the console by default, or to an OTLP collector
 * (e.g. Jaeger) when FLO_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT is set:
 *
 *   FLO_OTLP_ENDPOINT=http://localhost:4317 npm run demo
 *
 * With the console export, the console shows each span, each metric data
 * point and each event once, as shutdown exports them. With a collector, the
 * demo prints the span tree of each trace, every metric data point and every
 * event itself at the end, from a copy kept in memory.
 */
import { configureTelemetry, shutdownTelemetry } from '../src/runtime/index.ts';
import { formatLogRecords, formatMetrics, formatSpanTree, TelemetryReport } from './report.ts';
import { SupportDesk } from './support-desk.ts';

const EMAIL = /[\w.+-]+@[\w-]+\.[\w.]+/g;

async function main(): Promise<void> {
  const otlpEndpoint = process.env.FLO_OTLP_ENDPOINT ?? process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  // The console shows what is exported; only when it goes to a collector does the demo keep a copy to show.
  const report = otlpEndpoint === undefined ? undefined : new TelemetryReport();
  const telemetry = configureTelemetry({
    serviceName: 'support-desk-demo',
    serviceVersion: '0.1.0',
    // The endpoint itself is read from the same variables by configureTelemetry.
    consoleExport: otlpEndpoint === undefined,
    spanProcessors: report === undefined ? [] : [report.spanProcessor],
    metricReaders: report === undefined ? [] : [report.metricReader],
    logRecordProcessors: report === undefined ? [] : [report.logRecordProcessor],
    // Prompts and answers are user data: off unless opted in. The demo opts in, masking e-mail addresses.
    captureContent: { enabled: true, maxLength: 160, redact: (text) => text.replace(EMAIL, '[email]') },
  });

  const desk = new SupportDesk();
  const questions = [
    'I was charged twice for invoice INV-1042, please write to ana@example.com',
    'How do I reset my password?',
  ];
  const answers = await Promise.all(questions.map((question, index) => desk.handle(question, index === 0 ? ['Hi', 'Hello, how can I help?'] : [])));
  print('Answers', questions.map((question, index) => `${question}\n    → ${answers[index]}`));

  if (report === undefined) {
    console.log("\n=== Telemetry, as the console export prints it (compact; consoleFormat: 'raw' prints the SDK's objects) ===");
    // Shutting down exports the last spans, metric points and events; each is printed once.
    await shutdownTelemetry();
    return;
  }
  await telemetry?.forceFlush();
  const snapshot = await report.snapshot();
  await shutdownTelemetry();
  print('Span tree', formatSpanTree(snapshot.spans));
  print('Metrics', formatMetrics(snapshot.metrics));
  print('Events', formatLogRecords(snapshot.logs));
  console.log(`\nSpans, metrics and events were exported to ${otlpEndpoint}.`);
}

function print(title: string, lines: readonly string[]): void {
  console.log(`\n=== ${title} ===`);
  for (const line of lines) console.log(line);
}

await main();
