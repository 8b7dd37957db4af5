import { createHash } from 'node:crypto';
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A hash of files' paths, sizes and modification times (missing files count too): whether
 * something built from them is still current, told without reading them. `salt` adds what
 * else the build depended on (the bundler's version, say).
 */
export function fingerprintOf(rootDir: string, files: readonly string[], salt = ''): string {
  const hash = createHash('sha256').update(salt);
  for (const file of files) {
    const stat = statSync(join(rootDir, file), { throwIfNoEntry: false });
    hash.update(stat ? `\n${file}\0${stat.size}\0${stat.mtimeMs}` : `\n${file}\0missing`);
  }
  return hash.digest('hex');
}

/** Writes a file of this process's own, then renames it into place: a concurrent reader never sees half of it. */
export function writeAtomically(path: string, contents: string | Uint8Array): void {
  const scratch = `${path}.${process.pid}.tmp`;
  writeFileSync(scratch, contents);
  renameSync(scratch, path);
}

/** Numbers background writes of this process, so two to one path never share a scratch file. */
let background = 0;

/**
 * Like {@link writeAtomically}, in the background: for caches, which the next run finds or
 * does without; `written` is called once the file is in place. Node finishes the write before it exits; a failed one only means a colder
 * cache next time.
 */
export function writeInBackground(path: string, contents: string, written?: () => void): void {
  const scratch = `${path}.${process.pid}.${(background++).toString(36)}.tmp`;
  writeFile(scratch, contents)
    .then(() => rename(scratch, path))
    .then(written, () => rm(scratch, { force: true }).catch(() => undefined));
}
/** A JSON file's content, or undefined when it is missing or unreadable. */
export function readJsonFile<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}
