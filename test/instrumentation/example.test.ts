/**
 * The demo runs as the README says (`node examples/demo.ts`, Node's type
 * stripping, no network) and prints the answers, then the span tree and the
 * metrics as the console export prints them: each span and each metric data
 * point once.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The demo's output, from its answers on. */
async function demo(extra: NodeJS.ProcessEnv = {}): Promise<string> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.FLO_OTLP_ENDPOINT;
  delete env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const { stdout } = await promisify(execFile)(process.execPath, ['examples/demo.ts'], { cwd: root, env, timeout: 20_000 });
  return stdout.slice(stdout.indexOf('=== Answers ==='));
}

/** Metric data point lines: a metric name, its attributes in braces, a value. */
const metricLines = (text: string) => text.split('\n').filter((line) => /^[a-z_.]+ \{[^}]*\} /.test(line));

it('node examples/demo.ts prints answers, both span trees and the metrics, each once', async () => {
  const summary = await demo();
  expect(summary).toContain('→ I am sorry about the double charge.');
  expect(summary).toContain('=== Telemetry, as the console export prints it');
  const tree = summary
    .split('\n')
    .filter((line) => /^\s+(workflow\.|agent\.|llm\.|invoke_|execute_tool |chat )/.test(line))
    .map((line) => line.replace(/ {2}\d.*$/, ''));
  // Two traces, in whichever order they ended; with both conventions (the default) the workflow,
  // agent, tool and LLM spans take their GenAI names, nodes and routers keep flo_ai's.
  const traces = tree.join('\n').split(/\n(?=  invoke_workflow)/).sort();
  expect(traces).toEqual(
    [
      [
        '  invoke_workflow support_desk',
        '    workflow.router.triage',
        '      chat fake-mini',
        '    workflow.node.billing_agent',
        '      invoke_agent billing',
        '        execute_tool lookup_invoice',
        '        execute_tool lookup_invoice',
        '        chat fake-large',
      ].join('\n'),
      [
        '  invoke_workflow support_desk',
        '    workflow.router.triage',
        '      chat fake-mini',
        '    workflow.node.general_agent',
        '      invoke_agent general',
        '        chat fake-large',
      ].join('\n'),
    ].sort(),
  );
  expect(summary).toContain('[email]');
  expect(summary).not.toMatch(/llm\.request\.content="[^"]*ana@example\.com/);
  expect(summary).toMatch(/^agent\.retries\.total \{agent_name=billing reason=tool_error\} 1/m);
  expect(summary).toMatch(/^llm\.streams\.total \{model=fake-large provider=fake status=success\} 1/m);
  expect(summary).toMatch(/^workflow\.router\.decisions \{workflow_name=support_desk router_name=triage route=general_agent\} 1/m);
  // The compact format by default: a tree line per span, one header and a line per metric point, no raw objects.
  expect(summary).toMatch(/^ {2}invoke_workflow support_desk {2}\d+(\.\d+)? ms {2}.*workflow\.name=support_desk/m);
  expect(summary).toMatch(/^llm\.requests\.total \{model=fake-mini provider=fake status=success\} 2 \{request\}$/m);
  expect(summary).not.toContain("name: 'invoke_workflow support_desk'");
  expect(summary).not.toContain('dataPoints');
  // Each span and each data point once: forceFlush, shutdown and the demo itself do not print them again.
  expect(summary.match(/^ {2}invoke_workflow support_desk /gm)).toHaveLength(2);
  const points = metricLines(summary).map((line) => line.slice(0, line.indexOf('} ') + 1));
  expect(points.length).toBeGreaterThan(30);
  expect(points.filter((point, index) => points.indexOf(point) !== index)).toEqual([]);
  expect(summary.match(/^metrics: \d+ of \d+ data points changed since the last export \(cumulative values\)$/gm)).toHaveLength(1);
  // The billing agent's evaluation of its answer: one event line, linked to a span of the billing trace.
  const events = summary.split('\n').filter((line) => line.startsWith('event '));
  expect(events).toEqual([expect.stringMatching(/^event gen_ai\.evaluation\.result {2}span ([0-9a-f]{32})\/[0-9a-f]{16} {2}gen_ai\.evaluation\.name=mentions_refund gen_ai\.evaluation\.score\.value=1 gen_ai\.evaluation\.score\.label=pass$/)]);
  const billingTrace = summary.split(/\n(?=trace )/).find((block) => block.includes('invoke_agent billing'));
  expect(billingTrace?.startsWith(`trace ${/span ([0-9a-f]{32})/.exec(events[0] ?? '')?.[1]}`)).toBe(true);
});

it('FLO_CONVENTIONS=gen_ai npm run demo emits the GenAI names only', async () => {
  const summary = (await demo({ FLO_CONVENTIONS: 'gen_ai' })).split('=== Telemetry')[1] ?? '';
  const names = summary
    .split('\n')
    .filter((line) => /^ {2,}\S/.test(line) && !line.startsWith('trace '))
    .map((line) => line.trim().split('  ')[0]);
  expect(new Set(names)).toEqual(new Set(['invoke_workflow support_desk', 'chat fake-mini', 'invoke_agent billing', 'execute_tool lookup_invoice', 'chat fake-large', 'invoke_agent general']));
  const metricNames = new Set(metricLines(summary).map((line) => line.split(' ')[0]));
  expect(metricNames.size).toBeGreaterThan(2);
  expect([...metricNames].every((name) => name?.startsWith('gen_ai.client.'))).toBe(true);
  expect(summary).not.toMatch(/(?<![.\w])(llm|agent|workflow)\.[a-z_.]+=/);
});

it('node examples/sdk-shapes.ts prints the README table: one row per SDK and shape, usage wherever the provider reports it', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ['examples/sdk-shapes.ts'], { cwd: root, timeout: 30_000 });
  const rows = stdout.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| SDK') && !line.startsWith('| ---'));
  expect(rows).toHaveLength(16);
  // Every row but asResponse() (whose body the caller reads, not the kit) records the input tokens.
  expect(rows.filter((row) => !row.includes('| in 42,')).map((row) => row.split(' | ')[0])).toEqual(['| OpenAI Chat Completions, `create().asResponse()`']);
  expect(rows.filter((row) => row.includes(', streamed |')).every((row) => / \d+ output chunks/.test(row))).toBe(true);
});
