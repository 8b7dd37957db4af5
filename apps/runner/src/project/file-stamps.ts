import { createHash } from 'node:crypto';
import { readFileSync, renameSync, statSync, watch as fsWatch, writeFileSync, type FSWatcher } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * A hash of files' paths, sizes and modification times (missing files count too): whether
 * something built from them is still current, told without reading them. `salt` adds what
 * else the build depended on (the bundler's version, say).
 */
export function fingerprintOf(rootDir: string, files: readonly string[], salt = ''): string {
  if (!watching) return statFingerprint(rootDir, files, salt);
  const key = `${rootDir}\0${salt}\0${files.join('\0')}`;
  const known = watchedFingerprints.get(key);
  if (known !== undefined) return known;
  // watched before they are read: a change in between is not missed
  let watched = true;
  for (const file of files) watched = watchFile(join(rootDir, file), key) && watched;
  const fingerprint = statFingerprint(rootDir, files, salt);
  if (watched) watchedFingerprints.set(key, fingerprint);
  return fingerprint;
}

function statFingerprint(rootDir: string, files: readonly string[], salt: string): string {
  // one string hashed once, paths joined by hand: 10,000 files cost their stat calls and little more
  let text = salt;
  for (const file of files) {
    const stat = statSync(`${rootDir}/${file}`, { throwIfNoEntry: false });
    text += stat ? `\n${file}\0${stat.size}\0${stat.mtimeMs}` : `\n${file}\0missing`;
  }
  return createHash('sha256').update(text).digest('hex');
}

/**
 * In a process that fingerprints the same files again and again (the compile server), a
 * fingerprint is kept while the file system reports no change to any of its files: each
 * file's folder is watched, and an event for the file forgets every fingerprint that covers
 * it. An entry of another name added, removed or renamed, or an event the watcher cannot
 * name, forgets the whole folder (it may have been replaced) and watches it anew. A folder
 * that cannot be watched leaves its fingerprints to be computed each time.
 */
let watching = false;
const watchedFingerprints = new Map<string, string>();
const folderWatches = new Map<string, { watcher: FSWatcher | undefined; keysByName: Map<string, Set<string>> }>();

export function watchFingerprintedFiles(): { close(): void } {
  watching = true;
  return {
    close() {
      watching = false;
      for (const { watcher } of folderWatches.values()) watcher?.close();
      folderWatches.clear();
      watchedFingerprints.clear();
    },
  };
}

/** Watches a file's folder for `key`; false when it cannot be watched. */
function watchFile(path: string, key: string): boolean {
  const folder = dirname(path);
  let watch = folderWatches.get(folder);
  if (!watch) {
    const keysByName = new Map<string, Set<string>>();
    const forget = (names: Iterable<Set<string>>) => {
      for (const keys of names) for (const k of keys) watchedFingerprints.delete(k);
    };
    // the folder itself may be gone or replaced (a branch switch): start over with it
    const drop = () => {
      forget(keysByName.values());
      watcher?.close();
      if (folderWatches.get(folder)?.watcher === watcher) folderWatches.delete(folder);
    };
    let watcher: FSWatcher | undefined;
    try {
      watcher = fsWatch(folder, { persistent: false }, (event, name) => {
        const keys = name === null ? undefined : keysByName.get(name.toString());
        if (keys) forget([keys]);
        else if (name === null || event === 'rename') drop();
      });
      watcher.on('error', drop);
    } catch {
      watcher = undefined;
    }
    folderWatches.set(folder, (watch = { watcher, keysByName }));
  }
  // unwatchable (missing, or out of watches): never kept
  if (!watch.watcher) return false;
  const name = basename(path);
  if (!watch.keysByName.has(name)) watch.keysByName.set(name, new Set());
  watch.keysByName.get(name)!.add(key);
  return true;
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
