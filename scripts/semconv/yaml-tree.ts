/**
 * A light YAML tree built from js-yaml's flat event stream: mappings,
 * sequences, scalars and aliases, each with the offset where it starts in the
 * source, so problems can name their line and column. Scalars carry their
 * value typed under the YAML 1.2 core schema (`42` and `1.10` are numbers,
 * `true` a boolean, `null`, `~` and nothing are null, `.inf` and `.nan`
 * numbers; quoted and block scalars are strings; `!!str`, `!!int`,
 * `!!float`, `!!bool` and `!!null` are honoured).
 *
 * Building the tree from events keeps loading cheap: no concrete syntax tree,
 * no token objects, one small object per node. What the event stream does not
 * check, the builder does: a key given twice in one mapping, an alias to an
 * anchor not defined before it, a tag outside the core schema and a second
 * document are reported, each at its position.
 */
import {
  boolCoreTag,
  floatCoreTag,
  getScalarValue,
  intCoreTag,
  NOT_RESOLVED,
  nullCoreTag,
  parseEvents,
  YAMLException,
  type Event,
  type ScalarEvent,
  type ScalarTagDefinition,
} from 'js-yaml';

export type ScalarValue = string | number | boolean | null;

export interface YamlScalar {
  readonly kind: 'scalar';
  /** Offset of the scalar's first character: its opening quote, its `|` or `>` header, or where an empty value stands. */
  readonly start: number;
  readonly value: ScalarValue;
  /** The scalar as written, for a number or a boolean (`1.10` is the number 1.1): what a "quote it" hint shows. */
  readonly source?: string;
}

export interface YamlPair {
  readonly key: YamlNode;
  readonly value: YamlNode;
}

export interface YamlMap {
  readonly kind: 'map';
  /** Offset of its `{`, or of its first key. */
  readonly start: number;
  readonly items: readonly YamlPair[];
}

export interface YamlSeq {
  readonly kind: 'seq';
  /** Offset of its `[`, or of its first `-`. */
  readonly start: number;
  readonly items: readonly YamlNode[];
}

/** `*name`: stands where it is written, and points at the node anchored `&name` before it. */
export interface YamlAlias {
  readonly kind: 'alias';
  /** Offset of its `*`. */
  readonly start: number;
  readonly target: YamlNode;
}

export type YamlNode = YamlScalar | YamlMap | YamlSeq | YamlAlias;

/** Something wrong with the YAML itself, at an offset of the source. */
export interface YamlProblem {
  readonly offset: number;
  readonly rule: 'yaml-syntax' | 'duplicate-key';
  readonly message: string;
}

export interface YamlTree {
  /** The document's root, or null when the source holds no document or has a problem. */
  readonly root: YamlNode | null;
  /** Empty when the tree is usable. */
  readonly problems: readonly YamlProblem[];
  /** The source the offsets refer to (without a byte order mark). */
  readonly text: string;
}

export const isMap = (node: YamlNode | null | undefined): node is YamlMap => node?.kind === 'map';
export const isSeq = (node: YamlNode | null | undefined): node is YamlSeq => node?.kind === 'seq';
export const isScalar = (node: YamlNode | null | undefined): node is YamlScalar => node?.kind === 'scalar';
export const isAlias = (node: YamlNode | null | undefined): node is YamlAlias => node?.kind === 'alias';

/** Follows an alias to the node it names. */
export function resolveAlias(node: YamlNode | null | undefined): YamlNode | undefined {
  return node?.kind === 'alias' ? node.target : (node ?? undefined);
}

/** The value node of the first pair of `map` whose key is the scalar `key` (aliases followed), or undefined. */
export function get(map: YamlNode | null | undefined, key: string): YamlNode | undefined {
  if (map?.kind !== 'map') return undefined;
  for (const pair of map.items) {
    const k = resolveAlias(pair.key);
    if (k?.kind === 'scalar' && k.value === key) return resolveAlias(pair.value);
  }
  return undefined;
}

/**
 * The plain JavaScript value of a node, as the `yaml` package's toJS gave
 * it: objects for mappings (keys as strings, a null key as ''), arrays for
 * sequences, aliases followed; a node reached through several aliases is
 * converted once and shared.
 */
export function toJS(node: YamlNode): unknown {
  return convert(node, new Map());
}

function convert(node: YamlNode, shared: Map<YamlNode, unknown>): unknown {
  switch (node.kind) {
    case 'scalar':
      return node.value;
    case 'alias': {
      if (!shared.has(node.target)) shared.set(node.target, convert(node.target, shared));
      return shared.get(node.target);
    }
    case 'seq':
      return node.items.map((item) => convert(item, shared));
    case 'map': {
      const object: Record<string, unknown> = {};
      for (const pair of node.items) {
        const key = convert(pair.key, shared);
        const name = key === null ? '' : typeof key === 'object' ? JSON.stringify(key) : String(key);
        const value = convert(pair.value, shared);
        if (name === '__proto__') Object.defineProperty(object, name, { value, writable: true, enumerable: true, configurable: true });
        else object[name] = value;
      }
      return object;
    }
  }
}

/**
 * Line and column (both from 1) of an offset, from a table of line starts
 * built once per source. `\n`, `\r\n` and a lone `\r` end a line.
 */
export function lineIndex(text: string): (offset: number) => { line: number; column: number } {
  const starts = [0];
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) starts.push(i + 1);
  }
  return (offset) => {
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((starts[middle] as number) <= offset) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, column: offset - (starts[low] as number) + 1 };
  };
}

// Event ids and styles of js-yaml's event stream (EVENT_ID, SCALAR_STYLE, COLLECTION_STYLE).
const SEQUENCE = 2;
const MAPPING = 3;
const SCALAR = 4;
const ALIAS = 5;
const POP = 6;
const DOCUMENT = 1;
const PLAIN = 1;
const SINGLE_QUOTED = 2;
const DOUBLE_QUOTED = 3;
const FLOW = 2;

const CORE = 'tag:yaml.org,2002:';
/** Implicit resolution of a plain scalar, by its first character, in the core schema's order. */
const IMPLICIT: ReadonlyArray<ScalarTagDefinition<ScalarValue>> = [nullCoreTag, boolCoreTag, intCoreTag, floatCoreTag];
const EXPLICIT = new Map<string, ScalarTagDefinition<ScalarValue>>(IMPLICIT.map((tag) => [tag.tagName, tag]));
/** First characters some implicit tag may resolve, or null when one of them may resolve any. */
const MAY_RESOLVE = IMPLICIT.some((tag) => tag.implicitFirstChars === null) ? null : new Set(IMPLICIT.flatMap((tag) => tag.implicitFirstChars ?? []));

function implicitValue(source: string): ScalarValue {
  if (MAY_RESOLVE !== null && !MAY_RESOLVE.has(source.charAt(0))) return source;
  for (const tag of IMPLICIT) {
    const first = tag.implicitFirstChars;
    if (first !== null && !first.includes(source.charAt(0))) continue;
    const value = tag.resolve(source, false, tag.tagName);
    if (value !== NOT_RESOLVED) return value;
  }
  return source;
}

interface Frame {
  readonly node: { kind: 'map'; start: number; items: YamlPair[] } | { kind: 'seq'; start: number; items: YamlNode[] } | null;
  readonly anchor: string | undefined;
  readonly flow: boolean;
  /** Offset of a flow collection's `[` or `{` in the parsed text. */
  readonly open: number;
  /** The key read, waiting for its value (mappings). */
  key: YamlNode | undefined;
  /** Scalar keys seen, for the duplicate check of large mappings. */
  seen: Map<ScalarValue, YamlNode> | undefined;
  /** The document's content (the document frame). */
  root: YamlNode | null;
}

/** Parses one YAML source into a tree; problems come back with their offsets instead of being thrown. */
export function buildTree(source: string): YamlTree {
  // The offsets, lines and columns count from after a byte order mark, as an editor shows the file.
  const text = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
  const layout = new Layout(text);
  // Each retry indents a closing bracket (a new one, or one deeper up to a bound), or drops guesses
  // (which happens at most twice): the loop ends.
  for (;;) {
    let events: Event[];
    try {
      events = parseEvents(layout.parsed, {});
    } catch (error) {
      if (!(error instanceof YAMLException)) throw error;
      const offset = error.mark?.position ?? 0;
      if (error.reason === 'deficient indentation' && layout.indentClosingBracket(offset)) continue;
      if (layout.dropGuesses()) continue;
      return { root: null, problems: [{ offset: layout.original(offset), rule: 'yaml-syntax', message: explainSyntaxError(layout.parsed, error.reason, offset) }], text };
    }
    const builder = new Builder(text, layout);
    const tree = builder.build(events);
    if (layout.dropWrongGuesses(builder.closers)) continue;
    return tree;
  }
}

/**
 * The text handed to the parser. The YAML 1.2 grammar wants every line of a
 * flow collection indented deeper than the block it stands in, and js-yaml
 * holds to it; the `yaml` package, Weaver and the released semantic
 * conventions (container/registry.yaml) accept a closing `]` or `}` at the
 * indentation of the line that opened it. Such lines get spaces added before
 * the bracket; offsets in the parsed text map back to the file's.
 */
class Layout {
  readonly text: string;
  parsed: string;
  /**
   * Spaces added at line starts, by offset in `text`, in order. A guess is a
   * line indented before the parser asked, checked once the file parses.
   */
  private added: Array<{ at: number; count: number; guess: boolean }> = [];
  private guessed = false;

  constructor(text: string) {
    this.text = text;
    this.parsed = text;
  }

  /** Whether some lines are indented on a guess; the events then say which brackets close what. */
  get guessing(): boolean {
    return this.added.some((entry) => entry.guess);
  }

  /** The offset in the file of an offset in the parsed text. */
  original(offset: number): number {
    if (this.added.length === 0) return offset;
    let shift = 0;
    for (const { at, count } of this.added) {
      if (offset < at + shift) break;
      if (offset < at + shift + count) return at;
      shift += count;
    }
    return offset - shift;
  }

  /**
   * When the parser stopped at a closing bracket that starts its line, no
   * less indented than the line of its opening bracket, indents it further
   * and returns true.
   */
  indentClosingBracket(offset: number): boolean {
    const c = this.parsed.charCodeAt(offset);
    if (c !== 0x5d && c !== 0x7d) return false;
    let lineStart = offset;
    while (lineStart > 0 && this.parsed.charCodeAt(lineStart - 1) === 0x20) lineStart -= 1;
    if (lineStart > 0 && !isLineBreak(this.parsed.charCodeAt(lineStart - 1))) return false;
    const opener = unclosedOpener(this.parsed.slice(0, offset));
    if (opener?.closer !== `"${String.fromCharCode(c)}"` || indentationAt(this.parsed, opener.offset) > offset - lineStart) return false;
    const at = this.original(lineStart);
    const existing = this.added.find((entry) => entry.at === at);
    if (existing !== undefined && existing.count >= 256) return false;
    if (existing !== undefined) {
      existing.count *= 2;
      existing.guess = false;
    } else {
      this.added.push({ at, count: this.depthFor(at), guess: false });
    }
    // A file written in this style has many such brackets: rather than parse it again for each,
    // indent every later line that starts with a closing bracket, once, and check those guesses.
    if (!this.guessed) {
      this.guessed = true;
      const bracketLine = /^[ ]*[\]}]/gm;
      bracketLine.lastIndex = at + 1;
      for (let found = bracketLine.exec(this.text); found !== null; found = bracketLine.exec(this.text)) {
        this.added.push({ at: found.index, count: this.depthFor(found.index), guess: true });
      }
    }
    this.added.sort((a, b) => a.at - b.at);
    this.layOut();
    return true;
  }

  /** Undoes every guess (when the file does not parse with them); false when there was none. */
  dropGuesses(): boolean {
    if (!this.guessing) return false;
    this.added = this.added.filter((entry) => !entry.guess);
    this.layOut();
    return true;
  }

  /**
   * Undoes the guesses whose bracket turned out not to close a flow collection
   * opened on a line at most as indented (`closers`: offset of each closing
   * bracket in the parsed text → offset of its opening one). True when any was.
   */
  dropWrongGuesses(closers: ReadonlyMap<number, number>): boolean {
    if (!this.guessing) return false;
    let shift = 0;
    const wrong = new Set<number>();
    for (const entry of this.added) {
      shift += entry.count;
      if (!entry.guess) continue;
      const indent = indentationAt(this.text, entry.at);
      const opener = closers.get(entry.at + indent + shift);
      if (opener === undefined || indentationAt(this.text, this.original(opener)) > indent) wrong.add(entry.at);
      else entry.guess = false;
    }
    if (wrong.size === 0) return false;
    this.added = this.added.filter((entry) => !wrong.has(entry.at));
    this.layOut();
    return true;
  }

  private layOut(): void {
    let parsed = '';
    let from = 0;
    for (const entry of this.added) {
      parsed += this.text.slice(from, entry.at) + ' '.repeat(entry.count);
      from = entry.at;
    }
    this.parsed = parsed + this.text.slice(from);
  }

  /**
   * Spaces to add before the bracket on the line at `at`: one more than the
   * nearest line above with content is indented, a first guess of how deep
   * the parser wants it.
   */
  private depthFor(at: number): number {
    const before = this.text.slice(0, at).split(/\r?\n|\r/);
    let above = 0;
    for (let i = before.length - 1; i >= 0; i -= 1) {
      const line = before[i] as string;
      if (line.trim() !== '') {
        above = line.length - line.trimStart().length;
        break;
      }
    }
    return Math.max(1, above + 1 - indentationAt(this.text, at));
  }
}

class Builder {
  /** The file's text, for messages. */
  private readonly source: string;
  /** The text the events refer to; offsets into it go through `at` before they are stored. */
  private readonly text: string;
  private readonly at: (offset: number) => number;
  private readonly problems: YamlProblem[] = [];
  private readonly anchors = new Map<string, YamlNode>();
  /** One copy of each short text (keys, `development`, `string`…), however often the file repeats it. */
  private readonly texts = new Map<string, string>();
  private readonly stack: Frame[] = [];
  private tagHandles = new Map<string, string>();
  /** Offset (in the parsed text) just past the last thing read: where an empty scalar's position is looked for. */
  private cursor = 0;
  /** Offset of each `]` or `}` that closed a flow collection → offset of its `[` or `{`, both in the parsed text, when the layout guessed. */
  readonly closers = new Map<number, number>();
  private readonly recordClosers: boolean;
  /** Line and column in the file, for messages that name a second position; built on first use. */
  private lines: ((offset: number) => { line: number; column: number }) | undefined;

  constructor(source: string, layout: Layout) {
    this.source = source;
    this.text = layout.parsed;
    this.at = (offset) => layout.original(offset);
    this.recordClosers = layout.guessing;
  }

  build(events: Array<Event | undefined>): YamlTree {
    let root: YamlNode | null = null;
    let documents = 0;
    for (let index = 0; index < events.length; index += 1) {
      const event = events[index] as Event;
      // Each event is garbage once read, not only when the whole file is: less for the collector to copy.
      events[index] = undefined;
      switch (event.type) {
        case DOCUMENT:
          documents += 1;
          if (documents === 2) {
            this.problems.push({ offset: this.at(this.secondDocumentAt()), rule: 'yaml-syntax', message: 'a second YAML document: a registry file holds one document; move the second into a file of its own' });
            return { root: null, problems: this.problems, text: this.source };
          }
          this.tagHandles = new Map(event.directives.flatMap((d) => (d.kind === 'tag' ? [[d.handle, d.prefix] as const] : [])));
          this.stack.push({ node: null, anchor: undefined, flow: false, open: -1, key: undefined, seen: undefined, root: null });
          break;
        case MAPPING:
        case SEQUENCE: {
          const isMapping = event.type === MAPPING;
          this.checkCollectionTag(event.tagStart, event.tagEnd, isMapping ? 'map' : 'seq');
          const flow = event.style === FLOW;
          this.cursor = Math.max(event.start + (flow ? 1 : 0), event.anchorEnd, event.tagEnd);
          const start = this.at(event.start);
          const node: Frame['node'] = isMapping ? { kind: 'map', start, items: [] } : { kind: 'seq', start, items: [] };
          this.stack.push({ node, anchor: this.anchorName(event.anchorStart, event.anchorEnd), flow, open: event.start, key: undefined, seen: undefined, root: null });
          break;
        }
        case SCALAR: {
          const node = this.scalar(event);
          const anchor = this.anchorName(event.anchorStart, event.anchorEnd);
          if (anchor !== undefined) this.anchors.set(anchor, node);
          this.add(node);
          break;
        }
        case ALIAS: {
          const name = this.text.slice(event.anchorStart, event.anchorEnd);
          const target = this.anchors.get(name);
          this.cursor = event.anchorEnd;
          const start = this.at(event.anchorStart - 1);
          if (target === undefined) {
            this.problems.push({ offset: start, rule: 'yaml-syntax', message: `alias *${name} names no anchor &${name} defined before it` });
            this.add({ kind: 'scalar', start, value: null });
          } else {
            this.add({ kind: 'alias', start, target });
          }
          break;
        }
        case POP: {
          const frame = this.stack.pop() as Frame;
          if (frame.node === null) {
            root = frame.root;
            break;
          }
          if (frame.flow) {
            this.cursor = this.pastFlowEnd(frame.node.kind === 'map' ? 0x7d : 0x5d);
            if (this.recordClosers) this.closers.set(this.cursor - 1, frame.open);
          }
          // Registered once complete: an alias inside its own anchor would make a cycle.
          if (frame.anchor !== undefined) this.anchors.set(frame.anchor, frame.node);
          this.add(frame.node);
          break;
        }
      }
    }
    return { root: this.problems.length === 0 ? root : null, problems: this.problems, text: this.source };
  }

  private add(node: YamlNode): void {
    const frame = this.stack.at(-1) as Frame;
    const parent = frame.node;
    if (parent === null) frame.root = node;
    else if (parent.kind === 'seq') parent.items.push(node);
    else if (frame.key === undefined) {
      this.checkDuplicate(frame, parent.items, node);
      frame.key = node;
    } else {
      parent.items.push({ key: frame.key, value: node });
      frame.key = undefined;
    }
  }

  /** A key given twice in one mapping is reported at its second occurrence, as the `yaml` package did. */
  private checkDuplicate(frame: Frame, items: readonly YamlPair[], key: YamlNode): void {
    const resolved = resolveAlias(key);
    if (resolved?.kind !== 'scalar') return;
    let first: YamlNode | undefined;
    if (items.length < 16) {
      first = items.find((pair) => {
        const k = resolveAlias(pair.key);
        return k?.kind === 'scalar' && k.value === resolved.value;
      })?.key;
    } else {
      if (frame.seen === undefined) {
        frame.seen = new Map();
        for (const pair of items) {
          const k = resolveAlias(pair.key);
          if (k?.kind === 'scalar' && !frame.seen.has(k.value)) frame.seen.set(k.value, pair.key);
        }
      }
      first = frame.seen.get(resolved.value);
      if (first === undefined) frame.seen.set(resolved.value, key);
    }
    if (first === undefined) return;
    this.lines ??= lineIndex(this.source);
    const at = this.lines(first.start);
    this.problems.push({ offset: key.start, rule: 'duplicate-key', message: `duplicate key "${String(resolved.value)}" in one mapping: it is already set at line ${at.line}, column ${at.column}` });
  }

  private scalar(event: ScalarEvent): YamlScalar {
    const { valueStart, valueEnd, style } = event;
    this.cursor = Math.max(this.cursor, event.anchorEnd, event.tagEnd);
    let start: number;
    let end: number;
    if (valueStart < 0) {
      start = end = this.emptyAt(event.anchorEnd >= 0 || event.tagEnd >= 0);
    } else if (style === PLAIN) {
      start = valueStart;
      end = valueEnd;
    } else if (style === SINGLE_QUOTED || style === DOUBLE_QUOTED) {
      start = valueStart - 1;
      end = valueEnd + 1;
    } else {
      start = this.blockHeaderAt(valueStart);
      end = valueEnd;
    }
    this.cursor = Math.max(this.cursor, end);
    const decoded = this.shared(getScalarValue(this.text, event));
    let value: ScalarValue;
    if (event.tagStart >= 0) value = this.explicitValue(event, decoded);
    else value = style === PLAIN ? implicitValue(decoded) : decoded;
    // Most scalars are text: only numbers and booleans carry their source, to keep the tree small.
    if (typeof value === 'number' || typeof value === 'boolean') return { kind: 'scalar', start: this.at(start), value, source: style === PLAIN ? this.text.slice(start, end) : decoded };
    return { kind: 'scalar', start: this.at(start), value };
  }

  private shared(text: string): string {
    // Longer texts are slices of the file's text already, and rarely repeat.
    if (text.length > 24) return text;
    const known = this.texts.get(text);
    if (known !== undefined) return known;
    this.texts.set(text, text);
    return text;
  }

  /** `!!str`, `!!int`, `!!float`, `!!bool`, `!!null` and the non-specific `!` (a string). */
  private explicitValue(event: ScalarEvent, decoded: string): ScalarValue {
    const written = this.text.slice(event.tagStart, event.tagEnd);
    const tag = this.tagName(written);
    if (tag === '!' || tag === `${CORE}str`) return decoded;
    const core = EXPLICIT.get(tag);
    if (core === undefined) {
      this.unknownTag(event.tagStart, written);
      return decoded;
    }
    const value = core.resolve(decoded, true, tag);
    if (value !== NOT_RESOLVED) return value;
    this.problems.push({ offset: this.at(event.tagStart), rule: 'yaml-syntax', message: `${JSON.stringify(decoded)} is not a valid ${written}` });
    return decoded;
  }

  private checkCollectionTag(tagStart: number, tagEnd: number, kind: 'map' | 'seq'): void {
    if (tagStart < 0) return;
    const written = this.text.slice(tagStart, tagEnd);
    const tag = this.tagName(written);
    if (tag !== '!' && tag !== `${CORE}${kind}`) this.unknownTag(tagStart, written);
  }

  private unknownTag(offset: number, written: string): void {
    this.problems.push({ offset: this.at(offset), rule: 'yaml-syntax', message: `tag ${written} is not read here: the registry is plain YAML (strings, numbers, booleans, null, lists, mappings), optionally tagged !!str, !!int, !!float, !!bool or !!null` });
  }

  /** The full name of a written tag: `!!int` is `tag:yaml.org,2002:int`; `%TAG` handles apply. */
  private tagName(written: string): string {
    if (written.startsWith('!<')) return written.slice(2, -1);
    const handle = /^!(?:[0-9A-Za-z-]*!)?/.exec(written)?.[0] ?? '!';
    if (written === '!') return '!';
    const prefix = this.tagHandles.get(handle) ?? (handle === '!!' ? CORE : handle);
    return prefix + written.slice(handle.length);
  }

  private anchorName(start: number, end: number): string | undefined {
    return start < 0 ? undefined : this.text.slice(start, end);
  }

  /**
   * Where an empty scalar stands, as the `yaml` package placed it: just past
   * the indicator that introduces it (`key:`, `- `, `? `) and the spaces after
   * it, or just past its tag or anchor.
   */
  private emptyAt(hasProperties: boolean): number {
    const inline = this.skipInline(this.cursor);
    if (hasProperties) return inline;
    const frame = this.stack.at(-1);
    const parent = frame?.node;
    const next = this.skipSpace(this.cursor);
    // An empty document: just past its `---`.
    if (parent === null) return this.text.startsWith('---', next) ? this.skipInline(next + 3) : inline;
    const indicator = parent?.kind === 'seq' ? (frame?.flow ? -1 : 0x2d) : parent?.kind === 'map' ? (frame?.key === undefined ? 0x3f : 0x3a) : -1;
    if (indicator < 0) return inline;
    return this.text.charCodeAt(next) === indicator ? this.skipInline(next + 1) : inline;
  }

  /** The `|` or `>` that opens a block scalar: the first one past the cursor, outside comments. */
  private blockHeaderAt(contentStart: number): number {
    let i = this.cursor;
    while (i < contentStart) {
      const c = this.text.charCodeAt(i);
      if (c === 0x7c || c === 0x3e) return i;
      if (c === 0x23) while (i < contentStart && !isLineBreak(this.text.charCodeAt(i))) i += 1;
      else i += 1;
    }
    return contentStart;
  }

  /** Past the `]` or `}` that closes the flow collection being left. */
  private pastFlowEnd(terminator: number): number {
    let i = this.skipSpace(this.cursor);
    while (i < this.text.length && this.text.charCodeAt(i) === 0x2c) i = this.skipSpace(i + 1);
    return this.text.charCodeAt(i) === terminator ? i + 1 : this.cursor;
  }

  private skipInline(from: number): number {
    let i = from;
    while (i < this.text.length && (this.text.charCodeAt(i) === 0x20 || this.text.charCodeAt(i) === 0x09)) i += 1;
    return i;
  }

  /** Past spaces, line breaks and comments. */
  private skipSpace(from: number): number {
    let i = from;
    while (i < this.text.length) {
      const c = this.text.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || isLineBreak(c)) i += 1;
      else if (c === 0x23) while (i < this.text.length && !isLineBreak(this.text.charCodeAt(i))) i += 1;
      else break;
    }
    return i;
  }

  /** The `---` that starts the second document, else where its content starts. */
  private secondDocumentAt(): number {
    const marker = /^(?:---|\.\.\.)(?=[ \t\r\n]|$)/gm;
    marker.lastIndex = this.cursor;
    const found = marker.exec(this.text);
    return found?.[0] === '...' ? this.skipSpace(found.index + 3) : (found?.index ?? this.skipSpace(this.cursor));
  }
}

function isLineBreak(c: number): boolean {
  return c === 10 || c === 13;
}

/** The number of spaces that start the line holding `offset`. */
function indentationAt(text: string, offset: number): number {
  let start = offset;
  while (start > 0 && !isLineBreak(text.charCodeAt(start - 1))) start -= 1;
  let end = start;
  while (text.charCodeAt(end) === 0x20) end += 1;
  return end - start;
}

const UNCLOSED = /unexpected end of the (?:stream|document) within a (flow collection|single quoted scalar|double quoted scalar)/;
const CLOSERS: Record<string, readonly string[]> = { 'flow collection': [']', '}'], 'single quoted scalar': ["'"], 'double quoted scalar': ['"'] };

/**
 * js-yaml's reason, with the opening bracket or quote named when the error
 * comes from one left unclosed ("deficient indentation" on the next line, or
 * the end of the file reached inside it).
 */
export function explainSyntaxError(text: string, reason: string, offset: number): string {
  if (reason !== 'deficient indentation' && !UNCLOSED.test(reason)) return reason;
  const opener = unclosedOpener(text.slice(0, offset));
  if (opener === undefined) return reason;
  const at = lineIndex(text.slice(0, opener.offset + 1))(opener.offset);
  const where = `the ${opener.what} opened at line ${at.line}, column ${at.column}`;
  return reason === 'deficient indentation'
    ? `deficient indentation inside ${where}: close it with ${opener.closer} before this line, or indent this line deeper`
    : `${reason}: ${where} is not closed (${opener.closer} missing)`;
}

/**
 * The innermost bracket or quote still open at the end of `prefix`, found by
 * closing what the parser reports as unclosed, innermost first, until the
 * prefix parses; then reading the events of what was closed first.
 */
function unclosedOpener(before: string): { what: string; offset: number; closer: string } | undefined {
  // Without the blank lines at its end, which the parser would itself find too shallow.
  const prefix = before.trimEnd();
  // Closers go on a line of their own, indented deeper than any line before, so neither a comment nor indentation swallows them.
  const indent = ' '.repeat(Math.max(0, ...prefix.split(/\r?\n|\r/).map((line) => line.length - line.trimStart().length)) + 1);
  let suffix = '';
  let first: string | undefined;
  for (let depth = 0; depth < 8; depth += 1) {
    const kind = UNCLOSED.exec(parseError(prefix + suffix) ?? '')?.[1];
    if (kind === undefined) return undefined;
    const closer = (CLOSERS[kind] as readonly string[]).find((candidate) => {
      const reason = parseError(`${prefix}${suffix}\n${indent}${candidate}`);
      return reason === undefined || UNCLOSED.test(reason);
    });
    if (closer === undefined) return undefined;
    suffix += `\n${indent}${closer}`;
    first ??= closer;
    if (parseError(prefix + suffix) !== undefined) continue;
    return openerOf(prefix, prefix + suffix, first);
  }
  return undefined;
}

function parseError(text: string): string | undefined {
  try {
    parseEvents(text, {});
    return undefined;
  } catch (error) {
    return error instanceof YAMLException ? error.reason : String(error);
  }
}

function openerOf(prefix: string, closed: string, closer: string): { what: string; offset: number; closer: string } | undefined {
  const events = parseEvents(closed, {});
  const firstCloser = closed.indexOf(closer, prefix.length);
  if (closer === '"' || closer === "'") {
    const scalar = events.find((event): event is ScalarEvent => event.type === SCALAR && event.valueEnd === firstCloser);
    return scalar === undefined ? undefined : { what: closer === '"' ? 'double-quoted string' : 'single-quoted string', offset: scalar.valueStart - 1, closer: closer === '"' ? `'"'` : `"'"` };
  }
  // Flow collections are left in the order of their closing brackets, and the appended ones come last:
  // the first appended closes the innermost open collection.
  const closers = closed.slice(prefix.length).split('').filter((c) => c === ']' || c === '}').length;
  const open: Array<{ start: number; flow: boolean; kind: number }> = [];
  const flowPops: Array<{ start: number; kind: number }> = [];
  for (const event of events) {
    if (event.type === MAPPING || event.type === SEQUENCE) open.push({ start: event.start, flow: event.style === FLOW, kind: event.type });
    else if (event.type === DOCUMENT) open.push({ start: -1, flow: false, kind: DOCUMENT });
    else if (event.type === POP) {
      const left = open.pop();
      if (left?.flow) flowPops.push(left);
    }
  }
  const innermost = flowPops[flowPops.length - closers];
  if (innermost === undefined) return undefined;
  return { what: innermost.kind === MAPPING ? 'flow mapping "{"' : 'flow sequence "["', offset: innermost.start, closer: `"${closer}"` };
}
