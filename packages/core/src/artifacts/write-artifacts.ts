import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { startFileWriterThread, type FileWriterThread } from './file-writer-thread.js';
import { changedRowsPathOf, compiledModelFiles, type ExecutionPlan } from '../execute/plan.js';
import type { RunResult } from '../execute/run-result.js';
import { manifestText, type Manifest } from './manifest.js';

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

async function write(path: string, content: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, content);
}

/** The hash the written-files index keeps of a file's content. */
export const contentHash = (content: string): string => createHash('sha1').update(content).digest('base64');

/**
 * What `target/compiled/` holds, by a hash index kept beside the files, so a compile rewrites
 * only the files whose content changed: a warm compile of a large project writes a handful.
 */
export interface CompiledFiles {
  /** Whether the file exists and holds content of this hash (as far as the index knows). */
  holds(path: string, hash: string): boolean;
  /** Writes the files whose content differs from what is there (as they come, e.g. package by package). */
  stage(files: ReadonlyArray<readonly [string, string]>): void;
  /** Records what was staged in the index. */
  commit(): Promise<void>;
  /** Both: writes the files whose content differs, and records them. */
  write(files: ReadonlyArray<readonly [string, string]>): Promise<void>;
}

/** From this many files to write, they are written on a thread of their own (starting one costs a few milliseconds). */
const WRITER_THREAD_FROM = 200;

export async function openCompiledFiles(rootDir: string): Promise<CompiledFiles> {
  const indexPath = join(rootDir, 'target', 'compiled', '.written.json');
  // read-only: shared with the next compile of this process
  let index = await readIndex(indexPath);
  const listed = new Map<string, Set<string> | undefined>();
  const exists = (path: string) => {
    // paths in the index are relative, with '/' (dirname and basename cost more, 10,000 times)
    const slash = path.lastIndexOf('/');
    const folder = slash < 0 ? '.' : path.slice(0, slash);
    let names = listed.get(folder);
    if (names === undefined && !listed.has(folder)) listed.set(folder, (names = listingOf(join(rootDir, folder))));
    return names?.has(path.slice(slash + 1)) ?? false;
  };
  const holds = (path: string, hash: string) => index.get(path) === hash && exists(path);
  const staged = new Map<string, string>();
  const folders = new Set<string>();
  const written: string[] = [];
  let thread: FileWriterThread | undefined;
  const stage = (files: ReadonlyArray<readonly [string, string]>) => {
    const changed: Array<readonly [string, string]> = [];
    for (const [path, content] of files) {
      const hash = contentHash(content);
      if (index.get(path) !== hash) staged.set(path, hash);
      if (holds(path, hash)) continue;
      changed.push([join(rootDir, path), content]);
      written.push(path);
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
    if (staged.size > 0 || written.length > 0) {
      const next = new Map(index);
      for (const [path, hash] of staged) next.set(path, hash);
      staged.clear();
      await write(indexPath, JSON.stringify(Object.fromEntries(next)));
      index = next;
      remember(indexPath, index);
    }
    const touched = new Set<string>();
    for (const path of written.splice(0)) {
      const slash = path.lastIndexOf('/');
      const folder = slash < 0 ? '.' : path.slice(0, slash);
      touched.add(folder);
      if (listed.has(folder)) listed.set(folder, (listed.get(folder) ?? new Set()).add(path.slice(slash + 1)));
    }
    for (const folder of touched) relist(join(rootDir, folder));
  };
  return {
    holds,
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
 * that compiles again and again (the compile server) parses its index once, and again only
 * when another process rewrote it. Kept indexes are never changed, only replaced.
 */
const recentIndexes = new Map<string, { index: ReadonlyMap<string, string>; stamp: string }>();

async function readIndex(path: string): Promise<ReadonlyMap<string, string>> {
  // stamped before it is read: a rewrite meanwhile shows as another stamp next time
  const stamp = await stampOf(path);
  const kept = recentIndexes.get(path);
  if (kept && kept.stamp === stamp) return kept.index;
  try {
    const index = new Map(Object.entries(JSON.parse(await readFile(path, 'utf8')) as Record<string, string>));
    recentIndexes.set(path, { index, stamp });
    return index;
  } catch {
    return new Map();
  }
}

function remember(path: string, index: ReadonlyMap<string, string>): void {
  void stampOf(path).then((stamp) => recentIndexes.set(path, { index, stamp }));
}

async function stampOf(path: string): Promise<string> {
  const info = await stat(path).catch(() => undefined);
  return info ? `${info.size}:${info.mtimeMs}` : 'missing';
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

/** `target/manifest.json` */
export function writeManifest(rootDir: string, manifest: Manifest | string): Promise<void> {
  return write(join(rootDir, 'target', 'manifest.json'), typeof manifest === 'string' ? manifest : manifestText(manifest));
}

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
