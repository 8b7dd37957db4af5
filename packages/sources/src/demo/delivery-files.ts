import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { appendFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, WarehouseError, type AnySource } from '@warehouse/core';

/**
 * A delivery folder the demo writes instead of landing rows: one CSV with a header per landed
 * table, `<dir>/<system>/<table>.csv`, as `warehouse load --delivery <dir>` reads it. The
 * files carry the loaded-at column, so what lands is what seed-demo would have landed. The
 * folder must be new or empty: a delivery is never written over another.
 */
export class DeliveryFiles {
  private readonly started = new Set<AnySource>();

  constructor(readonly dir: string) {
    if (existsSync(dir) && readdirSync(dir).length > 0) {
      throw new WarehouseError(ErrorCode.configInvalid, `seed-demo: --files ${dir} is not empty; give each delivered period a folder of its own`);
    }
    mkdirSync(dir, { recursive: true });
  }

  fileOf(source: AnySource): string {
    return join(this.dir, source.system, `${source.name}.csv`);
  }

  /** Appends CSV lines to the source's file, written with its header first. */
  async append(source: AnySource, chunk: string): Promise<void> {
    const file = this.fileOf(source);
    if (!this.started.has(source)) {
      this.started.add(source);
      mkdirSync(join(this.dir, source.system), { recursive: true });
      await writeFile(file, `${Object.keys(source.columns).join(',')}\n`);
    }
    await appendFile(file, chunk);
  }

  /** The files written, in a fixed order. */
  files(): string[] {
    return [...this.started].map((s) => this.fileOf(s)).sort();
  }
}
