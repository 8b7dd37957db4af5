import { relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { collectDefinitions, ErrorCode, WarehouseError, type WarehousePackage } from '@warehouse/core';
import { bundlePackages } from './bundle-packages.js';
import { discoverPackages, type PackageManifest } from './discover-packages.js';

/**
 * Imports every warehouse package of the workspace and collects its models and sources. A
 * package that fails to import (a model file that throws, say) is reported with the file and
 * line where it failed; all failures are reported together.
 */
export async function loadProject(rootDir: string): Promise<WarehousePackage[]> {
  const manifests = discoverPackages(rootDir);
  const names = new Set(manifests.map((m) => m.name));
  const failures: string[] = [];
  const packages: WarehousePackage[] = [];
  let bundles: Map<string, string>;
  try {
    bundles = await bundlePackages(rootDir, manifests);
  } catch (error) {
    // a syntax error in a model file: esbuild names the file and line
    throw new WarehouseError(ErrorCode.packageLoadFailed, `a package does not compile: ${describeBundleError(rootDir, error)}`, { cause: error });
  }
  for (const manifest of manifests) {
    try {
      const exports = (await import(pathToFileURL(bundles.get(manifest.name)!).href)) as Record<string, unknown>;
      const { models, sources, kpis } = collectDefinitions(exports);
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
    } catch (error) {
      failures.push(describeLoadFailure(rootDir, manifest, error));
    }
  }
  if (failures.length > 0) {
    throw new WarehouseError(ErrorCode.packageLoadFailed, failures.join('\n'));
  }
  return packages;
}

function describeLoadFailure(rootDir: string, manifest: PackageManifest, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const stack = error instanceof Error ? (error.stack ?? '') : '';
  // the first stack frame inside the package names the file that threw
  const folder = `${rootDir}/${manifest.path}/`;
  const frame = stack
    .split('\n')
    .map((line) => /\(?(?:file:\/\/)?(\/[^():]+):(\d+):\d+\)?$/.exec(line.trim()))
    .find((match) => match && match[1]!.startsWith(folder));
  const where = frame ? ` (${relative(rootDir, frame[1]!)}:${frame[2]})` : '';
  return `package ${manifest.name} failed to load${where}: ${message}`;
}

function describeBundleError(rootDir: string, error: unknown): string {
  const errors = (error as { errors?: Array<{ text: string; location?: { file: string; line: number; column: number } | null }> }).errors;
  if (!errors?.length) return error instanceof Error ? error.message : String(error);
  return errors
    .map((e) => (e.location ? `${relative(rootDir, e.location.file) || e.location.file}:${e.location.line}:${e.location.column}: ${e.text}` : e.text))
    .join('; ');
}
