/**
 * scripts/semconv/yaml-reader.ts: registry YAML read with the `yaml` package.
 * Values are typed under the YAML 1.2 core schema; every node, and every YAML
 * problem, keeps the line and column it stands at; what the package lets
 * through but a registry must not hold (tags outside the core schema, aliases
 * to no anchor) is refused, located.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadSpec } from '../../scripts/semconv/load.ts';
import { formatProblem, Problems, SpecError, type Problem } from '../../scripts/semconv/problems.ts';
import { get, isAlias, isMap, isSeq, parseYamlFile, type Node, type YamlFile } from '../../scripts/semconv/yaml-reader.ts';
import { removeDir, VALID_SPEC, writeSpec } from '../support/spec-fixture.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) removeDir(dir);
});

function tree(text: string): YamlFile {
  return parseYamlFile('f.yaml', text, new Problems());
}

/** The value of a whole file. */
function valueOf(text: string): unknown {
  const file = tree(text);
  return file.root === null ? null : file.toJS(file.root);
}

/** The problems of a file as `line:column rule: message`. */
function problemsOf(text: string): string[] {
  const problems = new Problems();
  parseYamlFile('f.yaml', text, problems);
  return problems.list.map((problem) => formatProblem(problem).replace(/^f\.yaml:(\d+:\d+): error \[([a-z-]+)\]/, '$1 $2:'));
}

function where(file: YamlFile, node: Node | undefined): string {
  if (node === undefined) throw new Error('no node');
  const { line, column } = file.locate(node);
  return `${line}:${column}`;
}

function specProblems(files: Record<string, string>): Problem[] {
  const dir = writeSpec(files);
  dirs.push(dir);
  try {
    loadSpec(dir);
  } catch (error) {
    if (error instanceof SpecError) return [...error.problems];
    throw error;
  }
  return [];
}

describe('scalar values (YAML 1.2 core schema)', () => {
  const text = [
    'int: 42',
    'negative: -7',
    'hex: 0x1F',
    'octal: 0o17',
    'version: 1.10',
    'exponent: 1e3',
    'yes_word: yes',
    'on_word: on',
    'true_lower: true',
    'true_title: True',
    'false_upper: FALSE',
    'null_word: null',
    'tilde: ~',
    'empty:',
    'infinity: .inf',
    'minus_infinity: -.Inf',
    'not_a_number: .nan',
    'underscored: 1_000',
    'quoted_int: "42"',
    "quoted_version: '1.10'",
    'quoted_true: "true"',
    'quoted_null: "null"',
    'literal: |',
    '  42',
    'folded: >-',
    '  true',
    '  story',
    'tagged_str: !!str 5',
    'tagged_int: !!int "7"',
    'tagged_float: !!float "1.5"',
    'tagged_bool: !!bool "false"',
    'tagged_null: !!null ""',
    'non_specific: ! 12',
    'plain_words: fast car',
    '',
  ].join('\n');
  const values = valueOf(text) as Record<string, unknown>;

  it('types plain scalars as numbers, booleans and null where the core schema says so', () => {
    expect(values).toMatchObject({ int: 42, negative: -7, hex: 31, octal: 15, version: 1.1, exponent: 1000 });
    expect(values).toMatchObject({ true_lower: true, true_title: true, false_upper: false });
    expect(values).toMatchObject({ null_word: null, tilde: null, empty: null });
    expect(values.infinity).toBe(Infinity);
    expect(values.minus_infinity).toBe(-Infinity);
    expect(values.not_a_number).toBeNaN();
  });

  it('keeps YAML 1.1 words and other plain text as strings', () => {
    expect(values).toMatchObject({ yes_word: 'yes', on_word: 'on', underscored: '1_000', plain_words: 'fast car' });
  });

  it('keeps quoted and block scalars strings, whatever they look like', () => {
    expect(values).toMatchObject({ quoted_int: '42', quoted_version: '1.10', quoted_true: 'true', quoted_null: 'null', literal: '42\n', folded: 'true story' });
  });

  it('honours the core tags and the non-specific tag', () => {
    expect(values).toMatchObject({ tagged_str: '5', tagged_int: 7, tagged_float: 1.5, tagged_bool: false, tagged_null: null, non_specific: '12' });
  });

  it('refuses, located, a tag outside the core schema and a value its core tag cannot read', () => {
    expect(problemsOf('a: 1\nb: !foo bar\n')).toEqual([expect.stringMatching(/^2:9 yaml-syntax: tag !foo is not read here/)]);
    expect(problemsOf('a: !!int many\n')).toEqual(['1:10 yaml-syntax: "many" is not a valid !!int']);
    expect(problemsOf('a: !!set {x}\nb: !!timestamp 2001-12-14\n')).toEqual([expect.stringMatching(/^1:10 yaml-syntax: tag !!set is not read here/), expect.stringMatching(/^2:16 yaml-syntax: tag !!timestamp is not read here/)]);
    expect(tree('a: !!set {x}\n').root).toBeNull();
  });

  it('reports to the spec the source text of a number given where text is wanted', () => {
    const problems = specProblems({ 'demo.yaml': VALID_SPEC.replace('brief: A name.', 'brief: 1.10') });
    expect(problems.map((p) => p.message)).toContain(`"brief" of attribute "demo.name" must be a string (quote it: '1.10')`);
  });
});

describe('positions', () => {
  const text = 'groups:\n  - id: "quoted"\n    brief: |\n      Text.\n    note:\n    tags: [a, b]\n    deep: {k: v}\n    empty_tagged: !!str\n';

  it('places every node where it starts: the opening quote, the block header, just past the indicator of an empty value', () => {
    const built = tree(text);
    const groups = get(built.root, 'groups');
    const group = isSeq(groups) ? groups.items[0] : undefined;
    expect(where(built, group as Node)).toBe('2:5');
    expect(where(built, get(group, 'id'))).toBe('2:9');
    expect(where(built, get(group, 'brief'))).toBe('3:12');
    expect(where(built, get(group, 'note'))).toBe('5:10');
    expect(where(built, get(group, 'tags'))).toBe('6:11');
    expect(where(built, get(group, 'deep'))).toBe('7:11');
    expect(where(built, get(group, 'empty_tagged'))).toBe('8:24');
  });
});

describe('anchors and aliases', () => {
  const text = 'base: &common\n  - ref: a\n  - ref: b\nfirst: *common\nsecond: [*common, *common]\nscalar: &word hello\nagain: *word\n';

  it('points each alias at the anchored node, and stands where the `*` is written', () => {
    const built = tree(text);
    const alias = get(built.root, 'first');
    expect(built.resolve(alias)).toBe(get(built.root, 'base'));
    const pair = isMap(built.root) ? built.root.items[1] : undefined;
    expect(isAlias(pair?.value)).toBe(true);
    expect(where(built, pair?.value as Node)).toBe('4:8');
  });

  it('gives the plain value with every alias followed', () => {
    const common = [{ ref: 'a' }, { ref: 'b' }];
    expect(valueOf(text)).toEqual({ base: common, first: common, second: [common, common], scalar: 'hello', again: 'hello' });
  });

  it('refuses an alias to an anchor not defined before it, and one inside its own anchor', () => {
    expect(problemsOf('a: *later\nb: &later x\n')).toEqual(['1:4 yaml-syntax: alias *later names no anchor &later defined before it']);
    expect(problemsOf('a: &loop [1, *loop]\n')).toEqual(['1:14 yaml-syntax: alias *loop names no anchor &loop defined before it']);
  });

  it('lets the spec share a list of references through an anchor', () => {
    const text = VALID_SPEC.replace('        span_name: demo.{demo.name}.run\n    attributes:\n', '        span_name: demo.{demo.name}.run\n    attributes: &shared\n').replace(
      '    attributes:\n      - ref: demo.name\n  - id: metric.demo.duration',
      '    attributes: *shared\n  - id: metric.demo.duration',
    );
    const dir = writeSpec({ 'demo.yaml': text });
    dirs.push(dir);
    const runs = loadSpec(dir).metrics.find((metric) => metric.metricName === 'demo.runs');
    expect(runs?.attributes.map((use) => use.attribute.id)).toEqual(['demo.name', 'demo.mode']);
  });
});

describe('YAML problems', () => {
  it('reports a key given twice in one mapping at its second occurrence, naming the first', () => {
    expect(problemsOf('a: 1\nb:\n  c: 1\n  d: 2\n  c: 3\n')).toEqual(['5:3 duplicate-key: duplicate key "c" in one mapping: it is already set at line 3, column 3']);
    // Keys are compared by value, as the `yaml` package compared them: 1 and 1.0 are one number.
    expect(problemsOf('1: a\n1.0: b\n"1": c\n')).toEqual(['2:1 duplicate-key: duplicate key "1" in one mapping: it is already set at line 1, column 1']);
    // The same key in sibling mappings is no duplicate.
    expect(problemsOf('- id: a\n- id: b\n')).toEqual([]);
  });

  it('finds a duplicate among many keys too', () => {
    const keys = Array.from({ length: 40 }, (_, i) => `k${i}: ${i}`);
    expect(problemsOf(`${[...keys, 'k7: again'].join('\n')}\n`)).toEqual(['41:1 duplicate-key: duplicate key "k7" in one mapping: it is already set at line 8, column 1']);
  });

  it('reports a syntax error at its line and column, naming the bracket or quote left open', () => {
    const unclosed = (open: string) => `: ${open} is not closed before this line`;
    expect(problemsOf('a:\n  b: [1, 2\n  c: 3\n')).toEqual([expect.stringMatching(/^3:3 yaml-syntax: Flow sequence .*end with a \]/)]);
    expect(problemsOf('a:\n  b: [1, 2\n  c: 3\n')[0]).toContain(unclosed('the flow sequence "[" opened at line 2, column 6'));
    expect(problemsOf('a: {x: 1\n')[0]).toMatch(/^2:1 yaml-syntax: Flow map .*end with a \}: the flow map "\{" opened at line 1, column 4 is not closed before this line$/);
    expect(problemsOf('a: "open\nb: 1\n')[0]).toContain(unclosed('the double-quoted string opened at line 1, column 4'));
    expect(problemsOf("a: 'open\nb: 1\n")[0]).toContain(unclosed('the single-quoted string opened at line 1, column 4'));
    // The innermost bracket still open, not one closed before it.
    expect(problemsOf('a:\n  - [x,\n    [y')[0]).toContain(unclosed('the flow sequence "[" opened at line 3, column 5'));
    expect(problemsOf('a: [[1], 2\nb: 3\n')[0]).toContain(unclosed('the flow sequence "[" opened at line 1, column 4'));
    expect(problemsOf('a: 1\n b: 2\n')).toEqual([expect.stringMatching(/^1:4 yaml-syntax: /)]);
    expect(problemsOf('a: 1\n\tb: 2\n')).toEqual([expect.stringMatching(/^2:1 yaml-syntax: Tabs are not allowed as indentation/)]);
  });

  it('takes nothing else from a file with a YAML problem', () => {
    expect(tree('a: [1\n').root).toBeNull();
    expect(tree('a: 1\na: 2\n').root).toBeNull();
    const problems = specProblems({ 'demo.yaml': VALID_SPEC.replace('brief: A name.', 'brief: A name.\n        brief: Again.\n        unknown_key: would be reported') });
    expect(problems.map((p) => [p.rule, p.location.line, p.location.column])).toEqual([['duplicate-key', 10, 9]]);
  });

  it('accepts a closing bracket at the indentation of the line that opened it, as the released conventions write it', () => {
    const text = 'examples:\n  - [\n      a,\n      b\n  ]\nafter: {\n  k: v\n}\n';
    const built = tree(text);
    expect(problemsOf(text)).toEqual([]);
    expect(valueOf(text)).toEqual({ examples: [['a', 'b']], after: { k: 'v' } });
    expect(where(built, get(built.root, 'after'))).toBe('6:8');
    // Shallower than its opening line is still an error.
    expect(problemsOf('a:\n  - [\n    x\n]\n')).toEqual([expect.stringMatching(/^4:1 yaml-syntax: .*the flow sequence "\[" opened at line 2, column 5 is not closed/)]);
  });

  it('reads a file with many such brackets, without taking a bracket in a block scalar or in block context for one', () => {
    const entries = Array.from({ length: 300 }, (_, i) => `  - id: a${i}\n    examples: [\n        x${i},\n        y\n    ]`);
    const text = `list:\n${entries.join('\n')}\nliteral: |\n  kept\n  ]\nlast: [\n    z\n]\n`;
    expect(problemsOf(text)).toEqual([]);
    const values = valueOf(text) as { list: Array<{ id: string; examples: string[] }>; literal: string; last: string[] };
    expect(values.list).toHaveLength(300);
    expect(values.list[299]).toEqual({ id: 'a299', examples: ['x299', 'y'] });
    expect(values.literal).toBe('kept\n]\n');
    expect(values.last).toEqual(['z']);
    // A bracket that closes nothing stays an error.
    expect(problemsOf('a:\n  - [\n      x\n  ]\nb: c\n]\n')).toEqual([expect.stringMatching(/^6:1 yaml-syntax: Unexpected flow-seq-end token/)]);
  });

  it('refuses a second document, at its `---`', () => {
    expect(problemsOf('groups: []\n---\ngroups: []\n')).toEqual(['2:1 yaml-syntax: a second YAML document: a registry file holds one document; move the second into a file of its own']);
    expect(tree('a: 1\n---\n').root).toBeNull();
    // One document with its markers is fine.
    expect(problemsOf('---\na: 1\n...\n')).toEqual([]);
  });
});

describe('line breaks, byte order mark, empty files', () => {
  it('reads a CRLF file as its LF twin: same values, same lines and columns', () => {
    const lf = 'a: |\n  line one\n  line two\nb: "folded\n  text"\nc: [1,\n  2]\nd: x\n';
    const crlf = lf.replace(/\n/g, '\r\n');
    const [fromLf, fromCrlf] = [tree(lf), tree(crlf)];
    expect(valueOf(crlf)).toEqual(valueOf(lf));
    expect(valueOf(crlf)).toEqual({ a: 'line one\nline two\n', b: 'folded text', c: [1, 2], d: 'x' });
    for (const key of ['a', 'b', 'c', 'd']) expect(where(fromCrlf, get(fromCrlf.root, key))).toBe(where(fromLf, get(fromLf.root, key)));
    expect(problemsOf('a: 1\r\na: 2\r\n')).toEqual(['2:1 duplicate-key: duplicate key "a" in one mapping: it is already set at line 1, column 1']);
    // A lone CR ends a line too, for the parser and for the line numbers.
    const cr = tree('a: 1\rb: [x,\r  y]\r');
    expect(valueOf('a: 1\rb: [x,\r  y]\r')).toEqual({ a: 1, b: ['x', 'y'] });
    expect(where(cr, get(cr.root, 'b'))).toBe('2:4');
  });

  it('loads a CRLF spec exactly as the LF one, problems on the same lines', () => {
    expect(specProblems({ 'demo.yaml': VALID_SPEC.replace(/\n/g, '\r\n') })).toEqual([]);
    const broken = VALID_SPEC.replace('type: span', 'type: spam');
    const lines = (text: string) => specProblems({ 'demo.yaml': text }).map((p) => [p.rule, p.location.line, p.location.column]);
    expect(lines(broken.replace(/\n/g, '\r\n'))).toEqual(lines(broken));
  });

  it('skips a byte order mark: the first key is at line 1, column 1', () => {
    const built = tree('\ufeffa: 1\nb: [x]\n');
    expect(problemsOf('\ufeffa: 1\nb: [x]\n')).toEqual([]);
    expect(valueOf('\ufeffa: 1\nb: [x]\n')).toEqual({ a: 1, b: ['x'] });
    expect(where(built, built.root ?? undefined)).toBe('1:1');
    expect(where(built, get(built.root, 'b'))).toBe('2:4');
    expect(specProblems({ 'demo.yaml': `\ufeff${VALID_SPEC}` })).toEqual([]);
  });

  it('gives an empty or comment-only file no root and no problem; the spec takes nothing from it', () => {
    for (const text of ['', '\n\n', '# only a comment\n', '\ufeff']) {
      expect(tree(text).root).toBeNull();
      expect(problemsOf(text)).toEqual([]);
    }
    expect(specProblems({ 'demo.yaml': VALID_SPEC, 'empty.yaml': '# nothing yet\n' })).toEqual([]);
  });
});
