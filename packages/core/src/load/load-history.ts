import { sql } from 'kysely';
import type { Adapter } from '../adapter/adapter.js';
import { createdOnce } from '../adapter/database-error.js';
import { META_SCHEMA } from '../artifacts/run-history.js';
import { relationColumns } from '../execute/materialize/relation-columns.js';

/** Every load of a file, one row each: what was loaded, from which file (by content), how it went. */
export const LOADS_TABLE = { schema: META_SCHEMA, name: 'loads' } as const;
/**
 * Rows a load could not land, with the reason and the record as the file had it: as text in
 * `record`, and where text cannot hold it exactly (bytes that are not UTF-8, NUL bytes) also
 * byte for byte in `record_bytes`.
 */
export const QUARANTINE_TABLE = { schema: META_SCHEMA, name: 'quarantine' } as const;

/**
 * Creates the load history and quarantine tables in `warehouse_meta` if they are missing (two
 * first loads at once both get them), and adds what a table of an earlier version lacks.
 */
export async function ensureLoadHistory(adapter: Adapter): Promise<void> {
  await adapter.withConnection(async (db) => {
    await createdOnce(() => db.schema.createSchema(META_SCHEMA).ifNotExists().execute());
    await createdOnce(() => db.schema
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
      .execute());
    await createdOnce(() => sql`create index if not exists loads__source_sha256 on ${sql.id(META_SCHEMA, LOADS_TABLE.name)} (source, sha256)`.execute(db));
    await createdOnce(() => db.schema
      .withSchema(META_SCHEMA)
      .createTable(QUARANTINE_TABLE.name)
      .ifNotExists()
      .addColumn('load_id', 'uuid', (c) => c.notNull().references(`${META_SCHEMA}.${LOADS_TABLE.name}.load_id`).onDelete('cascade'))
      .addColumn('line', 'bigint', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('record', 'text', (c) => c.notNull())
      .addColumn('record_bytes', 'bytea')
      .addPrimaryKeyConstraint('quarantine_pkey', ['load_id', 'line'])
      .execute());
    // looked up first: ALTER TABLE locks the table even when the column is there
    const columns = await relationColumns(db, QUARANTINE_TABLE);
    if (!columns.some((c) => c.name === 'record_bytes')) await sql`alter table ${sql.id(META_SCHEMA, QUARANTINE_TABLE.name)} add column if not exists record_bytes bytea`.execute(db);
  });
}
