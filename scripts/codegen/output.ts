/**
 * Writes generated files all or nothing. Each file is rendered piece by piece
 * and streamed: compared with what is on disk and, when writing, written
 * beside its target at the same time, so no file's whole text is held (a
 * large registry's files run to megabytes, and holding them was most of the
 * generator's peak memory). Only when every file is rendered and written are
 * the changed ones renamed into place, so an error at any step leaves the
 * output folders exactly as they were.
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** A folder's files by name, each rendered when called, as pieces of text in order. */
export type FileRenderers = ReadonlyMap<string, () => Iterable<string>>;

/** Renders each file of a map of renderers into one string. */
export function renderAll(files: FileRenderers): Map<string, string> {
  return new Map([...files].map(([name, render]) => [name, [...render()].join('')]));
}

/** The files one output folder should hold, and how to recognise files generated earlier. */
export interface OutputFolder {
  readonly dir: string;
  readonly files: FileRenderers;
  /** Text that starts every generated file, so stale ones can be found and removed. */
  readonly header: string;
  /** What generated files of earlier versions start with, recognised as well. */
  readonly earlierHeaders?: readonly string[];
}

export interface Change {
  readonly path: string;
  readonly kind: 'create' | 'update' | 'delete';
}

/** What writing would change: files to create or update, and stale generated files to delete. */
export function plannedChanges(folders: readonly OutputFolder[]): Change[] {
  return visitFiles(folders, undefined);
}

/**
 * Renders every file, streaming it through a comparison with the file on disk and, with
 * `stage`, into the file `stage` names for it (one a file, changed or not, named before it is
 * created). Returns every change: creations and updates, then the stale generated files to delete.
 */
function visitFiles(folders: readonly OutputFolder[], stage: Stage | undefined): Change[] {
  // Listed before anything is staged: a staged file starts with the header too.
  const deletions = folders.flatMap((folder) =>
    generatedFilesIn(folder)
      .filter((name) => !folder.files.has(name))
      .map((name): Change => ({ path: join(folder.dir, name), kind: 'delete' })),
  );
  const changes: Change[] = [];
  for (const folder of folders) {
    for (const [name, render] of folder.files) {
      const path = join(folder.dir, name);
      const kind = streamFile(path, render(), stage);
      if (kind !== undefined) changes.push({ path, kind });
    }
  }
  return [...changes, ...deletions];
}

/** Where a file being written goes first, and what to do with it once it is complete. */
interface Stage {
  /** Names the file `path` is written to first, and remembers it. */
  open(path: string): string;
  /** The staged file for `path` is complete and equals the file on disk: it is not needed. */
  unchanged(path: string): void;
}

/** Pieces of text are written in blocks of about this many characters. */
const BLOCK = 1 << 16;

/**
 * Streams `pieces` through a comparison with the file at `path` (and into its staged file when
 * `stage` is given); returns whether the file would be created or updated, or undefined when it
 * holds exactly that text already.
 */
function streamFile(path: string, pieces: Iterable<string>, stage: Stage | undefined): 'create' | 'update' | undefined {
  const existing = existsSync(path) ? openSync(path, 'r') : undefined;
  let staged: number | undefined;
  try {
    if (stage !== undefined) {
      const target = stage.open(path);
      mkdirSync(dirname(target), { recursive: true });
      staged = openSync(target, 'w');
    }
    let same = existing !== undefined;
    let block = '';
    const flush = (): void => {
      const bytes = Buffer.from(block, 'utf8');
      block = '';
      if (staged !== undefined) writeSync(staged, bytes);
      if (same && existing !== undefined) same = nextBytesEqual(existing, bytes);
    };
    for (const piece of pieces) {
      block += piece;
      if (block.length >= BLOCK) flush();
      // Only a comparison is asked for, and it is settled.
      if (!same && staged === undefined) return existing === undefined ? 'create' : 'update';
    }
    flush();
    if (same && existing !== undefined) same = readSync(existing, Buffer.alloc(1), 0, 1, null) === 0;
    if (!same) return existing === undefined ? 'create' : 'update';
    stage?.unchanged(path);
    return undefined;
  } finally {
    if (existing !== undefined) closeSync(existing);
    if (staged !== undefined) closeSync(staged);
  }
}

/** Whether the next `bytes.length` bytes of the open file are `bytes`. */
function nextBytesEqual(fd: number, bytes: Buffer): boolean {
  const read = Buffer.alloc(bytes.length);
  let filled = 0;
  while (filled < read.length) {
    const count = readSync(fd, read, filled, read.length - filled, null);
    if (count === 0) return false;
    filled += count;
  }
  return read.equals(bytes);
}

function generatedFilesIn(folder: OutputFolder): string[] {
  if (!existsSync(folder.dir)) return [];
  return readdirSync(folder.dir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && [folder.header, ...(folder.earlierHeaders ?? [])].some((header) => startsWith(join(folder.dir, entry.name), header)))
    .map((entry) => entry.name)
    .sort();
}

/** Whether a file starts with `header`, reading only that many bytes. */
function startsWith(path: string, header: string): boolean {
  const expected = Buffer.from(header);
  const start = Buffer.alloc(expected.length);
  const fd = openSync(path, 'r');
  try {
    return readSync(fd, start, 0, start.length, 0) === start.length && start.equals(expected);
  } finally {
    closeSync(fd);
  }
}

/** Applies the changes; returns them. Staged files are removed if rendering or any write fails. */
export function writeOutputs(folders: readonly OutputFolder[]): Change[] {
  const staged = new Map<string, string>();
  const stage: Stage = {
    open(path) {
      const temporary = `${path}.${process.pid}.tmp`;
      // Remembered before it is created, so a write that fails half-way is cleaned up too.
      staged.set(path, temporary);
      return temporary;
    },
    unchanged(path) {
      const temporary = staged.get(path);
      staged.delete(path);
      if (temporary !== undefined) rmSync(temporary, { force: true });
    },
  };
  let changes: Change[];
  try {
    changes = visitFiles(folders, stage);
  } catch (error) {
    for (const temporary of staged.values()) rmSync(temporary, { force: true });
    throw error;
  }
  for (const [path, temporary] of staged) renameSync(temporary, path);
  for (const change of changes) if (change.kind === 'delete') rmSync(change.path);
  return changes;
}
