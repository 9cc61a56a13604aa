/**
 * `node examples/frameworks.ts` runs as the README's section on callback frameworks shows: both
 * adapters, the frameworks' real code, the span trees on the console.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

it('node examples/frameworks.ts prints both answers and both span trees', async () => {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.FLO_OTLP_ENDPOINT;
  delete env.OTEL_EXPORTER_OTLP_ENDPOINT;
  delete env.NODE_ENV;
  const { stdout } = await promisify(execFile)(process.execPath, ['examples/frameworks.ts'], { cwd: root, env, timeout: 30_000 });
  expect(stdout).toContain('LangChain: The weather in Paris is rainy today (Sunny in Paris)');
  expect(stdout).toContain('Agents SDK: The weather in Paris is rainy today');
  const tree = stdout
    .split('\n')
    .filter((line) => /^\s+(invoke_|execute_tool |chat )/.test(line))
    .map((line) => line.replace(/ {2}\d.*$/, ''));
  expect(tree.toSorted()).toEqual(
    [
      '  invoke_agent weather_agent',
      '    chat gpt-4o-mini',
      '    execute_tool get_weather',
      '  invoke_workflow Agent workflow',
      '    invoke_agent triage',
      '      chat gpt-4o-mini-2026-01-01',
      '      execute_tool get_weather',
      '      chat gpt-4o-mini-2026-01-01',
      '      execute_tool transfer_to_weather_agent',
      '    invoke_agent weather_agent',
      '      chat gpt-4o-mini-2026-01-01',
    ].toSorted(),
  );
});
