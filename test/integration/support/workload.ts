/**
 * A realistic agent workflow run through the kit's own public API, with
 * provider responses in the documented OpenAI and Anthropic shapes:
 *
 *   workflow.research
 *     workflow.router.triage
 *       llm.openai.generate                 (picks the route)
 *     workflow.node.researcher
 *       agent.researcher.run
 *         agent.tool.web_search             (fails: search backend timed out)
 *         agent.tool.web_search             (the retry, succeeds)
 *         llm.anthropic.generate
 *     workflow.node.writer
 *       agent.writer.run
 *         llm.openai.stream                 (4 content chunks, then a usage chunk)
 */
import {
  traceAgentRun,
  traceLlmCall,
  traceLlmStream,
  traceNode,
  traceRouterDecision,
  traceToolCall,
  traceWorkflow,
} from '../../../src/index.ts';

export const WORKFLOW = 'research';
export const ROUTE = 'researcher';
export const TOOL = 'web_search';
export const ROUTER_USAGE = { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 };
export const RESEARCH_USAGE = { input_tokens: 30, output_tokens: 12 };
export const STREAM_USAGE = { prompt_tokens: 20, completion_tokens: 8, total_tokens: 28 };
export const STREAM_WORDS = ['OpenTelemetry', ' makes', ' agents', ' observable.'];

/** Spans one run produces, by name. */
/**
 * Span names of one run with both conventions (the default): workflows, agents, tools and LLM
 * calls take their GenAI names, nodes and routers keep flo_ai's.
 */
export const SPANS_PER_RUN: Readonly<Record<string, number>> = {
  [`invoke_workflow ${WORKFLOW}`]: 1,
  'workflow.router.triage': 1,
  'chat gpt-4o': 2,
  [`workflow.node.${ROUTE}`]: 1,
  [`invoke_agent ${ROUTE}`]: 1,
  [`execute_tool ${TOOL}`]: 2,
  'chat claude-sonnet-4-5': 1,
  'workflow.node.writer': 1,
  'invoke_agent writer': 1,
};
export const SPAN_COUNT_PER_RUN = Object.values(SPANS_PER_RUN).reduce((sum, count) => sum + count, 0);

/** The tree of one run, children sorted by name, two spaces a level. */
export const EXPECTED_TREE = [
  `invoke_workflow ${WORKFLOW}`,
  `  workflow.node.${ROUTE}`,
  `    invoke_agent ${ROUTE}`,
  '      chat claude-sonnet-4-5',
  `      execute_tool ${TOOL}`,
  `      execute_tool ${TOOL}`,
  '  workflow.node.writer',
  '    invoke_agent writer',
  '      chat gpt-4o',
  '  workflow.router.triage',
  '    chat gpt-4o',
].join('\n');

export class SearchTimeoutError extends Error {
  override name = 'SearchTimeoutError';
}

const tick = (ms = 2) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `text` padded to `length` characters (unchanged when shorter is asked), different for every
 * run: the prompts and completions of a run when the test wants them as long as real ones.
 */
export function padded(text: string, length: number): string {
  return text.length >= length ? text : text.padEnd(length, ` ${text.length} Lorem ipsum dolor sit amet, consectetur adipiscing elit.`);
}

/**
 * One workflow run; `question` only shapes the fake answers. `textLength` makes the prompts of its
 * LLM calls and the answers of the research and writer calls that long (content capture records them).
 */
export async function runResearchWorkflow(question: string, textLength = 0): Promise<string> {
  return traceWorkflow({ name: WORKFLOW, nodeCount: 2 }, async () => {
    const route = await traceRouterDecision({ routerName: 'triage' }, async () => {
      const reply = await traceLlmCall({ provider: 'openai', model: 'gpt-4o', temperature: 0.5, prompt: padded(`Route: ${question}`, textLength) }, async () => {
        await tick();
        return { model: 'gpt-4o', choices: [{ message: { role: 'assistant', content: ROUTE } }], usage: ROUTER_USAGE };
      });
      return reply.choices[0]?.message.content ?? 'writer';
    });
    const notes = await traceNode({ name: route, type: 'agent' }, () => research(question, textLength));
    return traceNode({ name: 'writer', type: 'agent' }, () => write(notes, textLength));
  });
}

async function research(question: string, textLength: number): Promise<string> {
  return traceAgentRun({ name: ROUTE, type: 'tool_using', historySize: 3 }, async (agent) => {
    let attempt = 0;
    const search = () =>
      traceToolCall({ name: TOOL }, async () => {
        attempt += 1;
        await tick();
        if (attempt === 1) throw new SearchTimeoutError(`search backend timed out for "${question}"`);
        return [`result for ${question}`];
      });
    let results: string[];
    try {
      results = await search();
    } catch {
      agent.recordRetry('tool_error');
      results = await search();
    }
    const reply = await traceLlmCall({ provider: 'anthropic', model: 'claude-sonnet-4-5', temperature: 0.2, prompt: padded(`Research: ${question}`, textLength) }, async () => {
      await tick();
      return { type: 'message', role: 'assistant', content: [{ type: 'text', text: padded(results.join('; '), textLength) }], usage: RESEARCH_USAGE };
    });
    return reply.content[0]?.text ?? '';
  });
}

async function write(notes: string, textLength: number): Promise<string> {
  return traceAgentRun({ name: 'writer', type: 'conversational' }, async () => {
    let answer = '';
    const stream = traceLlmStream({ provider: 'openai', model: 'gpt-4o', temperature: 0.7, prompt: padded(`Write up: ${notes}`, textLength) }, () => chunks(notes, textLength));
    for await (const chunk of stream) answer += chunk.choices[0]?.delta.content ?? '';
    return answer;
  });
}

interface Chunk {
  readonly choices: ReadonlyArray<{ readonly delta: { readonly content?: string } }>;
  readonly usage?: typeof STREAM_USAGE;
}

async function* chunks(notes: string, textLength: number): AsyncGenerator<Chunk> {
  for (const word of STREAM_WORDS) {
    await tick(1);
    yield { choices: [{ delta: { content: word } }] };
  }
  const rest = textLength - STREAM_WORDS.join('').length;
  if (rest > 0) yield { choices: [{ delta: { content: padded(` ${notes.slice(0, 20)}`, rest) } }] };
  yield { choices: [], usage: STREAM_USAGE };
}
