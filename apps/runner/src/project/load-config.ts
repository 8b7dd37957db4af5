import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ErrorCode, parseConfig, WarehouseError, type WarehouseConfig } from '@warehouse/core';
import { coreModuleKey, coreModuleLink } from './core-module.js';
import { esbuild, projectBuildOptions } from './esbuild-service.js';
import { fingerprintOf, readJsonFile, writeAtomically } from './file-stamps.js';
import { CONFIG_FILE } from './find-project-root.js';

export interface LoadedConfig {
  config: WarehouseConfig;
  warnings: string[];
}

/** Imports and validates warehouse.config.ts; CONFIG_INVALID lists every error. */
export async function loadConfig(rootDir: string): Promise<LoadedConfig> {
  const file = join(rootDir, CONFIG_FILE);
  let exported: unknown;
  try {
    exported = ((await importConfig(rootDir, file)) as { default?: unknown }).default;
  } catch (error) {
    throw new WarehouseError(ErrorCode.configInvalid, `${CONFIG_FILE} failed to load: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  const parsed = parseConfig(exported, CONFIG_FILE);
  if (!parsed.config) {
    throw new WarehouseError(ErrorCode.configInvalid, `${CONFIG_FILE} is invalid:\n${parsed.errors.map((e) => `  - ${e}`).join('\n')}`);
  }
  return { config: parsed.config, warnings: parsed.warnings };
}

/**
 * From sources, the TypeScript loader imports the file. A bundled runner has no TypeScript
 * loader: esbuild compiles the file, linked to the runner's core module, into
 * target/cache/config/, again only when a file it was built from changes.
 */
async function importConfig(rootDir: string, file: string): Promise<unknown> {
  const coreKey = coreModuleKey();
  if (!coreKey) return import(pathToFileURL(file).href);
  const dir = join(rootDir, 'target', 'cache', 'config');
  const outfile = join(dir, `warehouse.config.${coreKey}.mjs`);
  let stamp = readJsonFile<{ fingerprint: string; inputs: string[] }>(`${outfile}.json`);
  if (!stamp || stamp.fingerprint !== fingerprintOf(rootDir, stamp.inputs) || !existsSync(outfile)) {
    const { build } = await esbuild();
    const result = await build({ ...projectBuildOptions(rootDir, file, outfile), ...coreModuleLink() });
    mkdirSync(dir, { recursive: true });
    const inputs = Object.keys(result.metafile.inputs).sort();
    stamp = { fingerprint: fingerprintOf(rootDir, inputs), inputs };
    writeAtomically(outfile, result.outputFiles[0]!.contents);
    writeAtomically(`${outfile}.json`, JSON.stringify(stamp));
  }
  // by its fingerprint: a process that loads the config again after an edit (the compile server) gets the new one
  return import(`${pathToFileURL(outfile).href}?v=${stamp.fingerprint.slice(0, 16)}`);
}
