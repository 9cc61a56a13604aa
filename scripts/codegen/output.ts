/**
 * Writes generated files all or nothing. Every file is rendered in memory
 * first; then every changed file is written beside its target and only when
 * all writes succeeded are they renamed into place, so an error at any step
 * leaves the output folders exactly as they were.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
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
      else if (readFileSync(path, 'utf8') !== content) changes.push({ path, kind: 'update' });
    }
    for (const name of generatedFilesIn(folder)) {
      if (!folder.files.has(name)) changes.push({ path: join(folder.dir, name), kind: 'delete' });
    }
  }
  return changes;
}

function generatedFilesIn(folder: OutputFolder): string[] {
  if (!existsSync(folder.dir)) return [];
  return readdirSync(folder.dir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && readFileSync(join(folder.dir, entry.name), 'utf8').startsWith(folder.header))
    .map((entry) => entry.name)
    .sort();
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
