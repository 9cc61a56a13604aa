/**
 * The TC39 method decorators at run time. vitest's transformer (oxc) leaves
 * `@decorator` syntax as it is and Node cannot run it, so the fixture with
 * real decorator syntax is compiled here by TypeScript itself, exactly as a
 * user's build would, and then imported. A second group applies the
 * decorator functions by hand, with a context object built the way the
 * proposal specifies, which needs no compiler at all.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as kit from '../../src/instrumentation/index.ts';
import { agentRun, llmCall, toolCall } from '../../src/instrumentation/index.ts';
import type { defineSupportBot as DefineSupportBot } from './fixtures/decorated.ts';
import { formatTree, useInMemoryTelemetry, type InMemoryTelemetry } from '../support/in-memory.ts';

let telemetry: InMemoryTelemetry;
beforeEach(() => {
  telemetry = useInMemoryTelemetry();
});
afterEach(async () => {
  await telemetry.shutdown();
});

describe('real decorator syntax, compiled by TypeScript', () => {
  let compiledDir: string;
  let defineSupportBot: typeof DefineSupportBot;

  beforeAll(async () => {
    const fixture = fileURLToPath(new URL('./fixtures/decorated.ts', import.meta.url));
    const { outputText } = ts.transpileModule(readFileSync(fixture, 'utf8'), {
      // ES2022: standard decorators are lowered (no runtime has them natively yet); no experimentalDecorators.
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
      fileName: fixture,
    });
    expect(outputText).toContain('__esDecorate');
    compiledDir = mkdtempSync(join(tmpdir(), 'flo-decorators-'));
    const compiled = join(compiledDir, 'decorated.mjs');
    writeFileSync(compiled, outputText);
    ({ defineSupportBot } = await import(/* @vite-ignore */ pathToFileURL(compiled).href));
  });
  afterAll(() => {
    rmSync(compiledDir, { recursive: true, force: true });
  });

  it('trace a whole workflow: router, node, agent, tools, LLM call', async () => {
    const { FakeLlm, SupportBot } = defineSupportBot(kit);
    const bot = new SupportBot(new FakeLlm('gpt-4o'));
    expect(await bot.handle('my bill is wrong')).toBe('echo: my bill is wrong invoice #7');
    expect(formatTree(await telemetry.tree())).toEqual([
      'invoke_workflow support_bot',
      '  workflow.router.triage',
      '  workflow.node.billing',
      '    invoke_agent billing',
      '      execute_tool search',
      '      chat gpt-4o',
      '      execute_tool polish',
    ]);
    expect((await telemetry.span('workflow.router.triage')).attributes['router.decision']).toBe('billing');
    expect((await telemetry.span('invoke_agent billing')).attributes).toMatchObject({ 'agent.history.size': 1, 'agent.tool_calls': 2, 'agent.retries': 0 });
    expect((await telemetry.span('execute_tool polish')).attributes['agent.name']).toBe('billing');
    expect((await telemetry.span('chat gpt-4o')).attributes).toMatchObject({ 'llm.model': 'gpt-4o', 'llm.usage.completion_tokens': 6 });
    expect(await telemetry.telemetry()).toConformToSpec();
  });

  it('reach the run from inside a decorated method', async () => {
    const { FakeLlm, Agent } = defineSupportBot(kit);
    await new Agent('general', new FakeLlm('m')).run('hello', []);
    expect(await telemetry.points('agent.retries.total')).toEqual([{ attributes: { agent_name: 'general', reason: 'empty_search' }, value: 1 }]);
  });

  it('decorate generator and static methods', async () => {
    const { FakeLlm } = defineSupportBot(kit);
    const words: string[] = [];
    for await (const word of new FakeLlm('m').stream('one two three')) words.push(word);
    expect(words).toEqual(['one', 'two', 'three']);
    expect(FakeLlm.ping()).toBe('pong');
    expect((await telemetry.span('chat m')).attributes['llm.stream.chunks']).toBe(3);
    expect(await telemetry.span('chat llama3.2')).toBeDefined();
  });
});

describe('decorator functions applied by hand', () => {
  /** A ClassMethodDecoratorContext as the proposal defines it, for a public instance method. */
  function methodContext<This, Value extends (this: This, ...args: any) => any>(_method: Value, name: string): ClassMethodDecoratorContext<This, Value> {
    return {
      kind: 'method',
      name,
      static: false,
      private: false,
      access: { has: (object) => name in (object as object), get: (object) => (object as Record<string, Value>)[name] as Value },
      addInitializer: () => {},
      metadata: {},
    };
  }

  class Llm {
    readonly model = 'gpt-4o';
    async generate(prompt: string, maxTokens: number): Promise<string> {
      return `${this.model}:${prompt}:${maxTokens}`;
    }
  }

  it('return a method with the same behaviour, traced', async () => {
    const decorate = llmCall((self: Llm, [prompt]: [string, number]) => ({ provider: 'openai', model: self.model, prompt }));
    const generate = decorate(Llm.prototype.generate, methodContext<Llm, Llm['generate']>(Llm.prototype.generate, 'generate'));
    expect(generate.name).toBe('generate');
    expect(await generate.call(new Llm(), 'hi', 5)).toBe('gpt-4o:hi:5');
    expect((await telemetry.span('chat gpt-4o')).attributes['llm.model']).toBe('gpt-4o');
  });

  it('compose: a tool inside an agent run, both by hand', async () => {
    class Worker {
      readonly name = 'worker';
      async run(task: string): Promise<string> {
        return this.tool(task);
      }
      tool(task: string): string {
        return task.toUpperCase();
      }
    }
    Worker.prototype.run = agentRun((self: Worker) => ({ name: self.name, type: 'worker' }))(Worker.prototype.run, methodContext<Worker, Worker['run']>(Worker.prototype.run, 'run'));
    Worker.prototype.tool = toolCall({ name: 'upper' })(Worker.prototype.tool, methodContext(Worker.prototype.tool, 'tool'));
    expect(await new Worker().run('task')).toBe('TASK');
    expect((await telemetry.span('execute_tool upper')).parentSpanContext?.spanId).toBe((await telemetry.span('invoke_agent worker')).spanContext().spanId);
  });
});
