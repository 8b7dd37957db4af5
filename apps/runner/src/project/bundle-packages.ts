import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build, version as esbuildVersion, type Plugin } from 'esbuild';
import { coreModulePath, coreModulePlugins } from './core-module.js';
import type { PackageManifest } from './discover-packages.js';

/**
 * Loads warehouse packages as one bundle each, cached by a fingerprint of the package's files.
 *
 * Importing thousands of model files one by one through a TypeScript loader costs seconds;
 * esbuild turns a package into one ES module in milliseconds, and Node imports a hundred of
 * them in a fraction of a second. A package is bundled again only when one of its files
 * changes (path, size or modification time), so a warm compile re-bundles one package.
 *
 * Imports of other warehouse packages point at their bundles' stable paths, so every package
 * exists once in the process; @warehouse/core points at the runner's own core module when the
 * runner runs bundled (see core-module.ts); npm libraries stay external.
 * Source maps keep stack traces (and so model file:line) pointing at the TypeScript sources.
 */
export async function bundlePackages(rootDir: string, manifests: readonly PackageManifest[]): Promise<Map<string, string>> {
  const core = coreModulePath();
  // bundles linked to different core modules must not overwrite each other
  const cacheDir = join(rootDir, 'target', 'cache', 'packages', core ? `bundled-${createHash('sha256').update(core).digest('hex').slice(0, 12)}` : 'source');
  mkdirSync(cacheDir, { recursive: true });
  const bundleOf = new Map(manifests.map((m) => [m.name, join(cacheDir, `${m.name.replace(/^@/, '').replace(/\//g, '__')}.mjs`)]));
  const plugin: Plugin = {
    name: 'warehouse-packages',
    setup(builder) {
      builder.onResolve({ filter: /^@[^/]+\/[^/]+$/ }, (args) => {
        const bundle = bundleOf.get(args.path);
        return bundle ? { path: bundle, external: true } : undefined;
      });
    },
  };
  await Promise.all(
    manifests.map(async (manifest) => {
      const bundle = bundleOf.get(manifest.name)!;
      const stamp = `${bundle}.fingerprint`;
      const fingerprint = fingerprintOf(rootDir, manifest);
      if (existsSync(bundle) && existsSync(stamp) && readFileSync(stamp, 'utf8') === fingerprint) return;
      await build({
        entryPoints: [manifest.entry],
        outfile: bundle,
        bundle: true,
        format: 'esm',
        platform: 'node',
        target: 'node20',
        packages: 'external',
        plugins: [...coreModulePlugins(), plugin],
        sourcemap: 'linked',
        logLevel: 'silent',
      });
      writeFileSync(stamp, fingerprint);
    }),
  );
  process.setSourceMapsEnabled(true);
  return bundleOf;
}

/** A hash of every file of the package (path, size, mtime) and the bundler's version. */
function fingerprintOf(rootDir: string, manifest: PackageManifest): string {
  const hash = createHash('sha256').update(esbuildVersion).update(manifest.entry);
  const folder = join(rootDir, manifest.path);
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(ts|mts|js|mjs|json)$/.test(entry.name)) {
        const stat = statSync(path);
        hash.update(`${relative(folder, path)}\0${stat.size}\0${stat.mtimeMs}\n`);
      }
    }
  };
  walk(folder);
  return hash.digest('hex');
}
