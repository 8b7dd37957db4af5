import { sql } from 'kysely';
import type { Adapter } from '../adapter/adapter.js';
import { createSchema, createTableFromContract } from '../compile/ddl.js';
import type { AnySource } from '../model/define-source.js';

/**
 * Creates the landing schema and table of each source that does not exist yet, with the
 * columns, types and NOT NULLs the source declares. Existing tables are left as they are.
 */
export async function createLandingTables(adapter: Adapter, sources: readonly AnySource[]): Promise<void> {
  await adapter.withConnection(async (db) => {
    for (const schema of [...new Set(sources.map((s) => s.schema))].sort()) await sql.raw(createSchema(schema)).execute(db);
    for (const source of sources) {
      await sql.raw(createTableFromContract({ schema: source.schema, name: source.name }, source.columns, { ifNotExists: true })).execute(db);
    }
  });
}
