import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ErrorCode, WarehouseError } from '@warehouse/core';

export const CONFIG_FILE = 'warehouse.config.ts';

/** The nearest folder at or above `start` that holds warehouse.config.ts. */
export function findProjectRoot(start: string): string {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, CONFIG_FILE))) return dir;
    const parent = dirname(dir);
    if (parent === dir) {
      throw new WarehouseError(
        ErrorCode.configNotFound,
        `no ${CONFIG_FILE} in ${resolve(start)} or any folder above it; run inside the warehouse repository or pass --project-dir`,
      );
    }
    dir = parent;
  }
}
