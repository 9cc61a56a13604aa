/**
 * Reads registry YAML with the `yaml` package: one document per file, YAML
 * 1.2 under the core schema (`42` and `1.10` are numbers, `true` a boolean,
 * `yes` text), whose nodes keep their source range, so every problem names
 * its file, line and column. The package reports syntax errors, a key given
 * twice in one mapping and a second document; this module adds what it lets
 * through but a registry must not hold: a tag outside the core schema and an
 * alias to an anchor not defined before it (or inside its own anchor).
 */
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Alias, type Document, type Node as YamlNode, type Pair, type YAMLError } from 'yaml';
import type { SourceLocation } from './model.ts';
import type { Problems } from './problems.ts';

export type Node = YamlNode;

export interface YamlFile {
  readonly path: string;
  readonly root: Node | null;
  readonly locate: (node: Node | null | undefined) => SourceLocation;
  /** Follows an `*alias` to the node anchored `&name` before it, so anchors can share lists. */
  readonly resolve: (node: unknown) => Node | undefined;
  /** The plain JavaScript value of a node, aliases inside it followed. */
  readonly toJS: (node: Node) => unknown;
}

/** Something wrong with the YAML itself, at an offset of the source. */
interface YamlProblem {
  readonly offset: number;
  readonly rule: 'yaml-syntax' | 'duplicate-key';
  readonly message: string;
}

/**
 * Parses one file. YAML problems go to `problems` with their position, and
 * the file then has no root: nothing else is read from it.
 */
export function parseYamlFile(path: string, source: string, problems: Problems): YamlFile {
  const text = sourceText(source);
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number): SourceLocation => {
    const { line, col } = lines.linePos(offset);
    return { file: path, line, column: col };
  };
  const aliases = new Map<Alias, Node>();
  const yamlProblems = problemsOf(document, text, aliases);
  for (const problem of yamlProblems) problems.add(at(problem.offset), problem.rule, problem.message);
  const contents = document.contents as Node | null;
  return {
    path,
    root: yamlProblems.length === 0 ? contents : null,
    locate: (node) => at(node?.range?.[0] ?? 0),
    resolve: (node) => (isAlias(node) ? aliases.get(node) : isNode(node) ? node : undefined),
    toJS: (node) => node.toJS(document),
  };
}

/**
 * The text the positions refer to: without a byte order mark (so the first
 * key is at line 1, column 1, as an editor shows it), a lone CR read as the
 * line break YAML 1.2 makes it (the same length, so offsets do not move).
 */
function sourceText(source: string): string {
  const text = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
  return text.includes('\r') ? text.replace(/\r(?!\n)/g, '\n') : text;
}

function isNode(value: unknown): value is Node {
  return isScalar(value) || isMap(value) || isSeq(value) || isAlias(value);
}

/** The document's problems, one per position, in order; `aliases` gets the node each alias names. */
function problemsOf(document: Document, text: string, aliases: Map<Alias, Node>): YamlProblem[] {
  const found = [
    ...document.errors.map((error) => fromError(document, error, text)),
    // An unresolved tag is a warning to the package; the tag check below says it better.
    ...document.warnings.filter((warning) => warning.code !== 'TAG_RESOLVE_FAILED').map((warning) => fromError(document, warning, text)),
  ];
  if (found.length === 0) found.push(...tagAndAliasProblems(document, aliases));
  const seen = new Set<number>();
  return found
    .sort((a, b) => a.offset - b.offset)
    .filter((problem) => {
      if (seen.has(problem.offset)) return false;
      seen.add(problem.offset);
      return true;
    });
}

function fromError(document: Document, error: YAMLError, text: string): YamlProblem {
  const offset = error.pos[0];
  const message = error.message.split('\n')[0] ?? error.message;
  if (error.code === 'DUPLICATE_KEY') return { offset, rule: 'duplicate-key', message: duplicateKeyMessage(document, offset, text) };
  if (error.code === 'MULTIPLE_DOCS') return { offset, rule: 'yaml-syntax', message: 'a second YAML document: a registry file holds one document; move the second into a file of its own' };
  return { offset, rule: 'yaml-syntax', message: withOpener(document, message, offset, text) };
}

/** A duplicate key is reported at its second occurrence; the message names the first. */
function duplicateKeyMessage(document: Document, offset: number, text: string): string {
  let message = 'duplicate key in one mapping';
  visit(document, {
    Pair(_, pair, path) {
      const key = pair.key;
      if (!isScalar(key) || key.range?.[0] !== offset) return undefined;
      const map = path.at(-1);
      const first = isMap(map) ? map.items.find((other) => isScalar(other.key) && other.key.value === key.value && other !== pair) : undefined;
      const where = first === undefined || !isScalar(first.key) ? '' : `: it is already set at ${lineAndColumn(text, first.key.range?.[0] ?? 0)}`;
      message = `duplicate key "${String(key.value)}" in one mapping${where}`;
      return visit.BREAK;
    },
  });
  return message;
}

/**
 * The package's message about a flow collection or a quoted string left
 * open, with where it was opened: the innermost such node that starts before
 * the error and was not closed before it.
 */
function withOpener(document: Document, message: string, offset: number, text: string): string {
  const flow = /^Flow (sequence|map) /.exec(message)?.[1];
  const quote = /^Missing closing ("|')quote/.exec(message)?.[1];
  if (flow === undefined && quote === undefined) return message;
  let opener: number | undefined;
  visit(document, (_, node: unknown) => {
    const start = (node as { range?: [number, number, number] }).range?.[0];
    if (start === undefined || start >= offset) return undefined;
    const opens =
      flow !== undefined
        ? (flow === 'sequence' ? isSeq(node) : isMap(node)) && (node as { flow?: boolean }).flow === true
        : isScalar(node) && node.type === (quote === '"' ? 'QUOTE_DOUBLE' : 'QUOTE_SINGLE');
    if (opens && text.charAt(start) === (flow === 'sequence' ? '[' : flow === 'map' ? '{' : quote) && !closedBefore(text, start, offset, flow, quote)) {
      if (opener === undefined || start > opener) opener = start;
    }
    return undefined;
  });
  if (opener === undefined) return message;
  const what = flow !== undefined ? `the flow ${flow} "${flow === 'sequence' ? '[' : '{'}"` : `the ${quote === '"' ? 'double' : 'single'}-quoted string`;
  return `${message}: ${what} opened at ${lineAndColumn(text, opener)} is not closed before this line`;
}

/** Whether the bracket or quote opened at `start` is closed before `offset` (brackets counted, quoted text skipped). */
function closedBefore(text: string, start: number, offset: number, flow: string | undefined, quote: string | undefined): boolean {
  if (quote !== undefined) {
    for (let i = start + 1; i < offset; i += 1) {
      if (text.charAt(i) === quote) {
        if (quote === "'" && text.charAt(i + 1) === "'") i += 1;
        else if (!(quote === '"' && text.charAt(i - 1) === '\\')) return true;
      }
    }
    return false;
  }
  const [open, close] = flow === 'sequence' ? ['[', ']'] : ['{', '}'];
  let depth = 0;
  for (let i = start; i < offset; i += 1) {
    const c = text.charAt(i);
    if (c === open) depth += 1;
    else if (c === close && --depth === 0) return true;
  }
  return false;
}

const CORE = 'tag:yaml.org,2002:';
/** The core schema's tags, with the JavaScript type a scalar of each must have. */
const CORE_SCALARS: Record<string, (value: unknown) => boolean> = {
  [`${CORE}str`]: (value) => typeof value === 'string',
  [`${CORE}int`]: (value) => typeof value === 'number',
  [`${CORE}float`]: (value) => typeof value === 'number',
  [`${CORE}bool`]: (value) => typeof value === 'boolean',
  [`${CORE}null`]: (value) => value === null,
};

/**
 * Tags outside the core schema, values their core tag cannot read, aliases to no anchor before
 * them. Each alias is resolved here once (the package finds its anchor by walking the document),
 * into `aliases`.
 */
function tagAndAliasProblems(document: Document, aliases: Map<Alias, Node>): YamlProblem[] {
  const problems: YamlProblem[] = [];
  visit(document, {
    Scalar(_, node) {
      if (node.tag === undefined || node.tag === '!') return;
      const fits = CORE_SCALARS[node.tag];
      if (fits === undefined) problems.push(unknownTag(node.range?.[0] ?? 0, node.tag));
      else if (!fits(node.value)) problems.push({ offset: node.range?.[0] ?? 0, rule: 'yaml-syntax', message: `${JSON.stringify(node.source)} is not a valid ${shortTag(node.tag)}` });
    },
    Map(_, node) {
      if (node.tag !== undefined && node.tag !== '!' && node.tag !== `${CORE}map`) problems.push(unknownTag(node.range?.[0] ?? 0, node.tag));
    },
    Seq(_, node) {
      if (node.tag !== undefined && node.tag !== '!' && node.tag !== `${CORE}seq`) problems.push(unknownTag(node.range?.[0] ?? 0, node.tag));
    },
    Alias(_, node, path) {
      const target = node.resolve(document);
      // An alias inside the node its anchor names would make the value endless.
      if (target !== undefined && !path.includes(target as never)) aliases.set(node, target);
      else {
        problems.push({ offset: node.range?.[0] ?? 0, rule: 'yaml-syntax', message: `alias *${node.source} names no anchor &${node.source} defined before it` });
      }
    },
  });
  return problems;
}

function unknownTag(offset: number, tag: string): YamlProblem {
  return {
    offset,
    rule: 'yaml-syntax',
    message: `tag ${shortTag(tag)} is not read here: the registry is plain YAML (strings, numbers, booleans, null, lists, mappings), optionally tagged !!str, !!int, !!float, !!bool or !!null`,
  };
}

/** `tag:yaml.org,2002:int` as it is usually written, `!!int`. */
function shortTag(tag: string): string {
  return tag.startsWith(CORE) ? `!!${tag.slice(CORE.length)}` : tag;
}

/** `line L, column C` of an offset, for messages that name a second position. */
function lineAndColumn(text: string, offset: number): string {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line += 1;
    start = i + 1;
  }
  return `line ${line}, column ${offset - start + 1}`;
}

/** The value node of the first pair of `map` whose key is the scalar `key` (an alias as it stands), or undefined. */
export function get(map: unknown, key: string): Node | undefined {
  if (!isMap(map)) return undefined;
  for (const pair of map.items) {
    if (isScalar(pair.key) && pair.key.value === key) return pair.value as Node | undefined;
  }
  return undefined;
}

/** The scalar value of `key` in a mapping as text, for naming an object in messages; '?' when there is none. */
export function nameOf(node: Node, key: string): string {
  const value = get(node, key);
  return isScalar(value) && value.value !== null ? String(value.value) : '?';
}

/**
 * Reads one YAML mapping whose allowed keys are known. Unknown keys are
 * reported once, when the reader is created.
 */
export class MapReader {
  readonly file: YamlFile;
  readonly node: Node;
  readonly what: string;
  private readonly pairs = new Map<string, Pair>();
  private readonly problems: Problems;
  private ownLocation: SourceLocation | undefined;

  constructor(file: YamlFile, node: Node, what: string, allowedKeys: readonly string[], problems: Problems) {
    this.file = file;
    this.node = node;
    this.what = what;
    this.problems = problems;
    if (!isMap(node)) {
      problems.add(file.locate(node), 'wrong-type', `${what} must be a mapping`);
      return;
    }
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
      if (key === undefined) {
        problems.add(file.locate(pair.key as Node), 'wrong-type', `${what} has a key that is not a plain string`);
        continue;
      }
      if (!allowedKeys.includes(key)) {
        problems.add(file.locate(pair.key as Node), 'unknown-key', `unknown key "${key}" in ${what} (allowed: ${allowedKeys.join(', ')})`);
        continue;
      }
      this.pairs.set(key, pair);
    }
  }

  /** Where the mapping stands; one object, shared by whatever points there. */
  get location(): SourceLocation {
    this.ownLocation ??= this.file.locate(this.node);
    return this.ownLocation;
  }

  has(key: string): boolean {
    return this.pairs.has(key);
  }

  /** The value node of `key`, or undefined when absent. */
  valueNode(key: string): Node | undefined {
    return this.file.resolve(this.pairs.get(key)?.value);
  }

  /** Where `key`'s value stands, or the mapping itself when the key is absent. */
  locationOf(key: string): SourceLocation {
    const pair = this.pairs.get(key);
    return pair ? this.file.locate(pair.value as Node) : this.location;
  }

  /** Where the line of `key` starts: its key, or the mapping itself when the key is absent. */
  keyLocation(key: string): SourceLocation {
    const pair = this.pairs.get(key);
    return pair ? this.file.locate(pair.key as Node) : this.location;
  }

  /** Reports a missing key under the `missing-key` rule (or a more specific one). */
  require(key: string, rule = 'missing-key'): boolean {
    if (this.has(key)) return true;
    this.problems.add(this.location, rule, `${this.what} is missing "${key}"`);
    return false;
  }

  /** A non-empty string; numbers and booleans are refused, not converted (`brief: 42`, `version: 1.10`). */
  string(key: string, options: { required?: boolean; rule?: string; allowEmpty?: boolean } = {}): string | undefined {
    if (!this.has(key)) {
      if (options.required) this.require(key, options.rule);
      return undefined;
    }
    const node = this.valueNode(key);
    if (isScalar(node) && typeof node.value === 'string' && (options.allowEmpty || node.value.trim() !== '')) return node.value;
    const quoted = isScalar(node) && (typeof node.value === 'number' || typeof node.value === 'boolean') ? ` (quote it: '${node.source ?? String(node.value)}')` : '';
    this.problems.add(this.locationOf(key), 'wrong-type', `"${key}" of ${this.what} must be ${options.allowEmpty ? 'a' : 'a non-empty'} string${quoted}`);
    return undefined;
  }

  /** A boolean, or undefined when absent (and a problem when of another type). */
  boolean(key: string): boolean | undefined {
    if (!this.has(key)) return undefined;
    const node = this.valueNode(key);
    if (isScalar(node) && typeof node.value === 'boolean') return node.value;
    this.problems.add(this.locationOf(key), 'wrong-type', `"${key}" of ${this.what} must be true or false`);
    return undefined;
  }

  /** A string that must be one of `choices`. */
  choice<T extends string>(key: string, choices: readonly T[], rule: string, required: boolean): T | undefined {
    const value = this.string(key, { required });
    if (value === undefined) return undefined;
    if ((choices as readonly string[]).includes(value)) return value as T;
    this.problems.add(this.locationOf(key), rule, `"${key}" of ${this.what} is "${value}", expected one of: ${choices.join(', ')}`);
    return undefined;
  }

  /** The items of a list, aliases followed. */
  sequence(key: string): Node[] {
    const node = this.valueNode(key);
    if (node === undefined) return [];
    if (isSeq(node)) return node.items.map((item) => this.file.resolve(item) ?? (item as Node));
    this.problems.add(this.locationOf(key), 'wrong-type', `"${key}" of ${this.what} must be a list`);
    return [];
  }

  /** Plain JavaScript value of `key` (for examples and bucket lists). */
  plain(key: string): unknown {
    const node = this.valueNode(key);
    return node === undefined ? undefined : this.file.toJS(node);
  }
}

export { isAlias, isMap, isScalar, isSeq };
