/**
 * scripts/semconv/yaml-tree.ts: the positioned tree the generator reads YAML
 * into, from js-yaml's event stream. Values are typed under the YAML 1.2 core
 * schema as the `yaml` package typed them before; every node, and every YAML
 * problem, keeps the line and column it stands at.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlias as isYamlAlias, isMap as isYamlMap, isScalar as isYamlScalar, isSeq as isYamlSeq, parseDocument } from 'yaml';
import { loadSpec, registryFiles } from '../../scripts/semconv/load.ts';
import { SpecError, type Problem } from '../../scripts/semconv/problems.ts';
import { buildTree, get, isAlias, isMap, isScalar, isSeq, lineIndex, toJS, type YamlNode, type YamlTree } from '../../scripts/semconv/yaml-tree.ts';
import { removeDir, VALID_SPEC, writeSpec } from '../support/spec-fixture.ts';
import { REPO_ROOT } from '../support/weaver.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) removeDir(dir);
});

function tree(text: string): YamlTree {
  return buildTree(text);
}

/** The problems of a tree as `line:column rule: message`. */
function problemsOf(text: string): string[] {
  const built = tree(text);
  const at = lineIndex(built.text);
  return built.problems.map((problem) => {
    const { line, column } = at(problem.offset);
    return `${line}:${column} ${problem.rule}: ${problem.message}`;
  });
}

function where(built: YamlTree, node: YamlNode | undefined): string {
  if (node === undefined) throw new Error('no node');
  const { line, column } = lineIndex(built.text)(node.start);
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
  const values = toJS(tree(text).root as YamlNode) as Record<string, unknown>;

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
    expect(problemsOf('a: 1\nb: !foo bar\n')).toEqual([expect.stringMatching(/^2:4 yaml-syntax: tag !foo is not read here/)]);
    expect(problemsOf('a: !!int many\n')).toEqual(['1:4 yaml-syntax: "many" is not a valid !!int']);
    expect(tree('a: !!set {x}\n').root).toBeNull();
  });

  it('reports to the spec the source text of a number given where text is wanted', () => {
    const problems = specProblems({ 'demo.yaml': VALID_SPEC.replace('brief: A name.', 'brief: 1.10') });
    expect(problems.map((p) => p.message)).toContain(`"brief" of attribute "demo.name" must be a string (quote it: '1.10')`);
  });
});

describe('positions', () => {
  const text = 'groups:\n  - id: "quoted"\n    brief: |\n      Text.\n    note:\n    tags: [a, b]\n    deep: {k: v}\n    empty_tagged: !!str\n';

  it('places every node where the `yaml` package placed it: the opening quote, the block header, just past the indicator of an empty value', () => {
    const built = tree(text);
    const groups = get(built.root, 'groups');
    const group = isSeq(groups) ? groups.items[0] : undefined;
    expect(where(built, group)).toBe('2:5');
    expect(where(built, get(group, 'id'))).toBe('2:9');
    expect(where(built, get(group, 'brief'))).toBe('3:12');
    expect(where(built, get(group, 'note'))).toBe('5:10');
    expect(where(built, get(group, 'tags'))).toBe('6:11');
    expect(where(built, get(group, 'deep'))).toBe('7:11');
    expect(where(built, get(group, 'empty_tagged'))).toBe('8:24');
  });

  it('matches the `yaml` package node for node, in value and position, on the kit spec and the vendored registry', () => {
    const files = registryFiles(join(REPO_ROOT, 'semconv')).concat(registryFiles(join(REPO_ROOT, 'semconv/.upstream')));
    expect(files.length).toBeGreaterThan(20);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const reference = parseDocument(text, { uniqueKeys: true });
      const built = tree(text);
      expect(built.problems, file).toEqual([]);
      const differences: string[] = [];
      const compare = (expected: unknown, actual: YamlNode | undefined, path: string): void => {
        const start = (expected as { range?: [number] }).range?.[0];
        if (actual === undefined || actual.start !== start) differences.push(`${path}: at ${actual?.start}, expected ${start}`);
        if (actual === undefined) return;
        if (isYamlAlias(expected)) {
          if (!isAlias(actual)) differences.push(`${path}: not an alias`);
        } else if (isYamlScalar(expected)) {
          if (!isScalar(actual) || !Object.is(actual.value, expected.value)) differences.push(`${path}: ${JSON.stringify(isScalar(actual) ? actual.value : actual.kind)}, expected ${JSON.stringify(expected.value)}`);
        } else if (isYamlSeq(expected)) {
          if (!isSeq(actual) || actual.items.length !== expected.items.length) differences.push(`${path}: not the same list`);
          else expected.items.forEach((item, index) => compare(item, actual.items[index], `${path}[${index}]`));
        } else if (isYamlMap(expected)) {
          if (!isMap(actual) || actual.items.length !== expected.items.length) differences.push(`${path}: not the same mapping`);
          else expected.items.forEach((pair, index) => {
            compare(pair.key, actual.items[index]?.key, `${path}.<key ${index}>`);
            compare(pair.value, actual.items[index]?.value, `${path}.${String((pair.key as { value?: unknown }).value)}`);
          });
        }
      };
      compare(reference.contents, built.root ?? undefined, '');
      expect(differences, file).toEqual([]);
      expect(toJS(built.root as YamlNode), file).toEqual(reference.toJS());
    }
  });
});

describe('anchors and aliases', () => {
  const text = 'base: &common\n  - ref: a\n  - ref: b\nfirst: *common\nsecond: [*common, *common]\nscalar: &word hello\nagain: *word\n';

  it('points each alias at the anchored node, and stands where the `*` is written', () => {
    const built = tree(text);
    const alias = get(built.root, 'first');
    expect(alias).toBe(get(built.root, 'base'));
    const pair = isMap(built.root) ? built.root.items[1] : undefined;
    expect(pair?.value.kind).toBe('alias');
    expect(where(built, pair?.value)).toBe('4:8');
  });

  it('gives the plain value with every alias followed', () => {
    const common = [{ ref: 'a' }, { ref: 'b' }];
    expect(toJS(tree(text).root as YamlNode)).toEqual({ base: common, first: common, second: [common, common], scalar: 'hello', again: 'hello' });
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
    expect(problemsOf('a:\n  b: [1, 2\n  c: 3\n')).toEqual(['3:3 yaml-syntax: deficient indentation inside the flow sequence "[" opened at line 2, column 6: close it with "]" before this line, or indent this line deeper']);
    expect(problemsOf('a: {x: 1\n')).toEqual(['2:1 yaml-syntax: deficient indentation inside the flow mapping "{" opened at line 1, column 4: close it with "}" before this line, or indent this line deeper']);
    expect(problemsOf('a: "open\nb: 1\n')).toEqual([`2:1 yaml-syntax: deficient indentation inside the double-quoted string opened at line 1, column 4: close it with '"' before this line, or indent this line deeper`]);
    expect(problemsOf('a:\n  - [x,\n    [y')).toEqual(['3:7 yaml-syntax: unexpected end of the stream within a flow collection: the flow sequence "[" opened at line 3, column 5 is not closed ("]" missing)']);
    expect(problemsOf('a: 1\n b: 2\n')).toEqual(['2:3 yaml-syntax: bad indentation of a mapping entry']);
    expect(problemsOf('a: 1\n\tb: 2\n')).toEqual(['2:1 yaml-syntax: tab characters must not be used in indentation']);
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
    expect(built.problems).toEqual([]);
    expect(toJS(built.root as YamlNode)).toEqual({ examples: [['a', 'b']], after: { k: 'v' } });
    expect(where(built, get(built.root, 'after'))).toBe('6:8');
    // Shallower than its opening line is still an error, as it was with the `yaml` package.
    expect(problemsOf('a:\n  - [\n    x\n]\n')).toEqual([expect.stringMatching(/^4:1 yaml-syntax: deficient indentation inside the flow sequence "\[" opened at line 2, column 5/)]);
  });

  it('reads a file with many such brackets, without taking a bracket in a block scalar or in block context for one', () => {
    const entries = Array.from({ length: 300 }, (_, i) => `  - id: a${i}\n    examples: [\n        x${i},\n        y\n    ]`);
    const text = `list:\n${entries.join('\n')}\nliteral: |\n  kept\n  ]\nlast: [\n    z\n]\n`;
    const built = tree(text);
    expect(built.problems).toEqual([]);
    const values = toJS(built.root as YamlNode) as { list: Array<{ id: string; examples: string[] }>; literal: string; last: string[] };
    expect(values.list).toHaveLength(300);
    expect(values.list[299]).toEqual({ id: 'a299', examples: ['x299', 'y'] });
    expect(values.literal).toBe('kept\n]\n');
    expect(values.last).toEqual(['z']);
    // A bracket that closes nothing stays an error.
    expect(problemsOf('a:\n  - [\n      x\n  ]\nb: c\n]\n')).toEqual(['6:1 yaml-syntax: end of the stream or a document separator is expected']);
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
    expect(toJS(fromCrlf.root as YamlNode)).toEqual(toJS(fromLf.root as YamlNode));
    expect(toJS(fromCrlf.root as YamlNode)).toEqual({ a: 'line one\nline two\n', b: 'folded text', c: [1, 2], d: 'x' });
    for (const key of ['a', 'b', 'c', 'd']) expect(where(fromCrlf, get(fromCrlf.root, key))).toBe(where(fromLf, get(fromLf.root, key)));
    expect(problemsOf('a: 1\r\na: 2\r\n')).toEqual(['2:1 duplicate-key: duplicate key "a" in one mapping: it is already set at line 1, column 1']);
    // A lone CR ends a line too, for the parser and for the line numbers.
    const cr = tree('a: 1\rb: [x,\r  y]\r');
    expect(toJS(cr.root as YamlNode)).toEqual({ a: 1, b: ['x', 'y'] });
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
    expect(built.problems).toEqual([]);
    expect(toJS(built.root as YamlNode)).toEqual({ a: 1, b: ['x'] });
    expect(where(built, built.root ?? undefined)).toBe('1:1');
    expect(where(built, get(built.root, 'b'))).toBe('2:4');
    expect(specProblems({ 'demo.yaml': `\ufeff${VALID_SPEC}` })).toEqual([]);
  });

  it('gives an empty or comment-only file no root and no problem; the spec takes nothing from it', () => {
    for (const text of ['', '\n\n', '# only a comment\n', '\ufeff']) {
      expect(tree(text)).toMatchObject({ root: null, problems: [] });
    }
    expect(specProblems({ 'demo.yaml': VALID_SPEC, 'empty.yaml': '# nothing yet\n' })).toEqual([]);
  });
});
