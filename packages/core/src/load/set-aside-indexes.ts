import { sql } from 'kysely';
import type { Adapter, CopyTransaction } from '../adapter/adapter.js';
import { describeDatabaseError, isCreatedMeanwhile } from '../adapter/database-error.js';
import { sqlText } from '../compile/sql-text.js';
import type { AnySource } from '../model/define-source.js';

/** A landing table's index, dropped for a first load and built again once its rows are in. */
export interface SetAsideIndex {
  name: string;
  /** `CREATE INDEX IF NOT EXISTS ...`: safe to run again, and against a table that got it back meanwhile. */
  definition: string;
  method: string;
  columns: number;
}

/**
 * A first load into an empty landing table (a backfill, say) drops its indexes inside the
 * load's transaction and returns them, to build once the rows are in: building an index over
 * a table is several times cheaper than keeping it up to date row by row. The BRIN goes too,
 * for another reason: kept, it costs a COPY next to nothing (its new page ranges have no
 * summary yet: 4.02 s against 3.94 s for 2M rows, measured with psql), but summarising those
 * ranges in the transaction would cost 0.56 s, where building it after the commit costs 0.43 s
 * beside the B-trees. The drop locks the table until the load commits; an empty table has
 * nothing to read. A rollback (a refused COPY, a repeated file) brings the indexes back.
 */
export async function setIndexesAsideIfEmpty(tx: CopyTransaction, source: AnySource): Promise<SetAsideIndex[]> {
  const table = sql.id(source.schema, source.name);
  const { rows: occupied } = await tx.query<{ occupied: boolean }>(sqlText(sql`select exists (select from ${table}) as occupied`));
  if (occupied[0]?.occupied !== false) return [];
  const { rows: indexes } = await tx.query<{ name: string; definition: string; method: string; columns: number }>(
    sqlText(sql`select indexrelid::regclass::text as name, pg_get_indexdef(indexrelid) as definition, am.amname as method, i.indnatts::int as columns
from pg_index i join pg_class c on c.oid = i.indexrelid join pg_am am on am.oid = c.relam
where i.indrelid = ${sql.lit(sqlText(table))}::regclass and not i.indisunique and not i.indisprimary order by 1`),
  );
  for (const index of indexes) await tx.query(`drop index ${index.name}`);
  return indexes.map((i) => ({ ...i, definition: i.definition.replace(/^CREATE INDEX /, 'CREATE INDEX IF NOT EXISTS ') }));
}

/**
 * What each index build may sort in, at least, in MB. The server default (64 MB) spills the
 * sort of a large delivery to disk: the two B-trees of 2M order lines need 143 and 127 MB to
 * sort in memory, and built alone with 64 MB the wider took about 60 % longer (median 0.85 s
 * against 0.53 s). Three builds sharing this machine's 2 cores gained a few per cent from it
 * (1.62-1.66 s against 1.65-1.77 s); a server with a core per build gets the gain of a build
 * alone. A server or target set higher keeps its own value.
 */
export const INDEX_BUILD_MEMORY_MB = 256;

/**
 * Builds the indexes a first load set aside, after it committed, each on a connection of its
 * own, as many at once as the adapter has connections: each build is bound by one CPU, so on a
 * server with cores to spare they overlap. Each build runs in a transaction of its own with
 * `maintenance_work_mem` raised to `memoryMb` for it alone. Builds that run side by side start
 * no parallel workers of their own (`max_parallel_maintenance_workers` 0 for them): Postgres
 * splits a build's `maintenance_work_mem` among its workers, so the 2M-line B-tree sorted in
 * three spills to disk instead of once in memory, and its workers crowded the other builds off
 * the cores; three builds side by side took 1.74-1.91 s without workers against 2.20-2.42 s
 * with the server's 2 (psql, 2 cores). A build alone keeps the server's setting. Meanwhile the
 * landed rows are readable, only without those indexes. Returns the builds that failed, by
 * index name (the rows stay landed; the next load into the source creates the index again,
 * see createLandingTables).
 */
export async function buildSetAsideIndexes(adapter: Adapter, indexes: readonly SetAsideIndex[], memoryMb = INDEX_BUILD_MEMORY_MB): Promise<string[]> {
  // the costliest first, so that the last to finish is a short one: B-trees by their width, BRINs (a pass over the table, no sort) last
  const queue = [...indexes].sort((a, b) => Number(a.method === 'brin') - Number(b.method === 'brin') || b.columns - a.columns);
  const builders = Math.max(1, Math.min(adapter.maxConnections, queue.length));
  const settings = buildSettings(memoryMb, builders > 1);
  const failures: string[] = [];
  const worker = async () => {
    for (let index = queue.shift(); index; index = queue.shift()) {
      const definition = index.definition;
      try {
        await adapter.withConnection((db) =>
          db.transaction().execute(async (tx) => {
            await settings.execute(tx);
            await sql.raw(definition).execute(tx);
          }),
        );
      } catch (error) {
        // another session created it at the same moment (a concurrent load's createLandingTables)
        if (isCreatedMeanwhile(error)) continue;
        failures.push(`${index.name}: ${describeDatabaseError(error)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: builders }, worker));
  return failures;
}

/**
 * A build's settings, for the rest of its transaction: `maintenance_work_mem` at least
 * `memoryMb`, never lowered (pg_settings gives it in kB), and beside other builds no parallel
 * workers.
 */
const buildSettings = (memoryMb: number, sideBySide: boolean) => {
  const memory = sql`set_config('maintenance_work_mem', greatest(setting::bigint, ${sql.lit(Math.floor(memoryMb * 1024))})::text || 'kB', true)`;
  const workers = sideBySide ? sql`, set_config('max_parallel_maintenance_workers', '0', true)` : sql``;
  return sql`select ${memory}${workers} from pg_settings where name = 'maintenance_work_mem'`;
};
