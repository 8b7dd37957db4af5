import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
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

export async function openCompiledFiles(rootDir: string): Promise<CompiledFiles> {
  const indexPath = join(rootDir, 'target', 'compiled', '.written.json');
  let index: Record<string, string> = {};
  try {
    index = JSON.parse(await readFile(indexPath, 'utf8')) as Record<string, string>;
  } catch {
    index = {};
  }
  // which files exist, by listing their folders (one call per folder, not one per file)
  const listed = new Map<string, Set<string> | undefined>();
  const exists = (path: string) => {
    const folder = dirname(path);
    if (!listed.has(folder)) {
      let names: Set<string> | undefined;
      try {
        names = new Set(readdirSync(join(rootDir, folder)));
      } catch {
        names = undefined;
      }
      listed.set(folder, names);
    }
    return listed.get(folder)?.has(basename(path)) ?? false;
  };
  const holds = (path: string, hash: string) => index[path] === hash && exists(path);
  const next: Record<string, string> = { ...index };
  const folders = new Set<string>();
  const written: string[] = [];
  const stage = (files: ReadonlyArray<readonly [string, string]>) => {
    for (const [path, content] of files) {
      const hash = contentHash(content);
      next[path] = hash;
      if (holds(path, hash)) continue;
      const folder = dirname(join(rootDir, path));
      if (!folders.has(folder)) {
        mkdirSync(folder, { recursive: true });
        folders.add(folder);
      }
      // synchronous: for thousands of small files a promise per open, write and close costs
      // the main thread more than the write itself
      writeFileSync(join(rootDir, path), content);
      written.push(path);
    }
  };
  const commit = async () => {
    await write(indexPath, JSON.stringify(next));
    index = { ...next };
    for (const path of written.splice(0)) {
      const folder = dirname(path);
      if (listed.has(folder)) listed.set(folder, (listed.get(folder) ?? new Set()).add(basename(path)));
    }
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
