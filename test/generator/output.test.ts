/**
 * The writer streams each rendered file through a comparison with the file on
 * disk and into a staged copy, so no file's whole text is held; it still
 * writes all or nothing, and tells a changed file from an unchanged one
 * whatever the sizes and the place of the difference.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { plannedChanges, renderAll, writeOutputs, type FileRenderers, type OutputFolder } from '../../scripts/codegen/output.ts';
import { makeTempDir, removeDir, snapshotFolder } from '../support/spec-fixture.ts';

const HEADER = '// generated\n';
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) removeDir(dir);
});

function folder(files: Record<string, string | (() => Iterable<string>)>): OutputFolder {
  const dir = makeTempDir('flo-output');
  dirs.push(dir);
  const renderers: FileRenderers = new Map(Object.entries(files).map(([name, content]) => [name, typeof content === 'string' ? () => [content] : content]));
  return { dir, files: renderers, header: HEADER };
}

/** A file of `size` characters in pieces of 1000: larger than the writer's blocks. */
function pieces(size: number, changeAt = -1): () => Iterable<string> {
  return function* () {
    yield HEADER;
    for (let at = HEADER.length; at < size; at += 1000) {
      const piece = 'x'.repeat(Math.min(1000, size - at));
      yield changeAt >= at && changeAt < at + piece.length ? `${piece.slice(0, changeAt - at)}y${piece.slice(changeAt - at + 1)}` : piece;
    }
  };
}

describe('writeOutputs, streaming', () => {
  it('writes a file larger than its blocks exactly as rendered, then sees it unchanged', () => {
    const out = folder({ 'big.ts': pieces(300_000) });
    expect(writeOutputs([out])).toEqual([{ path: join(out.dir, 'big.ts'), kind: 'create' }]);
    expect(readFileSync(join(out.dir, 'big.ts'), 'utf8')).toBe(renderAll(out.files).get('big.ts'));
    expect(plannedChanges([out])).toEqual([]);
    expect(writeOutputs([out])).toEqual([]);
    expect(readdirSync(out.dir)).toEqual(['big.ts']);
  });

  it.each([
    ['the same size, one character changed near the end', pieces(300_000, 299_990)],
    ['the same size, the first block changed', pieces(300_000, 20)],
    ['shorter: the file on disk has more after it', pieces(299_000)],
    ['longer: the file on disk ends before it', pieces(301_000)],
  ])('sees an update when the new text is %s', (_, changed) => {
    const out = folder({ 'big.ts': pieces(300_000) });
    writeOutputs([out]);
    const next = { ...out, files: new Map([['big.ts', changed]]) };
    expect(plannedChanges([next])).toEqual([{ path: join(out.dir, 'big.ts'), kind: 'update' }]);
    expect(writeOutputs([next])).toEqual([{ path: join(out.dir, 'big.ts'), kind: 'update' }]);
    expect(readFileSync(join(out.dir, 'big.ts'), 'utf8')).toBe(renderAll(next.files).get('big.ts'));
  });

  it('multi-byte characters split across blocks compare and write as UTF-8', () => {
    const text = () => [HEADER, ...Array.from({ length: 40_000 }, () => 'é€😀')];
    const out = folder({ 'unicode.md': text });
    writeOutputs([out]);
    expect(readFileSync(join(out.dir, 'unicode.md'), 'utf8')).toBe(text().join(''));
    expect(plannedChanges([out])).toEqual([]);
  });

  it('leaves the folder exactly as it was, with no staged file, when a later file fails to render', () => {
    const out = folder({ 'a.ts': `${HEADER}old a\n` });
    writeOutputs([out]);
    writeFileSync(join(out.dir, 'hand-written.ts'), 'kept\n');
    const before = snapshotFolder(out.dir);
    const failing = {
      ...out,
      files: new Map<string, () => Iterable<string>>([
        ['a.ts', () => [`${HEADER}new a\n`]],
        ['b.ts', pieces(200_000)],
        [
          'c.ts',
          function* () {
            yield HEADER;
            throw new Error('renderer failed');
          },
        ],
      ]),
    };
    expect(() => writeOutputs([failing])).toThrow('renderer failed');
    expect(snapshotFolder(out.dir)).toEqual(before);
  });

  it('removes generated files the spec no longer produces, keeps hand-written ones, and never takes its own staged files for stale ones', () => {
    const out = folder({ 'a.ts': `${HEADER}a\n`, 'old.ts': `${HEADER}old\n` });
    writeOutputs([out]);
    writeFileSync(join(out.dir, 'notes.ts'), 'hand-written\n');
    const next = { ...out, files: new Map([['a.ts', () => [`${HEADER}a, changed\n`]], ['new.ts', () => [`${HEADER}new\n`]]]) };
    expect(writeOutputs([next])).toEqual([
      { path: join(out.dir, 'a.ts'), kind: 'update' },
      { path: join(out.dir, 'new.ts'), kind: 'create' },
      { path: join(out.dir, 'old.ts'), kind: 'delete' },
    ]);
    expect(readdirSync(out.dir).sort()).toEqual(['a.ts', 'new.ts', 'notes.ts']);
  });
});
