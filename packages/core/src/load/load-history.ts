import { sql } from 'kysely';
import type { Adapter } from '../adapter/adapter.js';
import { META_SCHEMA } from '../artifacts/run-history.js';

/** Every load of a file, one row each: what was loaded, from which file (by content), how it went. */
export const LOADS_TABLE = { schema: META_SCHEMA, name: 'loads' } as const;
/** Rows a load could not land, with the reason and the record as the file had it. */
export const QUARANTINE_TABLE = { schema: META_SCHEMA, name: 'quarantine' } as const;

/** Creates the load history and quarantine tables in `warehouse_meta` if they are missing. */
export async function ensureLoadHistory(adapter: Adapter): Promise<void> {
  await adapter.withConnection(async (db) => {
    await db.schema.createSchema(META_SCHEMA).ifNotExists().execute();
    await db.schema
      .withSchema(META_SCHEMA)
      .createTable(LOADS_TABLE.name)
      .ifNotExists()
      .addColumn('load_id', 'uuid', (c) => c.primaryKey())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('file', 'text', (c) => c.notNull())
      .addColumn('format', 'text', (c) => c.notNull())
      .addColumn('sha256', 'text', (c) => c.notNull())
      .addColumn('bytes', 'bigint', (c) => c.notNull())
      .addColumn('method', 'text', (c) => c.notNull())
      .addColumn('rows_loaded', 'bigint', (c) => c.notNull())
      .addColumn('rows_quarantined', 'bigint', (c) => c.notNull())
      .addColumn('started_at', 'timestamptz', (c) => c.notNull())
      .addColumn('finished_at', 'timestamptz', (c) => c.notNull())
      .execute();
    await sql`create index if not exists loads__source_sha256 on ${sql.id(META_SCHEMA, LOADS_TABLE.name)} (source, sha256)`.execute(db);
    await db.schema
      .withSchema(META_SCHEMA)
      .createTable(QUARANTINE_TABLE.name)
      .ifNotExists()
      .addColumn('load_id', 'uuid', (c) => c.notNull().references(`${META_SCHEMA}.${LOADS_TABLE.name}.load_id`).onDelete('cascade'))
      .addColumn('line', 'bigint', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('record', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('quarantine_pkey', ['load_id', 'line'])
      .execute();
  });
}
