import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ErrorCode, parseConfig, WarehouseError, type WarehouseConfig } from '@warehouse/core';
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
    exported = ((await import(pathToFileURL(file).href)) as { default?: unknown }).default;
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
