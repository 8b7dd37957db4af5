import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { startFileWriterThread, type FileWriterThread } from './file-writer-thread.js';
import { changedRowsPathOf, compiledModelFiles, type ExecutionPlan } from '../execute/plan.js';
import type { RunResult } from '../execute/run-result.js';
import { manifestText, type Manifest } from './manifest.js';

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/**
 * Writes a file under a name of its own, then renames it into place: a reader (an editor, a
 * docs build, a concurrent compile) sees the old file or the new one, never half of one, and a
 * write that fails leaves the old file as it was.
 */
async function write(path: string, content: string | readonly Buffer[]): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const scratch = `${path}.${process.pid}.${(scratches++).toString(36)}.tmp`;
  try {
    if (typeof content === 'string') await writeFile(scratch, content);
    else {
      const file = await open(scratch, 'w');
      try {
        await file.writev(content as Buffer[]);
      } finally {
        await file.close();
      }
    }
    await rename(scratch, path);
  } catch (error) {
    await rm(scratch, { force: true }).catch(() => undefined);
    throw error;
  }
}

/** Numbers this process's scratch files, so two writes to one path never share one. */
let scratches = 0;

/** The hash the written-files index keeps of a file's content. */
export const contentHash = (content: string): string => createHash('sha1').update(content).digest('base64');

/**
 * What `target/compiled/` holds, by a hash index kept in each folder (`.written.json`, file
 * name to content hash), so a compile rewrites only the files whose content changed, and only
 * the indexes of the folders they are in: a warm compile of a large project writes a handful
 * of files and one small index.
 */
export interface CompiledFiles {
  /** Whether the file exists and holds content of this hash (as far as the index knows). */
  holds(path: string, hash: string): boolean;
  /** Writes the files whose content differs from what is there (as they come, e.g. package by package). */
  stage(files: ReadonlyArray<readonly [string, string]>): void;
  /** Records what was staged in the indexes. */
  commit(): Promise<void>;
  /** Both: writes the files whose content differs, and records them. */
  write(files: ReadonlyArray<readonly [string, string]>): Promise<void>;
}

/** From this many files to write, they are written on a thread of their own (starting one costs a few milliseconds). */
const WRITER_THREAD_FROM = 200;
/** Each folder's index of what it holds. */
const INDEX_FILE = '.written.json';

export async function openCompiledFiles(rootDir: string): Promise<CompiledFiles> {
  const indexes = new Map<string, ReadonlyMap<string, string>>();
  const listed = new Map<string, Set<string> | undefined>();
  // paths are relative, with '/' (dirname and basename cost more, 10,000 times)
  const split = (path: string): [folder: string, name: string] => {
    const slash = path.lastIndexOf('/');
    return [slash < 0 ? '.' : path.slice(0, slash), path.slice(slash + 1)];
  };
  // read-only: shared with the next compile of this process
  const indexOf = (folder: string) => {
    let index = indexes.get(folder);
    if (!index) indexes.set(folder, (index = readIndex(join(rootDir, folder, INDEX_FILE))));
    return index;
  };
  const exists = (folder: string, name: string) => {
    let names = listed.get(folder);
    if (names === undefined && !listed.has(folder)) listed.set(folder, (names = listingOf(join(rootDir, folder))));
    return names?.has(name) ?? false;
  };
  const holdsIn = (folder: string, name: string, hash: string) => indexOf(folder).get(name) === hash && exists(folder, name);
  const staged = new Map<string, Map<string, string>>();
  const folders = new Set<string>();
  const written: Array<[folder: string, name: string]> = [];
  let thread: FileWriterThread | undefined;
  const stage = (files: ReadonlyArray<readonly [string, string]>) => {
    const changed: Array<readonly [string, string]> = [];
    for (const [path, content] of files) {
      const [folder, name] = split(path);
      const hash = contentHash(content);
      const indexed = indexOf(folder).get(name) === hash;
      if (!indexed) {
        let entries = staged.get(folder);
        if (!entries) staged.set(folder, (entries = new Map()));
        entries.set(name, hash);
      }
      if (indexed && exists(folder, name)) continue;
      changed.push([join(rootDir, path), content]);
      written.push([folder, name]);
    }
    // many files (a cold compile): on a thread of their own, while this one goes on compiling
    if (thread === undefined && written.length >= WRITER_THREAD_FROM) thread = startFileWriterThread();
    if (thread) return thread.write(changed);
    for (const [path, content] of changed) {
      const folder = dirname(path);
      if (!folders.has(folder)) {
        mkdirSync(folder, { recursive: true });
        folders.add(folder);
      }
      // synchronous: for a few small files a promise per open, write and close costs more than the write
      writeFileSync(path, content);
    }
  };
  const commit = async () => {
    if (thread) {
      const writing = thread;
      thread = undefined;
      await writing.close();
    }
    await Promise.all(
      [...staged].map(async ([folder, entries]) => {
        const next = new Map(indexOf(folder));
        for (const [name, hash] of entries) next.set(name, hash);
        const path = join(rootDir, folder, INDEX_FILE);
        await write(path, JSON.stringify(Object.fromEntries(next)));
        indexes.set(folder, next);
        remember(path, next);
      }),
    );
    staged.clear();
    const touched = new Set<string>();
    for (const [folder, name] of written.splice(0)) {
      touched.add(folder);
      if (listed.has(folder)) listed.set(folder, (listed.get(folder) ?? new Set()).add(name));
    }
    for (const folder of touched) relist(join(rootDir, folder));
  };
  return {
    holds: (path, hash) => holdsIn(...split(path), hash),
    stage,
    commit,
    async write(files) {
      stage(files);
      await commit();
    },
  };
}

/**
 * Indexes this process read or wrote, with their file's size and modification time: a process
 * that compiles again and again (the compile server) parses an index once, and again only
 * when another process rewrote it. Kept indexes are never changed, only replaced.
 */
const recentIndexes = new Map<string, { index: ReadonlyMap<string, string>; stamp: string }>();

function readIndex(path: string): ReadonlyMap<string, string> {
  // stamped before it is read: a rewrite meanwhile shows as another stamp next time
  const stamp = stampOf(path);
  const kept = recentIndexes.get(path);
  if (kept && kept.stamp === stamp) return kept.index;
  try {
    // names only: the single index of older versions (target/compiled/.written.json) was keyed by paths, which no folder holds
    const index = new Map(Object.entries(JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>).filter(([name]) => !name.includes('/')));
    recentIndexes.set(path, { index, stamp });
    return index;
  } catch {
    return new Map();
  }
}

function remember(path: string, index: ReadonlyMap<string, string>): void {
  recentIndexes.set(path, { index, stamp: stampOf(path) });
}

function stampOf(path: string): string {
  try {
    const info = statSync(path, { throwIfNoEntry: false });
    return info ? `${info.size}:${info.mtimeMs}` : 'missing';
  } catch {
    // not a folder where one belongs: writing the files there reports it
    return 'missing';
  }
}

/**
 * Which files a folder holds, listed again only when the folder's modification time moved (a
 * file added, removed or renamed moves it): one stat per folder instead of one listing, for
 * a process that compiles again and again.
 */
const listings = new Map<string, { mtimeMs: number; names: Set<string> }>();

function listingOf(folder: string): Set<string> | undefined {
  const info = statSync(folder, { throwIfNoEntry: false });
  if (!info) {
    listings.delete(folder);
    return undefined;
  }
  const kept = listings.get(folder);
  if (kept && kept.mtimeMs === info.mtimeMs) return kept.names;
  return relist(folder);
}

function relist(folder: string): Set<string> | undefined {
  try {
    const mtimeMs = statSync(folder).mtimeMs;
    const names = new Set(readdirSync(folder));
    listings.set(folder, { mtimeMs, names });
    return names;
  } catch {
    listings.delete(folder);
    return undefined;
  }
}

async function writeAll(rootDir: string, files: ReadonlyArray<readonly [string, string]>): Promise<void> {
  await (await openCompiledFiles(rootDir)).write(files);
}

/**
 * `target/manifest.json`, from the manifest, its text, or its text in pieces (see
 * manifestPiecesOf). Pieces are written as they are, and what a piece encodes to is kept for the
 * next write: a compile server writing the manifest after one edit encodes the changed
 * package's block, not all 7 MB of it (joining and encoding took a fifth of a warm compile).
 */
export async function writeManifest(rootDir: string, manifest: Manifest | string | readonly string[]): Promise<void> {
  const path = join(rootDir, 'target', 'manifest.json');
  // a string is not an array; Array.isArray does not narrow a readonly array, hence the casts
  if (!Array.isArray(manifest)) return write(path, typeof manifest === 'string' ? manifest : manifestText(manifest as Manifest));
  const encoded = new Map<string, Buffer>();
  const buffers = (manifest as readonly string[]).map((piece) => {
    let buffer = encoded.get(piece) ?? encodedPieces.get(piece);
    if (!buffer) buffer = Buffer.from(piece);
    // only pieces large enough to be worth keeping (a package's block, the childMap)
    if (piece.length >= KEPT_PIECE_FROM) encoded.set(piece, buffer);
    return buffer;
  });
  encodedPieces = encoded;
  await write(path, buffers);
}

/** The pieces of the last manifest this process wrote, encoded (a Map looks a string up by its hash, which V8 keeps on it). */
let encodedPieces = new Map<string, Buffer>();
const KEPT_PIECE_FROM = 1024;

/**
 * `target/compiled/<package>/<model>.sql`: each planned model's SELECT, as it runs; for
 * incremental models and snapshots also `<model>.incremental.sql`, the SELECT of a run that
 * adds to the existing table.
 */
export async function writeCompiledSql(rootDir: string, plan: ExecutionPlan): Promise<void> {
  await writeAll(rootDir, [
    ...plan.nodes.flatMap((node) => compiledModelFiles(node, { sql: node.sql, ...(node.incrementalSql === undefined ? {} : { incremental: { sql: node.incrementalSql } }) })),
    ...plan.tests.flatMap((test) => [
      [test.compiledPath, `${test.sql}\n`] as const,
      ...(test.changedRowsSql === undefined ? [] : [[changedRowsPathOf(test.compiledPath), `${test.changedRowsSql}\n`] as const]),
    ]),
  ]);
}

/** `target/run_results.json` */
export function writeRunResults(rootDir: string, result: RunResult, extra: Record<string, unknown> = {}): Promise<void> {
  return write(join(rootDir, 'target', 'run_results.json'), json({ ...extra, ...result }));
}
