import { existsSync, mkdirSync, readdirSync, readFileSync, type Dirent } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { coreModuleLink } from './core-module.js';
import type { PackageManifest } from './discover-packages.js';
import { esbuild, projectBuildOptions } from './esbuild-service.js';
import { buildStamp, fingerprintOf, fingerprintsWatched, readJsonFile, writeAtomically } from './file-stamps.js';
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
  bundledBy?: 'stripped' | 'esbuild';
}

/** What a bundle was built from, kept beside it. */
interface BundleStamp {
  fingerprint: string;
  /** Files esbuild read, relative to the project root, and the package's own config files. */
  inputs: string[];
  imports: string[];
}

/**
 * `WAREHOUSE_BUNDLER=esbuild` bundles every package with esbuild, `strip-types` strips the types
 * of every stale package it can (on the thread, from its first package); to compare, or to rule
 * one out. Unset, the choice is made as below.
 */
const BUNDLER = process.env.WAREHOUSE_BUNDLER === 'esbuild' || process.env.WAREHOUSE_BUNDLER === 'strip-types' ? process.env.WAREHOUSE_BUNDLER : undefined;

/**
 * From how many files in stale packages they are bundled by stripping types (see
 * strip-types-bundle.ts). Starting the thread and warming the stripper up costs about 0.3
 * CPU-seconds, and esbuild about 0.25 ms more per file; measured here, a cold compile of 1,000
 * one-model files was 0.15 s faster with esbuild alone and one of 10,000 0.4 to 1 s slower.
 * Below it esbuild bundles, as it does the one package an edit makes stale.
 */
const STRIP_FROM_FILES = 2500;

/** How many packages esbuild bundles at once while the type-stripping thread starts. */
const ESBUILD_UNTIL_READY = 2;

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
  // roughly how many files the stale packages hold: by what their last bundles read, else by listing
  let staleFiles = 0;
  for (const manifest of manifests) {
    const file = fileOf.get(manifest.name)!;
    const stamp = readJsonFile<BundleStamp>(`${file}.json`);
    if (stamp && existsSync(file) && fingerprintOf(rootDir, stamp.inputs, saltOf(manifest)) === stamp.fingerprint) {
      bundles.set(manifest.name, Promise.resolve({ file, fingerprint: stamp.fingerprint, imports: stamp.imports, positions: new BundlePositions(`${file}.map`), fullBundlerErrors: fullBundlerErrors(manifest, file) }));
    } else {
      stale.push(manifest);
      if (staleFiles < STRIP_FROM_FILES) staleFiles += stamp?.inputs.length ?? sourceFilesUnder(join(rootDir, manifest.path), STRIP_FROM_FILES - staleFiles);
    }
  }
  if (stale.length === 0) return bundles;

  // many stale files (a cold compile of a large project) are stripped, on a thread of their own where there is one
  const strip = BUNDLER === 'strip-types' || (BUNDLER === undefined && staleFiles >= STRIP_FROM_FILES);
  const thread = strip && StripTypesThread.available() ? new StripTypesThread() : undefined;
  const taskOf = (manifest: PackageManifest) => ({
    rootDir,
    entry: manifest.entry,
    outfile: fileOf.get(manifest.name)!,
    alias,
    // a compile server's fingerprints are taken where its watches are (see fingerprintOf)
    ...(fingerprintsWatched() ? {} : { stamp: { salt: saltOf(manifest), extraInputs: configFilesOf(rootDir, manifest) } }),
  });
  const bundleOne = async (manifest: PackageManifest, stripped: Partial<StripAnswer>): Promise<PackageBundle> => {
    const file = fileOf.get(manifest.name)!;
    // what the type stripper leaves (see NeedsFullBundler), or fails at, esbuild bundles, and reports any error in
    const bundled = stripped.inputs ? { outputs: [], inputs: stripped.inputs, imports: importedPackages(stripped.externals ?? []) } : await bundleWithEsbuild(manifest, file);
    // taken by the stripping thread, when it could (see StripTask.stamp)
    const { inputs, fingerprint } = (stripped.inputs ? stripped.stamp : undefined) ?? buildStamp(rootDir, bundled.inputs, configFilesOf(rootDir, manifest), saltOf(manifest));
    const stamp: BundleStamp = { fingerprint, inputs, imports: bundled.imports };
    // each file written under a name of this process's own, then renamed: a concurrent compile never reads half a file
    for (const out of bundled.outputs) writeAtomically(out.path, out.contents);
    writeAtomically(`${file}.json`, JSON.stringify(stamp));
    return { file, fingerprint: stamp.fingerprint, imports: bundled.imports, positions: new BundlePositions(`${file}.map`), fullBundlerErrors: fullBundlerErrors(manifest, file), bundledBy: stripped.inputs ? 'stripped' : 'esbuild' };
  };
  const settle = (manifest: PackageManifest, bundle: Promise<PackageBundle>) => {
    // a caller that gives up at the first failure must not leave the others unhandled
    bundle.catch(() => undefined);
    bundles.set(manifest.name, bundle);
  };
  if (!thread) {
    for (const manifest of stale) settle(manifest, strip ? stripAndWrite({ ...taskOf(manifest), id: 0 }).then((answer) => bundleOne(manifest, answer)) : bundleOne(manifest, {}));
    return bundles;
  }
  // Packages are taken in order by whichever bundler is free: esbuild, whose service starts in
  // a process of its own, takes the first ones until the thread has loaded the stripper (a
  // small project is bundled before it has), and then the thread takes the rest.
  const queue = [...stale];
  const waiting = new Map(stale.map((m) => [m.name, deferred<PackageBundle>()] as const));
  for (const manifest of stale) settle(manifest, waiting.get(manifest.name)!.promise);
  const takeWhile = async (more: () => boolean, bundle: (manifest: PackageManifest) => Promise<PackageBundle>) => {
    while (more() && queue.length > 0) {
      const manifest = queue.shift()!;
      const { resolve, reject } = waiting.get(manifest.name)!;
      await bundle(manifest).then(resolve, reject);
    }
  };
  for (let i = 0; i < (BUNDLER === 'strip-types' ? 0 : ESBUILD_UNTIL_READY); i++) void takeWhile(() => !thread.ready, (manifest) => bundleOne(manifest, {}));
  // Every package left goes to the thread at once, so that it strips them one after another
  // without waiting for this thread, busy importing the packages before, to take each answer
  // and ask for the next: asked one at a time, the thread idled a fifth of a cold compile.
  void thread.started
    .then(() =>
      Promise.all(
        queue.splice(0).map((manifest) => {
          const { resolve, reject } = waiting.get(manifest.name)!;
          return thread
            .strip(taskOf(manifest))
            .then((answer) => bundleOne(manifest, answer))
            .then(resolve, reject);
        }),
      ),
    )
    .finally(() => thread.close());
  return bundles;
}

/** How many source files a folder holds (node_modules and hidden folders aside), counted up to `enough`. */
function sourceFilesUnder(folder: string, enough: number): number {
  let count = 0;
  const folders = [folder];
  while (folders.length > 0 && count < enough) {
    const current = folders.pop()!;
    let entries: Dirent[];
    try {
      entries = readdirSync(current, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && !entry.name.startsWith('.')) folders.push(join(current, entry.name));
      } else if (/\.[mc]?[jt]sx?$/.test(entry.name)) count++;
    }
  }
  return count;
}

/** A promise and what settles it. */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
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

/** What a bundle's fingerprint is salted with: the bundlers' versions and the package's entry. */
const saltOf = (manifest: PackageManifest): string => `${BUNDLER_VERSION}\0${manifest.entry}`;

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
