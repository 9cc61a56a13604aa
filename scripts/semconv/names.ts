/**
 * How spec ids become TypeScript identifiers. One place, so that generated
 * code, docs and collision checks agree on every name.
 */

/**
 * Splits an id such as `llm.stream.time_to_first_chunk` into its words. Any
 * character that cannot stand in an identifier separates words (`c++`,
 * `a/b`, `o'brien`), so every name built from the words is an identifier.
 */
function words(id: string): string[] {
  return id.split(/[^A-Za-z0-9]+/).filter((word) => word.length > 0);
}

/** An identifier cannot start with a digit: `2xx` becomes `_2xx`. */
function identifier(name: string): string {
  return /^[0-9]/.test(name) ? `_${name}` : name;
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** `llm.tokens.total` → `LlmTokensTotal` */
export function pascalCase(id: string): string {
  return identifier(words(id).map(capitalize).join(''));
}

/** `agent_name` → `agentName`, `llm.provider` → `llmProvider` */
export function camelCase(id: string): string {
  const pascal = words(id).map(capitalize).join('');
  return identifier(pascal.charAt(0).toLowerCase() + pascal.slice(1));
}

/** `llm.tokens.total` → `LLM_TOKENS_TOTAL` */
export function constantCase(id: string): string {
  return identifier(
    words(id)
      .map((word) => word.toUpperCase())
      .join('_'),
  );
}

/** `2xx` → `2XX`: the words of an id for the end of a longer constant name, where a digit may lead. */
export function constantSuffix(id: string): string {
  return words(id)
    .map((word) => word.toUpperCase())
    .join('_');
}

/**
 * Telemetry names are lowercase, dot-separated namespaces whose parts may use
 * underscores (`agent.tool_calls.total`, `agent_name`), as OpenTelemetry
 * semantic conventions require.
 */
export const LOWERCASE_DOTTED = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/;

export function isLowercaseDotted(name: string): boolean {
  return LOWERCASE_DOTTED.test(name);
}
