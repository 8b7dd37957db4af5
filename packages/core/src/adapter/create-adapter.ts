import type { Adapter } from './adapter.js';
import { createPgAdapter } from './pg/pg-adapter.js';
import { createPgliteAdapter } from './pglite/pglite-adapter.js';

/** Which database to open: a server by URL, or an embedded one by folder. */
export type AdapterSettings =
  | { type: 'pg'; url: string; maxConnections: number; applicationName?: string; sessionSettings?: Readonly<Record<string, string | number | boolean>> }
  | { type: 'pglite'; dataDir: string };

/** Opens the database and checks that it answers (CONNECTION_FAILED names where it looked). */
export async function createAdapter(settings: AdapterSettings): Promise<Adapter> {
  const adapter = settings.type === 'pg' ? createPgAdapter(settings) : await createPgliteAdapter(settings);
  try {
    await adapter.ping();
  } catch (error) {
    await adapter.close().catch(() => undefined);
    throw error;
  }
  return adapter;
}
