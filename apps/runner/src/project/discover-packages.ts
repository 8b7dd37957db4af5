import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ErrorCode, WarehouseError } from '@warehouse/core';

/** A workspace package that takes part in the warehouse (package.json has a `warehouse` key). */
export interface PackageManifest {
  name: string;
  version: string;
  domain?: string;
  dependencies: string[];
  /** Folder relative to the project root. */
  path: string;
  /** Absolute path of the TypeScript entry (the `source` export of "."). */
  entry: string;
}

interface PackageJson {
  name?: string;
  version?: string;
  workspaces?: string[] | { packages?: string[] };
  dependencies?: Record<string, string>;
  exports?: { '.'?: { source?: string } | string };
  warehouse?: { domain?: string };
}

const readJson = (file: string): PackageJson => JSON.parse(readFileSync(file, 'utf8')) as PackageJson;

/**
 * The warehouse packages of the npm workspace: every workspace whose package.json has a
 * `warehouse` key (`{"domain": "sales"}` for a domain, `{}` for shared ones like sources).
 * Only `dir/*` globs are supported, which is what npm workspaces use here.
 */
export function discoverPackages(rootDir: string): PackageManifest[] {
  const root = readJson(join(rootDir, 'package.json'));
  const patterns = Array.isArray(root.workspaces) ? root.workspaces : (root.workspaces?.packages ?? []);
  const folders: string[] = [];
  for (const pattern of patterns) {
    if (pattern.endsWith('/*')) {
      const parent = join(rootDir, pattern.slice(0, -2));
      if (!existsSync(parent)) continue;
      for (const entry of readdirSync(parent, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
        if (entry.isDirectory()) folders.push(join(parent, entry.name));
      }
    } else folders.push(join(rootDir, pattern));
  }
  const manifests: PackageManifest[] = [];
  for (const folder of folders) {
    const file = join(folder, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = readJson(file);
    if (!pkg.warehouse || !pkg.name) continue;
    const exported = pkg.exports?.['.'];
    const source = typeof exported === 'object' ? exported.source : undefined;
    if (!source) {
      throw new WarehouseError(
        ErrorCode.packageLoadFailed,
        `${relative(rootDir, file)}: a warehouse package needs exports["."].source pointing at its TypeScript entry`,
      );
    }
    manifests.push({
      name: pkg.name,
      version: pkg.version ?? '0.0.0',
      ...(pkg.warehouse.domain ? { domain: pkg.warehouse.domain } : {}),
      dependencies: Object.keys(pkg.dependencies ?? {}).sort(),
      path: relative(rootDir, folder),
      entry: join(folder, source),
    });
  }
  return manifests;
}
