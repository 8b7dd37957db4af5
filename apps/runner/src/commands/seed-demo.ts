import { seedDemo } from '@warehouse/sources';
import type { Output } from '../output.js';
import { openDatabase, openProject, type CommonOptions } from './project-context.js';

export interface SeedDemoCommandOptions extends CommonOptions {
  scale: number;
  seed: number;
  from: string;
  to: string;
  /** Write the deliveries as files in this folder instead of landing them. */
  files?: string;
}

export { SEED_DEMO_DEFAULTS } from './seed-demo-defaults.js';

/**
 * `warehouse seed-demo`: create the landing tables and deliver the demo systems' data for a
 * period. Call again with a later --from/--to to append nightly deliveries. With --files the
 * deliveries are written as files, for `warehouse load --delivery`.
 */
export async function run(options: SeedDemoCommandOptions, output: Output): Promise<number> {
  const context = await openProject(options, output);
  const adapter = await openDatabase(context, output);
  try {
    const started = Date.now();
    const into = options.files === undefined ? adapter.location : `files in ${options.files}`;
    output.info(`delivering demo data for ${options.from}..${options.to} at scale ${options.scale} (seed ${options.seed}) into ${into}`);
    const summary = await seedDemo(adapter, {
      scale: options.scale,
      seed: options.seed,
      from: options.from,
      to: options.to,
      ...(options.files !== undefined ? { files: options.files } : {}),
      onProgress: (message) => output.info(message),
    });
    const total = Object.values(summary.rows).reduce((a, b) => a + b, 0);
    output.info(`delivered ${summary.days} day(s), ${total.toLocaleString('en-US')} rows in ${((Date.now() - started) / 1000).toFixed(1)}s`, { rows: summary.rows });
    if (!output.options.json) {
      output.text(Object.entries(summary.rows).map(([table, rows]) => `  ${table.padEnd(34)} ${rows.toLocaleString('en-US').padStart(12)}`));
    }
    if (summary.files) output.info(`wrote ${summary.files.length} file(s); land them with: warehouse load --delivery ${options.files}`);
    output.result(summary);
    return 0;
  } finally {
    await adapter.close();
  }
}
