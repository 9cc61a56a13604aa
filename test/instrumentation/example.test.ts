/**
 * The demo runs as the README says (`node examples/demo.ts`, Node's type
 * stripping, no network) and prints the span tree and the metrics.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

it('node examples/demo.ts prints answers, both span trees and the metrics', async () => {
  const env = { ...process.env };
  delete env.FLO_OTLP_ENDPOINT;
  delete env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const { stdout } = await promisify(execFile)(process.execPath, ['examples/demo.ts'], { cwd: root, env, timeout: 20_000 });
  const summary = stdout.slice(stdout.indexOf('=== Answers ==='));
  expect(summary).toContain('→ I am sorry about the double charge.');
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
  // The console export ran too, in the compact format by default: a tree line per span, a line per metric point, no raw objects.
  const live = stdout.slice(0, stdout.indexOf('=== Answers ==='));
  expect(live).toMatch(/^ {2}invoke_workflow support_desk {2}\d+\.\d ms {2}.*workflow\.name=support_desk/m);
  expect(live).toMatch(/^llm\.requests\.total \{model=fake-mini provider=fake status=success\} \d+ \{request\}$/m);
  expect(live).not.toContain("name: 'invoke_workflow support_desk'");
  expect(live).not.toContain('dataPoints');
});

it('FLO_CONVENTIONS=gen_ai npm run demo emits the GenAI names only', async () => {
  const env: NodeJS.ProcessEnv = { ...process.env, FLO_CONVENTIONS: 'gen_ai' };
  delete env.FLO_OTLP_ENDPOINT;
  delete env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const { stdout } = await promisify(execFile)(process.execPath, ['examples/demo.ts'], { cwd: root, env, timeout: 20_000 });
  const summary = stdout.slice(stdout.indexOf('=== Span tree ==='));
  const names = summary
    .split('\n')
    .filter((line) => /^ {2,}\S/.test(line) && !line.startsWith('trace '))
    .map((line) => line.trim().split('  ')[0]);
  expect(new Set(names)).toEqual(new Set(['invoke_workflow support_desk', 'chat fake-mini', 'invoke_agent billing', 'execute_tool lookup_invoice', 'chat fake-large', 'invoke_agent general']));
  const metricNames = new Set(summary.slice(summary.indexOf('=== Metrics ===')).split('\n').filter((line) => /^[a-z]/.test(line)).map((line) => line.split(' ')[0]));
  expect([...metricNames].every((name) => name?.startsWith('gen_ai.client.'))).toBe(true);
  expect(summary).not.toMatch(/(?<![.\w])(llm|agent|workflow)\.[a-z_.]+=/);
});
