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
 * The naming rule of the semantic conventions as their own registry policies
 * check it (`name_regex` of open-telemetry/semantic-conventions' policies):
 * lowercase letters and digits in parts joined by a single `.` or `_`, the
 * first part starting with a letter. `gen_ai.usage.input_tokens`, `foo.1bar`
 * and `mq.onqtime.1` follow it; `Foo`, `foo..bar`, `foo_` and `foo-bar` do not.
 * Weaver does not enforce it, so the generator warns where a name breaks it.
 */
export const SEMCONV_NAME = /^[a-z][a-z0-9]*([._][a-z0-9]+)*$/;

/** The rule of SEMCONV_NAME in words, for messages. */
export const SEMCONV_NAME_RULE =
  'lowercase letters and digits in parts joined by a single "." or "_", starting with a letter (^[a-z][a-z0-9]*([._][a-z0-9]+)*$, the rule of the semantic conventions\' own registry policies)';

export function followsNamingRule(name: string): boolean {
  return SEMCONV_NAME.test(name);
}

/**
 * The OpenTelemetry API's instrument-name syntax: a letter, then up to 254
 * letters, digits, `_`, `.`, `-` or `/`. An SDK refuses or warns about any
 * other name, so a metric with one cannot be recorded as declared.
 */
export const INSTRUMENT_NAME = /^[A-Za-z][A-Za-z0-9_.\-/]{0,254}$/;

export const INSTRUMENT_NAME_RULE = 'a letter, then at most 254 letters, digits, "_", ".", "-" or "/"';

export function isInstrumentName(name: string): boolean {
  return INSTRUMENT_NAME.test(name);
}

/** Whether an id has a letter or digit, from which generated identifiers can be built. */
export function hasWord(id: string): boolean {
  return /[A-Za-z0-9]/.test(id);
}
