import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ErrorCode, isPersistable, restoreDefinitions, WarehouseError, type DefinitionRecords, type WarehousePackage } from '@warehouse/core';
import { bundlePackages, type PackageBundle } from './bundle-packages.js';
import { coreModuleKey } from './core-module.js';
import { discoverPackages, type PackageManifest } from './discover-packages.js';
import { evaluatePackage } from './evaluate-package.js';
import { EvaluationError, FreshProcessNeeded, type EvaluationThread } from './evaluation-thread.js';
import type { IncrementalBundler } from './incremental-bundler.js';
import { hasRecords, readRecords, recordKey, recordKeyBase, writeRecords } from './package-records.js';

/** How a load went: which packages were bundled and evaluated again, how many came from the cache. */
export interface LoadSummary {
  packages: number;
  /** Packages imported and run (their definitions recorded), because they or what they import changed. */
  evaluated: string[];
  /** Packages whose recorded definitions were read from the compile cache. */
  restored: number;
  /** Packages bundled again, by how: types stripped, or esbuild for what the stripper leaves to it. */
  bundled: { stripped: string[]; esbuild: string[] };
  /** Milliseconds in all, and of them importing and recording the evaluated packages (bundling overlaps it). */
  ms: number;
  evaluateMs: number;
}

/** A warehouse package of the workspace, its definitions loaded on demand. */
export interface ProjectPackage {
  /** The package's name, version, domain, warehouse dependencies and folder. */
  meta: Omit<WarehousePackage, 'models' | 'sources' | 'kpis'>;
  /** The key its recorded definitions are kept under (with a bundled runner; undefined from sources). */
  recordsKey?: string;
  /** Its models, sources and KPIs, restored from their records on the first call. */
  load(): WarehousePackage;
}

/**
 * Every warehouse package of the workspace, with its models, sources and KPIs.
 *
 * A package is bundled (see bundle-packages.ts), imported, and its definitions recorded as data
 * (SQL bodies as templates, see `recordDefinitions`); the records are kept in
 * `target/cache/packages/` under a key of everything they depend on (see package-records.ts),
 * so the next compile restores an unchanged package without importing or running it. Either
 * way the graph is assembled from restored definitions, so a cached and a fresh compile take
 * the same path. A package that fails to import (a model file that throws, say) is reported
 * with the file and line where it failed; all failures are reported together.
 */
export async function loadProject(rootDir: string, report?: (summary: LoadSummary) => void): Promise<WarehousePackage[]> {
  return (await openPackages(rootDir, report)).map((p) => p.load());
}

/**
 * Like {@link loadProject}, but the definitions of an unchanged package are read from the
 * compile cache only when asked for: a compile that reuses a package's last compiled part
 * never reads them.
 */
export async function openPackages(rootDir: string, report?: (summary: LoadSummary) => void, options: { thread?: EvaluationThread; bundler?: IncrementalBundler } = {}): Promise<ProjectPackage[]> {
  const manifests = discoverPackages(rootDir);
  const names = new Set(manifests.map((m) => m.name));
  const coreKey = coreModuleKey();
  // bundles linked to different core modules must not overwrite each other
  const cacheDir = join(rootDir, 'target', 'cache', 'packages', coreKey ? `bundled-${coreKey}` : 'source');
  const started = performance.now();
  const bundles = bundlePackages(rootDir, manifests, cacheDir, options.bundler);
  // from sources, core changes with every edit: records are kept only by a bundled runner
  const keyBase = coreKey ? recordKeyBase(rootDir, coreKey) : undefined;
  const bundleOfFile = new Map<string, PackageBundle>();
  const restore = (meta: ProjectPackage['meta'], records: DefinitionRecords): WarehousePackage => ({
    ...meta,
    ...restoreDefinitions(records, { definedAt: absoluteIn(rootDir) }),
  });

  let evaluateMs = 0;
  const failures: string[] = [];
  const reported = new Set<unknown>();
  const packages: ProjectPackage[] = [];
  const evaluated: string[] = [];
  const uncompiled = new Set<string>();
  const bundled: LoadSummary['bundled'] = { stripped: [], esbuild: [] };
  for (const manifest of manifests) {
    // a package is taken up as soon as it and what it imports are bundled, while esbuild works on the rest
    let closure: Map<string, PackageBundle>;
    try {
      closure = await bundledClosure(manifest.name, bundles);
    } catch (error) {
      // a syntax error in a model file: esbuild names the file and line (reported once, not for every importer)
      if (!reported.has(error)) failures.push(`a package does not compile: ${describeBundleError(rootDir, error)}`);
      reported.add(error);
      continue;
    }
    for (const bundle of closure.values()) bundleOfFile.set(bundle.file, bundle);
    const bundle = closure.get(manifest.name)!;
    if (bundle.bundledBy) bundled[bundle.bundledBy].push(manifest.name);
    const recordsFile = `${bundle.file}.records.json`;
    const key = keyBase === undefined ? undefined : recordKey(keyBase, closure);
    const meta: ProjectPackage['meta'] = {
      name: manifest.name,
      version: manifest.version,
      ...(manifest.domain ? { domain: manifest.domain } : {}),
      // only warehouse packages matter for refs; core and npm libraries are not part of the graph
      dependencies: manifest.dependencies.filter((d) => names.has(d)),
      path: manifest.path,
    };
    if (key && hasRecords(recordsFile, key)) {
      let loaded: WarehousePackage | undefined;
      packages.push({
        meta,
        recordsKey: key,
        load: () => {
          const records = readRecords(recordsFile, key);
          // read moments ago; only another process rewriting the cache could make it unreadable
          if (!records) throw new WarehouseError(ErrorCode.packageLoadFailed, `the compile cache of ${manifest.name} changed while it was read (${relative(rootDir, recordsFile)}); run the command again`);
          return (loaded ??= restore(meta, records));
        },
      });
      continue;
    }
    const evaluating = performance.now();
    let records: DefinitionRecords;
    try {
      records = options.thread ? await evaluateOnThread(options.thread, rootDir, bundle, closure) : await evaluatePackage(rootDir, bundle, bundleOfFile);
    } catch (error) {
      if (error instanceof FreshProcessNeeded) throw error;
      // a bundle of stripped types that does not import may be a syntax error: esbuild names its file, line and column
      const compileError = await bundle.fullBundlerErrors();
      if (compileError !== undefined) {
        failures.push(`a package does not compile: ${describeBundleError(rootDir, compileError)}`);
        uncompiled.add(manifest.name);
      } else if (![...closure.keys()].some((name) => uncompiled.has(name))) {
        // (an importer of a package that does not compile fails with it: reported once, as esbuild's own errors are)
        failures.push(describeLoadFailure(rootDir, manifest, error, bundleOfFile));
      }
      continue;
    } finally {
      evaluateMs += performance.now() - evaluating;
    }
    evaluated.push(manifest.name);
    if (key && isPersistable(records)) writeRecords(recordsFile, key, records);
    const restored = restore(meta, records);
    packages.push({ meta, ...(key && isPersistable(records) ? { recordsKey: key } : {}), load: () => restored });
  }
  if (failures.length > 0) {
    throw new WarehouseError(ErrorCode.packageLoadFailed, failures.join('\n'));
  }
  report?.({ packages: packages.length, evaluated, restored: packages.length - evaluated.length, bundled, ms: Math.round(performance.now() - started), evaluateMs: Math.round(evaluateMs) });
  return packages;
}

/** A package's bundle and the bundles of every warehouse package it imports, directly or not, once all are ready. */
async function bundledClosure(name: string, bundles: ReadonlyMap<string, Promise<PackageBundle>>): Promise<Map<string, PackageBundle>> {
  const closure = new Map<string, PackageBundle>();
  const pending = [name];
  while (pending.length > 0) {
    const next = pending.pop()!;
    const bundle = await bundles.get(next);
    if (!bundle || closure.has(next)) continue;
    closure.set(next, bundle);
    pending.push(...bundle.imports.filter((i) => !closure.has(i)));
  }
  return closure;
}

/** `relative` -> absolute path under the project root (a plain join for the usual, normalized, inside case). */
function absoluteIn(rootDir: string): (recorded: string) => string {
  return (recorded) => (recorded.startsWith('..') || isAbsolute(recorded) ? resolve(rootDir, recorded) : `${rootDir}${sep}${recorded}`);
}

/** Evaluates a package on the thread; what it threw is thrown here, with its stack. */
async function evaluateOnThread(thread: EvaluationThread, rootDir: string, bundle: PackageBundle, closure: ReadonlyMap<string, PackageBundle>): Promise<DefinitionRecords> {
  const answer = await thread.evaluate({ rootDir, file: bundle.file, closure: [...closure.values()].map((b) => b.file) });
  if (answer.records) return answer.records;
  if (answer.error) throw new EvaluationError(answer.error.message, answer.error.stack);
  throw new FreshProcessNeeded(`a package's definitions hold values that are not data (${relative(rootDir, bundle.file)})`);
}

function describeLoadFailure(rootDir: string, manifest: PackageManifest, error: unknown, bundleOfFile: ReadonlyMap<string, PackageBundle>): string {
  const message = error instanceof Error ? error.message : String(error);
  const stack = error instanceof Error ? (error.stack ?? '') : '';
  // the first stack frame inside the package names the file that threw; frames in bundles are mapped to their sources
  const folder = `${join(rootDir, manifest.path)}/`;
  for (const line of stack.split('\n')) {
    const frame = /\(?(?:file:\/\/)?(\/[^():]+):(\d+):(\d+)\)?$/.exec(line.trim());
    if (!frame) continue;
    const original = bundleOfFile.get(frame[1]!)?.positions.original(Number(frame[2]), Number(frame[3])) ?? { file: frame[1]!, line: Number(frame[2]) };
    if (original.file.startsWith(folder)) return `package ${manifest.name} failed to load (${relative(rootDir, original.file)}:${original.line}): ${message}`;
  }
  return `package ${manifest.name} failed to load: ${message}`;
}

function describeBundleError(rootDir: string, error: unknown): string {
  const errors = (error as { errors?: Array<{ text: string; location?: { file: string; line: number; column: number } | null }> }).errors;
  if (!errors?.length) return error instanceof Error ? error.message : String(error);
  return errors
    .map((e) => (e.location ? `${relative(rootDir, resolve(rootDir, e.location.file)) || e.location.file}:${e.location.line}:${e.location.column}: ${e.text}` : e.text))
    .join('; ');
}
