import { createHash } from 'node:crypto';
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
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

/** A JSON file's content, or undefined when it is missing or unreadable. */
export function readJsonFile<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}
