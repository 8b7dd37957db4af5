import { relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { collectDefinitions, recordDefinitions, siteOf, type DefinitionRecords, type DefinitionSite } from '@warehouse/core';
import type { BundlePositions } from './source-positions.js';

/** What evaluating a package needs of a bundle: its file, and how to map its positions to sources. */
export interface EvaluatedBundle {
  file: string;
  positions: BundlePositions;
}

/**
 * Imports a package's bundle and records the definitions it exports, each located at its
 * source file and line. `bundleOfFile` holds the bundles of the package and of the warehouse
 * packages it imports: a definition another of them declared and this one re-exports is that
 * package's, and left to it.
 */
export async function evaluatePackage(rootDir: string, bundle: EvaluatedBundle, bundleOfFile: ReadonlyMap<string, EvaluatedBundle>): Promise<DefinitionRecords> {
  const exports = await importEagerly(pathToFileURL(bundle.file).href);
  const declaredElsewhere = (definition: unknown) => {
    const file = generatedFile(siteOf(definition));
    return file !== undefined && file !== bundle.file && bundleOfFile.has(file);
  };
  const relativePaths = new Map<string, string>();
  const { models, sources, kpis } = collectDefinitions(exports);
  return recordDefinitions(
    { models: models.filter((d) => !declaredElsewhere(d)), sources: sources.filter((d) => !declaredElsewhere(d)), kpis: kpis.filter((d) => !declaredElsewhere(d)) },
    { locate: (site) => locateSite(rootDir, site, bundleOfFile, relativePaths) },
  );
}

/** Paths of the file URLs stack frames name: a package's thousands of definitions share one bundle URL. */
const pathsOfUrls = new Map<string, string>();

const generatedFile = (site: DefinitionSite | undefined): string | undefined => {
  const file = site?.generated?.file;
  if (file === undefined || !file.startsWith('file://')) return file;
  let path = pathsOfUrls.get(file);
  if (path === undefined) pathsOfUrls.set(file, (path = fileURLToPath(file)));
  return path;
};

/** A process started with --no-lazy compiles everything eagerly and keeps doing so. */
const EAGER_ALREADY = process.execArgv.includes('--no-lazy');

/**
 * Imports a bundle with V8 compiling its functions as it parses it, not on their first call:
 * every SQL body of a package is called once, right after the import, to record it, and
 * compiling 10,000 small functions one call at a time cost 0.6 s of a cold compile against
 * 0.2 s in one pass. The flag only decides when code is compiled, never what it does.
 */
async function importEagerly(url: string): Promise<Record<string, unknown>> {
  if (EAGER_ALREADY) return (await import(url)) as Record<string, unknown>;
  setFlagsFromString('--no-lazy');
  try {
    return (await import(url)) as Record<string, unknown>;
  } finally {
    setFlagsFromString('--lazy');
  }
}

/** `path:line` of a declaration relative to the project root, mapped from its bundle to the source. */
function locateSite(rootDir: string, site: DefinitionSite | undefined, bundleOfFile: ReadonlyMap<string, EvaluatedBundle>, relativePaths: Map<string, string>): string | undefined {
  const file = generatedFile(site);
  const bundle = file === undefined ? undefined : bundleOfFile.get(file);
  const original = bundle && site?.generated ? bundle.positions.original(site.generated.line, site.generated.column) : undefined;
  if (original) {
    let path = relativePaths.get(original.file);
    if (path === undefined) {
      path = original.file.startsWith(`${rootDir}${sep}`) ? original.file.slice(rootDir.length + 1) : relative(rootDir, original.file);
      relativePaths.set(original.file, path);
    }
    return `${path}:${original.line}`;
  }
  const location = site?.location();
  return location === undefined ? undefined : relative(rootDir, location);
}
