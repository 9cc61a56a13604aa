/**
 * Reads registry YAML into a light tree (./yaml-tree.ts, built from js-yaml's
 * event stream) that keeps the source position of every node, so each
 * problem names its file, line and column.
 */
import type { SourceLocation } from './model.ts';
import type { Problems } from './problems.ts';
import { buildTree, get, isAlias, isMap, isScalar, isSeq, lineIndex, resolveAlias, toJS, type YamlNode, type YamlPair } from './yaml-tree.ts';

export type Node = YamlNode;

export interface YamlFile {
  readonly path: string;
  readonly root: Node | null;
  readonly locate: (node: Node | null | undefined) => SourceLocation;
  /** Follows `*alias` references to the anchored node, so anchors can share lists. */
  readonly resolve: (node: Node | null | undefined) => Node | undefined;
  /** The plain JavaScript value of a node, aliases inside it followed. */
  readonly toJS: (node: Node) => unknown;
}

/**
 * Parses one file. YAML problems (syntax, a key twice in one mapping) go to
 * `problems` with their position, and the file then has no root.
 */
export function parseYamlFile(path: string, text: string, problems: Problems): YamlFile {
  const tree = buildTree(text);
  const position = lineIndex(tree.text);
  const at = (offset: number): SourceLocation => {
    const { line, column } = position(offset);
    return { file: path, line, column };
  };
  for (const problem of tree.problems) problems.add(at(problem.offset), problem.rule, problem.message);
  return {
    path,
    root: tree.root,
    locate: (node) => at(node?.start ?? 0),
    resolve: resolveAlias,
    toJS,
  };
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
  private readonly pairs = new Map<string, YamlPair>();
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
        problems.add(file.locate(pair.key), 'wrong-type', `${what} has a key that is not a plain string`);
        continue;
      }
      if (!allowedKeys.includes(key)) {
        problems.add(
          file.locate(pair.key),
          'unknown-key',
          `unknown key "${key}" in ${what} (allowed: ${allowedKeys.join(', ')})`,
        );
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

  /** Where `key` stands, or the mapping itself when the key is absent. */
  locationOf(key: string): SourceLocation {
    const pair = this.pairs.get(key);
    return pair ? this.file.locate(pair.value) : this.location;
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
    if (isSeq(node)) return node.items.map((item) => this.file.resolve(item) ?? item);
    this.problems.add(this.locationOf(key), 'wrong-type', `"${key}" of ${this.what} must be a list`);
    return [];
  }

  /** Plain JavaScript value of `key` (for examples and bucket lists). */
  plain(key: string): unknown {
    const node = this.valueNode(key);
    return node === undefined ? undefined : this.file.toJS(node);
  }
}

export { get, isAlias, isMap, isScalar, isSeq };
