import type { Output } from '../output.js';
import { run as build } from './build.js';
import { run as seed, SEED_DEMO_DEFAULTS } from './seed-demo.js';
import { resetDemoData } from '@warehouse/sources';
import { openDatabase, openProject, type CommonOptions, type SelectionOptions } from './project-context.js';

export interface DemoOptions extends CommonOptions, SelectionOptions {
  scale: number;
  seed: number;
}

/**
 * `warehouse demo`: a year of demo data, then the whole warehouse built on it. On the embedded
 * database unless DATABASE_URL is set. Starts from empty landing tables: a previous demo
 * database is replaced.
 */
export async function run(options: DemoOptions, output: Output): Promise<number> {
  const context = await openProject(options, output);
  const adapter = await openDatabase(context, output);
  try {
    await resetDemoData(adapter);
  } finally {
    await adapter.close();
  }
  const seeded = await seed({ ...options, from: SEED_DEMO_DEFAULTS.from, to: SEED_DEMO_DEFAULTS.to }, output);
  if (seeded !== 0) return seeded;
  return build(options, output);
}
