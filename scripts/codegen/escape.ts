/**
 * Every string of a registry lands somewhere in generated code: a JSDoc
 * comment, a string or template literal, an identifier. Each place has its
 * own escaping, done here and nowhere else, so that any text the validator
 * accepts yields code that compiles and says what the registry says.
 */

const LINE_TERMINATORS = /\r\n?|[\u2028\u2029]/g;
// C0 and C1 controls and DEL, except tab and newline.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

const unicodeEscape = (char: string): string => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * Text for a JSDoc comment: line breaks normalised, `*\/` and `/*` defused so
 * the comment neither ends early nor looks like a nested one to the printer,
 * a leading `@` kept from reading as a tag, control characters shown escaped.
 */
export function docText(text: string): string {
  return text
    .replace(LINE_TERMINATORS, '\n')
    .replace(CONTROL, unicodeEscape)
    .replace(/\*\//g, '*\\/')
    .replace(/\/\*/g, '/\\*')
    .replace(/(^|\n)([ \t]*)@/g, '$1$2\\@');
}

const STRING_ESCAPES: Record<string, string> = { '\\': '\\\\', "'": "\\'", '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** A single-quoted TypeScript string literal of any text. */
export function stringLiteral(text: string): string {
  return `'${text.replace(/[\\'\n\r\t\u2028\u2029]|[\u0000-\u001f\u007f-\u009f]/g, (char) => STRING_ESCAPES[char] ?? unicodeEscape(char))}'`;
}

/** Literal text inside a template literal (between placeholders). */
export function templateText(text: string): string {
  return text.replace(/[`\\]|\$\{|[\n\r\u2028\u2029]|[\u0000-\u001f\u007f-\u009f]/g, (match) =>
    match === '`' || match === '\\' ? `\\${match}` : match === '${' ? '\\${' : (STRING_ESCAPES[match] ?? unicodeEscape(match)),
  );
}

/** Markdown inline code that survives backticks in the text. */
export function markdownCode(text: string): string {
  const runs = text.match(/`+/g) ?? [];
  const fence = '`'.repeat(Math.max(0, ...runs.map((run) => run.length)) + 1);
  const pad = runs.length > 0 ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}
