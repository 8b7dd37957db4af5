import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { ErrorCode, parseConfig, WarehouseError, type WarehouseConfig } from '@warehouse/core';
import { coreModulePath, coreModulePlugins } from './core-module.js';
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
 * loader: esbuild compiles the file, linked to the runner's core module, into a file of this
 * process's own (removed after the import).
 */
async function importConfig(rootDir: string, file: string): Promise<unknown> {
  const core = coreModulePath();
  if (!core) return import(pathToFileURL(file).href);
  const dir = join(rootDir, 'target', 'cache', 'config');
  mkdirSync(dir, { recursive: true });
  const outfile = join(dir, `warehouse.config.${process.pid}.mjs`);
  try {
    await build({
      entryPoints: [file],
      outfile,
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      packages: 'external',
      plugins: coreModulePlugins(),
      logLevel: 'silent',
    });
    return await import(pathToFileURL(outfile).href);
  } finally {
    rmSync(outfile, { force: true });
  }
}
