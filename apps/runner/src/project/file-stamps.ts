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

/**
 * A build's stamp: the files it was built from together with `extraInputs` (config files it
 * depends on), sorted, and their fingerprint.
 */
export function buildStamp(rootDir: string, builtFrom: readonly string[], extraInputs: readonly string[], salt: string): { inputs: string[]; fingerprint: string } {
  const inputs = [...builtFrom, ...extraInputs].sort();
  return { inputs, fingerprint: fingerprintOf(rootDir, inputs, salt) };
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
/** Whether fingerprints are kept between compiles (a compile server): then they are taken in the thread that watches. */
export const fingerprintsWatched = (): boolean => watching;
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

/**
 * Values parsed from files this process read or wrote, each kept with its file's size and
 * modification time: a process that reads the same files again and again (the compile
 * server) parses each once, and again only when another process rewrote it. What this process
 * wrote counts as the file's content until the background write is in place.
 */
export class ParsedFiles<T> {
  private readonly kept = new Map<string, { value: T; stamp: string | undefined }>();

  /** The file's value: kept, or parsed now (`parse` returns undefined, or throws, for a damaged file); undefined when missing or damaged. */
  read(file: string, parse: (text: string) => T | undefined): T | undefined {
    // stamped before it is read: a rewrite meanwhile shows as another stamp next time
    const stamp = stampOf(file);
    const kept = this.kept.get(file);
    if (kept && (kept.stamp === undefined || kept.stamp === stamp)) return kept.value;
    let value: T | undefined;
    try {
      value = parse(readFileSync(file, 'utf8'));
    } catch {
      return undefined;
    }
    if (value !== undefined) this.kept.set(file, { value, stamp });
    return value;
  }

  /** Whether `value` is what this process last read or wrote for the file. */
  holds(file: string, value: T): boolean {
    return this.kept.get(file)?.value === value;
  }

  /** Writes `text` (the value as stored) in the background, and keeps `value` for the file. */
  write(file: string, value: T, text: string): void {
    this.kept.set(file, { value, stamp: undefined });
    writeInBackground(file, text, () => {
      if (this.holds(file, value)) this.kept.set(file, { value, stamp: stampOf(file) });
    });
  }
}

function stampOf(file: string): string {
  const stat = statSync(file, { throwIfNoEntry: false });
  return stat ? `${stat.size}:${stat.mtimeMs}` : 'missing';
}
