import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  collectDefinitions,
  ErrorCode,
  isPersistable,
  recordDefinitions,
  restoreDefinitions,
  siteOf,
  WarehouseError,
  type DefinitionRecords,
  type DefinitionSite,
  type WarehousePackage,
} from '@warehouse/core';
import { bundlePackages, type PackageBundle } from './bundle-packages.js';
import { coreModuleKey } from './core-module.js';
import { discoverPackages, type PackageManifest } from './discover-packages.js';
import { readRecords, recordKeys, writeRecords } from './package-records.js';

/** How a load went: which packages were bundled and evaluated again, how many came from the cache. */
export interface LoadSummary {
  packages: number;
  /** Packages imported and run (their definitions recorded), because they or what they import changed. */
  evaluated: string[];
  /** Packages whose recorded definitions were read from the compile cache. */
  restored: number;
  /** Milliseconds spent bundling, and importing and recording the evaluated packages. */
  bundleMs: number;
  evaluateMs: number;
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
  const manifests = discoverPackages(rootDir);
  const names = new Set(manifests.map((m) => m.name));
  const coreKey = coreModuleKey();
  // bundles linked to different core modules must not overwrite each other
  const cacheDir = join(rootDir, 'target', 'cache', 'packages', coreKey ? `bundled-${coreKey}` : 'source');
  const started = performance.now();
  let bundles: Map<string, PackageBundle>;
  try {
    bundles = await bundlePackages(rootDir, manifests, cacheDir);
  } catch (error) {
    // a syntax error in a model file: esbuild names the file and line
    throw new WarehouseError(ErrorCode.packageLoadFailed, `a package does not compile: ${describeBundleError(rootDir, error)}`, { cause: error });
  }
  // from sources, core changes with every edit: records are kept only by a bundled runner
  const keys = coreKey ? recordKeys(rootDir, bundles, coreKey) : undefined;
  const bundleOfFile = new Map([...bundles.values()].map((b) => [b.file, b]));
  const locate = (site: DefinitionSite | undefined) => locateSite(rootDir, site, bundleOfFile);

  const bundled = performance.now();
  let evaluateMs = 0;
  const failures: string[] = [];
  const packages: WarehousePackage[] = [];
  const evaluated: string[] = [];
  for (const manifest of manifests) {
    const bundle = bundles.get(manifest.name)!;
    const recordsFile = `${bundle.file}.records.json`;
    const key = keys?.get(manifest.name);
    let records: DefinitionRecords | undefined = key ? readRecords(recordsFile, key) : undefined;
    if (!records) {
      const evaluating = performance.now();
      try {
        records = await evaluatePackage(bundle, bundleOfFile, locate);
      } catch (error) {
        failures.push(describeLoadFailure(rootDir, manifest, error, bundleOfFile));
        continue;
      } finally {
        evaluateMs += performance.now() - evaluating;
      }
      evaluated.push(manifest.name);
      if (key && isPersistable(records)) writeRecords(recordsFile, key, records);
    }
    const { models, sources, kpis } = restoreDefinitions(records, { definedAt: (recorded) => resolve(rootDir, recorded) });
    packages.push({
      name: manifest.name,
      version: manifest.version,
      ...(manifest.domain ? { domain: manifest.domain } : {}),
      // only warehouse packages matter for refs; core and npm libraries are not part of the graph
      dependencies: manifest.dependencies.filter((d) => names.has(d)),
      path: manifest.path,
      models,
      sources,
      kpis,
    });
  }
  if (failures.length > 0) {
    throw new WarehouseError(ErrorCode.packageLoadFailed, failures.join('\n'));
  }
  report?.({ packages: packages.length, evaluated, restored: packages.length - evaluated.length, bundleMs: Math.round(bundled - started), evaluateMs: Math.round(evaluateMs) });
  return packages;
}

/**
 * Imports a package's bundle and records the definitions it exports. A definition another
 * warehouse package declared and this one re-exports is that package's, and left to it.
 */
async function evaluatePackage(
  bundle: PackageBundle,
  bundleOfFile: ReadonlyMap<string, PackageBundle>,
  locate: (site: DefinitionSite | undefined) => string | undefined,
): Promise<DefinitionRecords> {
  const exports = (await import(pathToFileURL(bundle.file).href)) as Record<string, unknown>;
  const declaredElsewhere = (definition: unknown) => {
    const file = generatedFile(siteOf(definition));
    return file !== undefined && file !== bundle.file && bundleOfFile.has(file);
  };
  const { models, sources, kpis } = collectDefinitions(exports);
  return recordDefinitions(
    { models: models.filter((d) => !declaredElsewhere(d)), sources: sources.filter((d) => !declaredElsewhere(d)), kpis: kpis.filter((d) => !declaredElsewhere(d)) },
    { locate },
  );
}

const generatedFile = (site: DefinitionSite | undefined): string | undefined => {
  const file = site?.generated?.file;
  return file === undefined ? undefined : file.startsWith('file://') ? fileURLToPath(file) : file;
};

/** `path:line` of a declaration relative to the project root, mapped from its bundle to the source. */
function locateSite(rootDir: string, site: DefinitionSite | undefined, bundleOfFile: ReadonlyMap<string, PackageBundle>): string | undefined {
  const file = generatedFile(site);
  const bundle = file === undefined ? undefined : bundleOfFile.get(file);
  const original = bundle && site?.generated ? bundle.positions.original(site.generated.line, site.generated.column) : undefined;
  if (original) return `${relative(rootDir, original.file)}:${original.line}`;
  const location = site?.location();
  return location === undefined ? undefined : relative(rootDir, location);
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
