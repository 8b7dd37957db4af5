import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { changedRowsPathOf, incrementalPathOf, type ExecutionPlan } from '../execute/plan.js';
import type { RunResult } from '../execute/run-result.js';
import type { Manifest } from './manifest.js';

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

async function write(path: string, content: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, content);
}

/**
 * Writes many files, skipping those whose content has not changed since the last write (by a
 * hash index kept beside them): a warm compile of a large project rewrites a handful of files.
 */
async function writeAll(rootDir: string, files: ReadonlyArray<readonly [string, string]>): Promise<void> {
  const indexPath = join(rootDir, 'target', 'compiled', '.written.json');
  let index: Record<string, string> = {};
  try {
    index = JSON.parse(await readFile(indexPath, 'utf8')) as Record<string, string>;
  } catch {
    index = {};
  }
  const next: Record<string, string> = { ...index };
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
  const pending = files.filter(([path, content]) => {
    const hash = createHash('sha1').update(content).digest('base64');
    next[path] = hash;
    return index[path] !== hash || !exists(path);
  });
  const folders = new Set(pending.map(([path]) => dirname(join(rootDir, path))));
  await Promise.all([...folders].map((folder) => mkdir(folder, { recursive: true })));
  for (let i = 0; i < pending.length; i += 256) {
    await Promise.all(pending.slice(i, i + 256).map(([path, content]) => writeFile(join(rootDir, path), content)));
  }
  await write(indexPath, JSON.stringify(next));
}

/** `target/manifest.json` */
export function writeManifest(rootDir: string, manifest: Manifest): Promise<void> {
  return write(join(rootDir, 'target', 'manifest.json'), json(manifest));
}

/**
 * `target/compiled/<package>/<model>.sql`: each planned model's SELECT, as it runs; for
 * incremental models and snapshots also `<model>.incremental.sql`, the SELECT of a run that
 * adds to the existing table.
 */
export async function writeCompiledSql(rootDir: string, plan: ExecutionPlan): Promise<void> {
  await writeAll(rootDir, [
    ...plan.nodes.flatMap((node) => [
      [node.compiledPath, `${node.sql}\n`] as const,
      ...(node.incrementalSql === undefined ? [] : [[incrementalPathOf(node.compiledPath), `${node.incrementalSql}\n`] as const]),
    ]),
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
