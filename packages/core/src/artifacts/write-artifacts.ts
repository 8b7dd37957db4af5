import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { incrementalPathOf, type ExecutionPlan } from '../execute/plan.js';
import type { RunResult } from '../execute/run-result.js';
import type { Manifest } from './manifest.js';

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

async function write(path: string, content: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, content);
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
  await Promise.all(
    plan.nodes.flatMap((node) => [
      write(join(rootDir, node.compiledPath), `${node.sql}\n`),
      ...(node.incrementalSql === undefined ? [] : [write(join(rootDir, incrementalPathOf(node.compiledPath)), `${node.incrementalSql}\n`)]),
    ]),
  );
  await Promise.all(plan.tests.map((test) => write(join(rootDir, test.compiledPath), `${test.sql}\n`)));
}

/** `target/run_results.json` */
export function writeRunResults(rootDir: string, result: RunResult, extra: Record<string, unknown> = {}): Promise<void> {
  return write(join(rootDir, 'target', 'run_results.json'), json({ ...extra, ...result }));
}
