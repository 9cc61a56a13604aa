/**
 * `gen_ai.tool.definitions`: the tools a request offers the model, in the form the GenAI
 * conventions' Tool Definitions JSON schema gives (docs/gen-ai/gen-ai-tool-definitions.json of
 * semantic conventions v1.41.1): a list of `{ type, name }`, `type` `function` for a function the
 * application implements, the provider's own type for a built-in tool. Only the two properties the
 * schema requires: the conventions advise against recording descriptions and parameter schemas by
 * default, as they can be large.
 *
 *   request shape (recognised by)        function tools                          built-in tools
 *   OpenAI Chat Completions, Ollama      tools[] { type: function,               tools[] { type: custom, custom: { name } }
 *                                        function: { name } }
 *   OpenAI Responses API                 tools[] { type: function, name }        tools[] { type: web_search, file_search, … }
 *                                                                                (named after their type)
 *   Anthropic Messages                   tools[] { name, input_schema }          tools[] { type: web_search_20250305, name }
 *                                        (type absent or custom)
 *   Gemini (tools, or config.tools)      tools[].functionDeclarations[] { name } tools[] { googleSearch: {} , codeExecution: {} }
 *                                                                                (named after their key)
 *
 * Pure, and never throws: a request it cannot read has no tools.
 */
import { array, guard, object, text, type Json } from './read.ts';

export interface GenAiToolDefinition {
  readonly type: string;
  readonly name: string;
}

/** The tools a request offers, or undefined when it offers none. Never throws. */
export function toolDefinitions(request: unknown): GenAiToolDefinition[] | undefined {
  return guard(() => {
    const body = object(request);
    const tools = array(body?.tools) ?? array(object(body?.config)?.tools);
    if (tools === undefined) return undefined;
    const definitions = tools.flatMap((tool) => definitionsOf(object(tool)));
    return definitions.length === 0 ? undefined : definitions;
  }, undefined);
}

function definitionsOf(tool: Json | undefined): GenAiToolDefinition[] {
  if (tool === undefined) return [];
  const declarations = array(tool.functionDeclarations) ?? array(tool.function_declarations);
  if (declarations !== undefined) return declarations.flatMap((declaration) => named('function', text(object(declaration)?.name)));
  const type = text(tool.type);
  // Chat Completions and Ollama nest the function; a custom tool its own object.
  const nested = object(tool.function) ?? object(tool.custom);
  if (nested !== undefined) return named(type ?? 'function', text(nested.name));
  const name = text(tool.name);
  // Anthropic's client tools have no type (or `custom`); Responses function tools say `function`.
  if (name !== undefined) return named(type === undefined || type === 'custom' ? 'function' : type, name);
  // A built-in tool without a name (Responses web_search, Gemini googleSearch): named after its type, or its key.
  const kind = type ?? Object.keys(tool)[0];
  return kind === undefined ? [] : named(kind, kind);
}

function named(type: string, name: string | undefined): GenAiToolDefinition[] {
  return name === undefined ? [] : [{ type, name }];
}
