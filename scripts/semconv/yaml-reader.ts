/**
 * A thin layer over the `yaml` package's document tree that keeps the source
 * position of every node, so each problem names its file, line and column.
 */
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Pair, type Scalar } from 'yaml';
import type { SourceLocation } from './model.ts';
import type { Problems } from './problems.ts';

export interface YamlFile {
  readonly path: string;
  readonly root: Node | null;
  readonly locate: (node: Node | null | undefined) => SourceLocation;
  /** Follows `*alias` references to the anchored node, so anchors can share lists. */
  readonly resolve: (node: Node | null | undefined) => Node | undefined;
  /** The plain JavaScript value of a node, aliases inside it followed. */
  readonly toJS: (node: Node) => unknown;
}

/** Parses one file; syntax errors go to `problems` with their position. */
export function parseYamlFile(path: string, text: string, problems: Problems): YamlFile {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number): SourceLocation => {
    const { line, col } = lineCounter.linePos(offset);
    return { file: path, line, column: col };
  };
  for (const error of [...document.errors, ...document.warnings]) {
    const rule = error.code === 'DUPLICATE_KEY' ? 'duplicate-key' : 'yaml-syntax';
    problems.add(at(error.pos[0]), rule, error.message.split('\n')[0] ?? error.message);
  }
  const root = document.errors.length === 0 ? (document.contents as Node | null) : null;
  const resolve = (node: Node | null | undefined): Node | undefined =>
    isAlias(node) ? ((node.resolve(document as Document) as Node | undefined) ?? undefined) : (node ?? undefined);
  const toJS = (node: Node): unknown => (node as unknown as { toJS(doc: Document): unknown }).toJS(document as Document);
  return { path, root, locate: (node) => at(node?.range?.[0] ?? 0), resolve, toJS };
}

/**
 * Reads one YAML mapping whose allowed keys are known. Unknown keys are
 * reported once, when the reader is created.
 */
export class MapReader {
  readonly file: YamlFile;
  readonly node: Node;
  readonly what: string;
  private readonly pairs = new Map<string, Pair<Scalar, Node | null>>();
  private readonly problems: Problems;

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
        problems.add(
          file.locate(pair.key as Node),
          'unknown-key',
          `unknown key "${key}" in ${what} (allowed: ${allowedKeys.join(', ')})`,
        );
        continue;
      }
      this.pairs.set(key, pair as Pair<Scalar, Node | null>);
    }
  }

  get location(): SourceLocation {
    return this.file.locate(this.node);
  }

  has(key: string): boolean {
    return this.pairs.has(key);
  }

  /** The value node of `key`, or undefined when absent. */
  valueNode(key: string): Node | undefined {
    return this.file.resolve(this.pairs.get(key)?.value);
  }

  /** Where `key` stands, or the mapping itself when the key is absent. */
  locationOf(key: string): SourceLocation {
    const pair = this.pairs.get(key);
    return pair ? this.file.locate(pair.value ?? (pair.key as Node)) : this.location;
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
    const quoted = isScalar(node) && (typeof node.value === 'number' || typeof node.value === 'boolean') ? ` (quote it: '${String(node.source ?? node.value)}')` : '';
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
    this.problems.add(
      this.locationOf(key),
      rule,
      `"${key}" of ${this.what} is "${value}", expected one of: ${choices.join(', ')}`,
    );
    return undefined;
  }

  /** A list of mappings, each handed to `each` with its own location. */
  sequence(key: string): Node[] {
    const node = this.valueNode(key);
    if (node === undefined) return [];
    if (isSeq(node)) return (node.items as Node[]).map((item) => this.file.resolve(item) ?? item);
    this.problems.add(this.locationOf(key), 'wrong-type', `"${key}" of ${this.what} must be a list`);
    return [];
  }

  /** Plain JavaScript value of `key` (for examples and bucket lists). */
  plain(key: string): unknown {
    const node = this.valueNode(key);
    return node === undefined ? undefined : this.file.toJS(node);
  }
}

export { isMap, isScalar, isSeq };
