import { sql, type Kysely } from 'kysely';
import type { Adapter } from '../adapter/adapter.js';
import { createIndex, createSchema, createTableFromContract } from '../compile/ddl.js';
import { sqlText } from '../compile/sql-text.js';
import { createdOnce, describeDatabaseError } from '../adapter/database-error.js';
import { ErrorCode, WarehouseError } from '../errors/warehouse-error.js';
import { sourceName, type AnySource } from '../model/define-source.js';

/**
 * Creates the landing schema and table of each source that does not exist yet, with the
 * columns, types and NOT NULLs the source declares, and two indexes: on the primary key (not
 * unique: feeds deliver a row again) and on the loaded-at column, which incremental models
 * read "what arrived since the last build" through, plus the source's own `indexes`. A
 * landing table only grows, in loaded-at order, so that index is a BRIN: a few pages instead
 * of a B-tree the size of the column, and about half a B-tree's cost to a load. Rows appended
 * to new pages are not in its summary until those pages are summarised (see
 * summarizeLandingIndexes); until then a read of "what arrived since" scans the whole table. The
 * loaded-at column defaults to now(), the time of the transaction that lands the row, so a
 * load can COPY a file that does not carry it. Existing tables keep their rows; indexes and
 * the default they lack are added, and a B-tree loaded-at index that an earlier version made
 * becomes the BRIN.
 */
export async function createLandingTables(adapter: Adapter, sources: readonly AnySource[]): Promise<void> {
  await adapter.withConnection(async (db) => {
    for (const schema of [...new Set(sources.map((s) => s.schema))].sort()) await createIfNotExists(db, createSchema(schema));
    for (const source of sources) {
      const relation = { schema: source.schema, name: source.name };
      await createIfNotExists(db, createTableFromContract(relation, source.columns, { ifNotExists: true }));
      const index = async (name: string, columns: readonly string[], method?: 'brin') => {
        try {
          await createIfNotExists(db, createIndex(relation, name, columns, method));
        } catch (error) {
          // e.g. a value too large for a B-tree entry, landed by a load that built the index after it
          throw new WarehouseError(
            ErrorCode.sqlFailed,
            `source ${sourceName(source)}: cannot create its index ${name} on ${source.schema}.${source.name} (${columns.join(', ')}): ${describeDatabaseError(error)}`,
            { cause: error },
          );
        }
      };
      await index(`${source.name}__pk`, source.primaryKey);
      await replaceOlderLoadedAtIndex(db, source);
      await index(loadedAtIndexName(source), [source.loadedAt], 'brin');
      for (const [n, columns] of (source.indexes ?? []).entries()) await index(`${source.name}__ix${n + 1}`, columns);
      // looked up first: ALTER TABLE would lock the table against readers even when nothing changes
      const { rows } = await sql<{ atthasdef: boolean }>`select a.atthasdef from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = ${source.schema} and c.relname = ${source.name} and a.attname = ${source.loadedAt}`.execute(db);
      if (rows[0]?.atthasdef === false) await sql`alter table ${sql.id(source.schema, source.name)} alter column ${sql.id(source.loadedAt)} set default now()`.execute(db);
    }
  });
}

/** Runs a `CREATE ... IF NOT EXISTS`, again if another session created the object meanwhile. */
const createIfNotExists = (db: Kysely<any>, statement: string) => createdOnce(() => sql.raw(statement).execute(db));

const loadedAtIndexName = (source: AnySource) => `${source.name}__loaded_at`;

/** `from ... where ...` of the source's loaded-at index in the catalog: `c` its class, `a` its access method. */
const loadedAtIndexInCatalog = (source: AnySource) =>
  sql`from pg_class c join pg_namespace n on n.oid = c.relnamespace join pg_am a on a.oid = c.relam
where n.nspname = ${sql.lit(source.schema)} and c.relname = ${sql.lit(loadedAtIndexName(source))} and c.relkind = 'i'`;

/**
 * Replaces a loaded-at index of another kind (the B-tree of versions before the BRIN) by the
 * BRIN, in one transaction: readers wait for the build (it holds the table's lock) but never
 * see the table without the index. Looked up first, so a current table takes no lock.
 */
async function replaceOlderLoadedAtIndex(db: Kysely<any>, source: AnySource): Promise<void> {
  const { rows } = await sql<{ method: string }>`select a.amname as method ${loadedAtIndexInCatalog(source)}`.execute(db);
  if (rows[0] === undefined || rows[0].method === 'brin') return;
  const relation = { schema: source.schema, name: source.name };
  await db.transaction().execute(async (transaction) => {
    await sql`drop index ${sql.id(source.schema, loadedAtIndexName(source))}`.execute(transaction);
    await sql.raw(createIndex(relation, loadedAtIndexName(source), [source.loadedAt], 'brin')).execute(transaction);
  });
}

/**
 * Summarises the new pages of a source's loaded-at BRIN index, so that an incremental read of
 * "what arrived since the last build" skips all but them. It reads only pages not summarised
 * yet (what the last loads appended); a B-tree of an older version, until createLandingTables
 * replaces it, is skipped.
 */
export function summarizeLoadedAtIndex(source: AnySource): string {
  return sqlText(sql`select brin_summarize_new_values(c.oid) ${loadedAtIndexInCatalog(source)} and a.amname = 'brin'`);
}

/** {@link summarizeLoadedAtIndex} for each source: call it after writing to landing tables. */
export async function summarizeLandingIndexes(adapter: Adapter, sources: readonly AnySource[]): Promise<void> {
  await adapter.withConnection(async (db) => {
    for (const source of sources) await sql.raw(summarizeLoadedAtIndex(source)).execute(db);
  });
}
