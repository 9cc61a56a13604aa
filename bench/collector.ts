/**
 * A real OTLP gRPC collector that accepts everything, in its own process so
 * that decoding what arrives does not run on the benchmark's event loop.
 * Prints its URL, then `received N spans` whenever asked on stdin; exits when
 * stdin closes.
 */
import { startOtlpReceiver } from '../test/support/otlp-receiver.ts';

const receiver = await startOtlpReceiver();
process.stdout.write(`${receiver.url}\n`);
process.stdin.setEncoding('utf8');
process.stdin.on('data', () => {
  process.stdout.write(`received ${receiver.spans.length} spans\n`);
});
process.stdin.on('end', () => {
  void receiver.close().then(() => process.exit(0));
});
