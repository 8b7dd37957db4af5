import type { Adapter } from './adapter.js';

/** Which database to open: a server by URL, or an embedded one by folder. */
export type AdapterSettings =
  | { type: 'pg'; url: string; maxConnections: number; applicationName?: string; sessionSettings?: Readonly<Record<string, string | number | boolean>> }
  | { type: 'pglite'; dataDir: string };

/**
 * Opens the database and checks that it answers (CONNECTION_FAILED names where it looked).
 * Each driver is imported when first needed: commands that never connect (compile, ls) do not
 * pay for loading node-postgres and PGlite.
 */
export async function createAdapter(settings: AdapterSettings): Promise<Adapter> {
  const adapter =
    settings.type === 'pg'
      ? (await import('./pg/pg-adapter.js')).createPgAdapter(settings)
      : await (await import('./pglite/pglite-adapter.js')).createPgliteAdapter(settings);
  try {
    await adapter.ping();
  } catch (error) {
    await adapter.close().catch(() => undefined);
    throw error;
  }
  return adapter;
}
