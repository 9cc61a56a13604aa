/**
 * Writes generated files all or nothing. Every file is rendered in memory
 * first; then every changed file is written beside its target and only when
 * all writes succeeded are they renamed into place, so an error at any step
 * leaves the output folders exactly as they were.
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The files one output folder should hold, and how to recognise files generated earlier. */
export interface OutputFolder {
  readonly dir: string;
  readonly files: ReadonlyMap<string, string>;
  /** Text that starts every generated file, so stale ones can be found and removed. */
  readonly header: string;
}

export interface Change {
  readonly path: string;
  readonly kind: 'create' | 'update' | 'delete';
}

/** What writing would change: files to create or update, and stale generated files to delete. */
export function plannedChanges(folders: readonly OutputFolder[]): Change[] {
  const changes: Change[] = [];
  for (const folder of folders) {
    for (const [name, content] of folder.files) {
      const path = join(folder.dir, name);
      if (!existsSync(path)) changes.push({ path, kind: 'create' });
      else if (differs(path, content)) changes.push({ path, kind: 'update' });
    }
    for (const name of generatedFilesIn(folder)) {
      if (!folder.files.has(name)) changes.push({ path: join(folder.dir, name), kind: 'delete' });
    }
  }
  return changes;
}

/** Whether the file's text is not `content`; a file of another size is not read (generated files run to megabytes). */
function differs(path: string, content: string): boolean {
  return statSync(path).size !== Buffer.byteLength(content) || readFileSync(path, 'utf8') !== content;
}

function generatedFilesIn(folder: OutputFolder): string[] {
  if (!existsSync(folder.dir)) return [];
  return readdirSync(folder.dir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && startsWith(join(folder.dir, entry.name), folder.header))
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

/** Applies the changes; returns them. Staged files are cleaned up if any write fails. */
export function writeOutputs(folders: readonly OutputFolder[]): Change[] {
  const changes = plannedChanges(folders);
  const contents = new Map<string, string>();
  for (const folder of folders) for (const [name, content] of folder.files) contents.set(join(folder.dir, name), content);
  const staged: Array<{ temporary: string; path: string }> = [];
  try {
    for (const change of changes) {
      if (change.kind === 'delete') continue;
      mkdirSync(join(change.path, '..'), { recursive: true });
      const temporary = `${change.path}.${process.pid}.tmp`;
      writeFileSync(temporary, contents.get(change.path) ?? '');
      staged.push({ temporary, path: change.path });
    }
  } catch (error) {
    for (const { temporary } of staged) rmSync(temporary, { force: true });
    throw error;
  }
  for (const { temporary, path } of staged) renameSync(temporary, path);
  for (const change of changes) if (change.kind === 'delete') rmSync(change.path);
  return changes;
}
