import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { coreModuleLink } from './core-module.js';
import type { PackageManifest } from './discover-packages.js';
import { esbuild, projectBuildOptions } from './esbuild-service.js';
import { fingerprintOf, readJsonFile, writeAtomically } from './file-stamps.js';
import type { IncrementalBundler } from './incremental-bundler.js';
import { BundlePositions } from './source-positions.js';
import { stripAndWrite, StripTypesThread, type StripAnswer } from './strip-types-thread.js';

/** A warehouse package compiled into one ES module. */
export interface PackageBundle {
  /** The bundle's path; its source map is beside it (`.map`). */
  file: string;
  /** A hash of every file the bundle was built from (path, size, modification time). */
  fingerprint: string;
  /** The warehouse packages the bundle imports. */
  imports: string[];
  /** Maps positions in the bundle to the package's sources. */
  positions: BundlePositions;
  /**
   * esbuild's errors for the package (a syntax error, named by file, line and column), or
   * undefined when esbuild compiles it. Asked only once importing the bundle failed: the type
   * stripper assumes its input parses, so a syntax error shows only when its bundle is imported.
   */
  fullBundlerErrors: () => Promise<unknown>;
  /** How it was bundled in this process, when it was: types stripped, or esbuild (see strip-types-bundle.ts). */
  bundledBy?: 'strip-types' | 'esbuild';
}

/** What a bundle was built from, kept beside it. */
interface BundleStamp {
  fingerprint: string;
  /** Files esbuild read, relative to the project root, and the package's own config files. */
  inputs: string[];
  imports: string[];
}

/** `WAREHOUSE_BUNDLER=esbuild` bundles every package with esbuild (to compare, or to rule the type stripper out). */
const FULL_BUNDLER_ONLY = process.env.WAREHOUSE_BUNDLER === 'esbuild';

/**
 * From how many stale packages they are bundled by stripping types (see strip-types-bundle.ts).
 * Below it esbuild does, as for the one package an edit makes stale: its service starts in a
 * process of its own in about 50 ms, while loading Sucrase and the thread costs this process
 * about 100 ms before the first package is stripped.
 */
const STRIP_FROM_PACKAGES = 8;

/** How many packages esbuild bundles at once: enough to keep its cores busy, few enough that the first finish early. */
const BUILD_CONCURRENCY = 4;

/**
 * Compiles each warehouse package into one bundle, again only when a file it was built from
 * changed. Importing thousands of model files one by one through a TypeScript loader costs
 * seconds; Node imports a hundred bundles in a fraction of one.
 *
 * Returns a promise per package, settled as its bundle is ready, so a caller can import the
 * first packages while esbuild is still working on the rest. Stale packages are bundled a few
 * at a time, in the order given.
 *
 * Imports of other warehouse packages point at their bundles' stable paths, so every package
 * exists once in the process; @warehouse/core points at the runner's own core module when the
 * runner runs bundled (see core-module.ts); npm libraries stay external. A `bundler` keeps
 * esbuild contexts between calls (the compile server). Whether a bundle is
 * current is told by the files esbuild read for it (from its metafile) plus the package's
 * package.json and tsconfig.json: a file that nothing imports cannot change the bundle.
 */
export function bundlePackages(rootDir: string, manifests: readonly PackageManifest[], cacheDir: string, bundler?: IncrementalBundler): Map<string, Promise<PackageBundle>> {
  mkdirSync(cacheDir, { recursive: true });
  const fileOf = new Map(manifests.map((m) => [m.name, join(cacheDir, `${m.name.replace(/^@/, '').replace(/\//g, '__')}.mjs`)]));
  const packageOfFile = new Map([...fileOf].map(([name, file]) => [file, name]));
  const bundles = new Map<string, Promise<PackageBundle>>();
  // other warehouse packages stay imports of their bundles (aliases, not a plugin: see coreModuleLink)
  const core = coreModuleLink();
  const alias = { ...Object.fromEntries(fileOf), ...core.alias };
  const external = [...fileOf.values(), ...core.external];
  const slot = semaphore(BUILD_CONCURRENCY);
  const importedPackages = (paths: readonly string[]) => [...new Set(paths.map((p) => packageOfFile.get(p)).filter((n): n is string => n !== undefined))].sort();
  const bundleWithEsbuild = async (manifest: PackageManifest, file: string): Promise<{ outputs: Array<{ path: string; contents: string | Uint8Array }>; inputs: string[]; imports: string[] }> => {
    const { build } = await esbuild();
    const options = { ...projectBuildOptions(rootDir, manifest.entry, file), alias, external, sourcemap: 'linked' as const, sourcesContent: false };
    const result = await slot(() => (bundler ? bundler.build(manifest.name, options) : build(options)));
    const output = Object.values(result.metafile.outputs).find((o) => o.entryPoint !== undefined);
    // the map before the bundle
    const outputs = [...result.outputFiles].sort((a, b) => b.path.length - a.path.length).map((o) => ({ path: o.path, contents: o.contents }));
    return { outputs, inputs: Object.keys(result.metafile.inputs), imports: importedPackages((output?.imports ?? []).filter((i) => i.external).map((i) => i.path)) };
  };
  const fullBundlerErrors = (manifest: PackageManifest, file: string) => () => bundleWithEsbuild(manifest, file).then(() => undefined, (error: unknown) => error);
  const stale: PackageManifest[] = [];
  for (const manifest of manifests) {
    const file = fileOf.get(manifest.name)!;
    const stamp = readJsonFile<BundleStamp>(`${file}.json`);
    if (stamp && existsSync(file) && fingerprintOf(rootDir, stamp.inputs, `${BUNDLER_VERSION}\0${manifest.entry}`) === stamp.fingerprint) {
      bundles.set(manifest.name, Promise.resolve({ file, fingerprint: stamp.fingerprint, imports: stamp.imports, positions: new BundlePositions(`${file}.map`), fullBundlerErrors: fullBundlerErrors(manifest, file) }));
    } else stale.push(manifest);
  }
  if (stale.length === 0) return bundles;

  // many stale packages (a cold compile) are stripped, on a thread of their own where there is one
  const strip = !FULL_BUNDLER_ONLY && stale.length >= STRIP_FROM_PACKAGES;
  const thread = strip && StripTypesThread.available() ? new StripTypesThread() : undefined;
  const bundleOne = async (manifest: PackageManifest): Promise<PackageBundle> => {
    const file = fileOf.get(manifest.name)!;
    const task = { rootDir, entry: manifest.entry, outfile: file, alias };
    const stripped: Partial<StripAnswer> = strip ? await (thread ? thread.strip(task) : stripAndWrite({ ...task, id: 0 })) : {};
    // what the type stripper leaves (see NeedsFullBundler), or fails at, esbuild bundles, and reports any error in
    const bundled = stripped.inputs ? { outputs: [], inputs: stripped.inputs, imports: importedPackages(stripped.externals ?? []) } : await bundleWithEsbuild(manifest, file);
    const inputs = [...bundled.inputs, ...configFilesOf(rootDir, manifest)].sort();
    const stamp: BundleStamp = { fingerprint: fingerprintOf(rootDir, inputs, `${BUNDLER_VERSION}\0${manifest.entry}`), inputs, imports: bundled.imports };
    // each file written under a name of this process's own, then renamed: a concurrent compile never reads half a file
    for (const out of bundled.outputs) writeAtomically(out.path, out.contents);
    writeAtomically(`${file}.json`, JSON.stringify(stamp));
    return { file, fingerprint: stamp.fingerprint, imports: bundled.imports, positions: new BundlePositions(`${file}.map`), fullBundlerErrors: fullBundlerErrors(manifest, file), bundledBy: stripped.inputs ? 'strip-types' : 'esbuild' };
  };
  for (const manifest of stale) {
    const bundle = bundleOne(manifest);
    // a caller that gives up at the first failure must not leave the others unhandled
    bundle.catch(() => undefined);
    bundles.set(manifest.name, bundle);
  }
  return bundles;
}

/** Runs at most `limit` tasks at a time, in the order they were asked for. */
function semaphore(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async (task) => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await task();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}

/** The package's own config files that change how esbuild compiles it. */
function configFilesOf(rootDir: string, manifest: PackageManifest): string[] {
  return ['package.json', 'tsconfig.json'].map((f) => relative(rootDir, join(rootDir, manifest.path, f))).filter((f) => existsSync(join(rootDir, f)));
}

/** The bundlers' versions, read without loading them (a cached compile never starts one). */
const BUNDLER_VERSION = ['esbuild', 'sucrase']
  .map((name) => {
    try {
      const require = createRequire(import.meta.url);
      return `${name}@${(JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version}`;
    } catch {
      return `${name}@unknown`;
    }
  })
  .join(' ');
