/**
 * How spec ids become TypeScript identifiers. One place, so that generated
 * code, docs and collision checks agree on every name.
 */

/**
 * An id such as `llm.stream.time_to_first_chunk` is made of words. Any
 * character that cannot stand in an identifier separates words (`c++`,
 * `a/b`, `o'brien`), so every name built from the words is an identifier.
 * The names are built in one pass over the id's characters: the generator
 * derives several for every attribute and signal of registries with tens of
 * thousands of them.
 */
const PASCAL = 0;
const CAMEL = 1;
const CONSTANT = 2;

/** Character codes of the name being built; reused, since names are built one at a time. */
const codes: number[] = [];

function recase(id: string, style: typeof PASCAL | typeof CAMEL | typeof CONSTANT, leadingDigit: boolean): string {
  codes.length = 0;
  let inWord = false;
  let words = 0;
  for (let i = 0; i < id.length; i += 1) {
    let c = id.charCodeAt(i);
    const lower = c >= 97 && c <= 122;
    if (!(lower || (c >= 65 && c <= 90) || (c >= 48 && c <= 57))) {
      inWord = false;
      continue;
    }
    if (!inWord) {
      inWord = true;
      words += 1;
      if (style === CONSTANT && words > 1) codes.push(95);
      // The first letter of each word is capitalised; camelCase then lowers the name's very first one.
      if (lower && style !== CONSTANT && !(style === CAMEL && words === 1)) c -= 32;
      else if (style === CAMEL && words === 1 && c >= 65 && c <= 90) c += 32;
    }
    if (style === CONSTANT && lower) c -= 32;
    codes.push(c);
  }
  // An identifier cannot start with a digit: `2xx` becomes `_2xx`.
  if (!leadingDigit && codes.length > 0 && (codes[0] as number) <= 57) codes.unshift(95);
  if (codes.length <= 4096) return String.fromCharCode(...codes);
  let name = '';
  for (let i = 0; i < codes.length; i += 4096) name += String.fromCharCode(...codes.slice(i, i + 4096));
  return name;
}

/** `llm.tokens.total` → `LlmTokensTotal` */
export function pascalCase(id: string): string {
  return recase(id, PASCAL, false);
}

/** `agent_name` → `agentName`, `llm.provider` → `llmProvider` */
export function camelCase(id: string): string {
  return recase(id, CAMEL, false);
}

/** `llm.tokens.total` → `LLM_TOKENS_TOTAL` */
export function constantCase(id: string): string {
  return recase(id, CONSTANT, false);
}

/** `2xx` → `2XX`: the words of an id for the end of a longer constant name, where a digit may lead. */
export function constantSuffix(id: string): string {
  return recase(id, CONSTANT, true);
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
