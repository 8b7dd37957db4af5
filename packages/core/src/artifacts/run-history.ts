import { sql } from 'kysely';
import type { Adapter } from '../adapter/adapter.js';
import { countByStatus, type RunResult } from '../execute/run-result.js';

export const META_SCHEMA = 'warehouse_meta';

/** Creates the run-history tables in `warehouse_meta` if they are missing. */
export async function ensureRunHistory(adapter: Adapter): Promise<void> {
  await adapter.withConnection(async (db) => {
    await db.schema.createSchema(META_SCHEMA).ifNotExists().execute();
    await db.schema
      .withSchema(META_SCHEMA)
      .createTable('runs')
      .ifNotExists()
      .addColumn('run_id', 'uuid', (c) => c.primaryKey())
      .addColumn('command', 'text', (c) => c.notNull())
      .addColumn('target', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('started_at', 'timestamptz', (c) => c.notNull())
      .addColumn('finished_at', 'timestamptz', (c) => c.notNull())
      .addColumn('threads', 'integer', (c) => c.notNull())
      .addColumn('succeeded', 'integer', (c) => c.notNull())
      .addColumn('failed', 'integer', (c) => c.notNull())
      .addColumn('skipped', 'integer', (c) => c.notNull())
      .addColumn('invocation', 'jsonb')
      .execute();
    await db.schema
      .withSchema(META_SCHEMA)
      .createTable('node_results')
      .ifNotExists()
      .addColumn('run_id', 'uuid', (c) => c.notNull().references(`${META_SCHEMA}.runs.run_id`).onDelete('cascade'))
      .addColumn('node_id', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('started_at', 'timestamptz')
      .addColumn('finished_at', 'timestamptz')
      .addColumn('duration_ms', 'integer', (c) => c.notNull())
      .addColumn('rows_affected', 'bigint')
      .addColumn('message', 'text', (c) => c.notNull())
      .addColumn('error', 'jsonb')
      .addPrimaryKeyConstraint('node_results_pkey', ['run_id', 'node_id'])
      .execute();
    // added later: histories written by earlier versions gain it
    await sql`alter table ${sql.id(META_SCHEMA, 'node_results')} add column if not exists checked_through text`.execute(db);
  });
}

/** Appends a finished run and its node results to the run history. */
export async function recordRun(
  adapter: Adapter,
  command: string,
  result: RunResult,
  invocation: Record<string, unknown> = {},
): Promise<void> {
  await ensureRunHistory(adapter);
  const counts = countByStatus(result.results);
  await adapter.withConnection((db) =>
    db.transaction().execute(async (trx) => {
      await trx
        .withSchema(META_SCHEMA)
        .insertInto('runs')
        .values({
          run_id: result.runId,
          command,
          target: result.target,
          status: counts.error > 0 ? 'error' : result.cancelled ? 'cancelled' : 'success',
          started_at: result.startedAt,
          finished_at: result.finishedAt,
          threads: result.threads,
          succeeded: counts.success + counts.warn,
          failed: counts.error,
          skipped: counts.skipped,
          invocation: JSON.stringify(invocation),
        })
        .execute();
      // a statement takes at most 65535 parameters: insert in slices
      for (let start = 0; start < result.results.length; start += 1000) {
        await trx
          .withSchema(META_SCHEMA)
          .insertInto('node_results')
          .values(
            result.results.slice(start, start + 1000).map((r) => ({
            run_id: result.runId,
            node_id: r.id,
            status: r.status,
            started_at: r.startedAt ?? null,
            finished_at: r.finishedAt ?? null,
            duration_ms: r.durationMs,
            rows_affected: r.rowsAffected ?? null,
            message: r.message,
            error: r.error ? JSON.stringify(r.error) : null,
            checked_through: r.checkedThrough ?? null,
            })),
          )
          .execute();
      }
    }),
  );
}

/** The latest runs, newest first. */
export async function recentRuns(adapter: Adapter, limit = 20): Promise<Array<Record<string, unknown>>> {
  return adapter.withConnection(async (db) => {
    const exists = await sql<{ found: boolean }>`select to_regclass(${`${META_SCHEMA}.runs`}) is not null as found`.execute(db);
    if (!exists.rows[0]?.found) return [];
    return db.withSchema(META_SCHEMA).selectFrom('runs').selectAll().orderBy('started_at', 'desc').limit(limit).execute();
  });
}

/**
 * The tests that have passed since their model was last built: those a build may run on just
 * the rows an incremental run writes, because the rest of the table was tested before. A test
 * that failed, warned, was skipped or did not run after its model's last build tests the whole
 * table until it passes again, so bad rows are never forgotten because a later run did not
 * touch them.
 */
export async function testsVerifiedSinceLastBuild(
  adapter: Adapter,
  target: string,
  tests: ReadonlyArray<{ id: string; modelId: string }>,
): Promise<Set<string>> {
  if (tests.length === 0) return new Set();
  return adapter.withConnection(async (db) => {
    const exists = await sql<{ found: boolean }>`select to_regclass(${`${META_SCHEMA}.node_results`}) is not null as found`.execute(db);
    if (!exists.rows[0]?.found) return new Set<string>();
    const latest = async (ids: readonly string[], onlySuccess: boolean) => {
      const { rows } = await sql<{ node_id: string; status: string; started_at: Date }>`
        select distinct on (n.node_id) n.node_id, n.status, r.started_at
        from ${sql.id(META_SCHEMA, 'node_results')} as n join ${sql.id(META_SCHEMA, 'runs')} as r on r.run_id = n.run_id
        where r.target = ${target} and n.node_id in (${sql.join([...new Set(ids)])}) ${onlySuccess ? sql`and n.status = 'success'` : sql``}
        order by n.node_id, r.started_at desc`.execute(db);
      return new Map(rows.map((row) => [row.node_id, row]));
    };
    const lastTest = await latest(tests.map((t) => t.id), false);
    const lastBuild = await latest(tests.map((t) => t.modelId), true);
    const verified = new Set<string>();
    for (const test of tests) {
      const passed = lastTest.get(test.id);
      const built = lastBuild.get(test.modelId);
      if (passed?.status === 'success' && built && new Date(passed.started_at) >= new Date(built.started_at)) verified.add(test.id);
    }
    return verified;
  });
}

/**
 * For tests on sources: the newest landed-at value each saw in its latest run, when that run
 * passed. A build tests only the rows landed after it; a test whose latest run failed, warned
 * or was skipped tests the whole table until it passes again.
 */
export async function sourceTestsLandedAfter(adapter: Adapter, target: string, testIds: readonly string[]): Promise<Map<string, string>> {
  if (testIds.length === 0) return new Map();
  // a history written by an earlier version has no checked_through yet
  await ensureRunHistory(adapter);
  return adapter.withConnection(async (db) => {
    const { rows } = await sql<{ node_id: string; status: string; checked_through: string | null }>`
      select distinct on (n.node_id) n.node_id, n.status, n.checked_through
      from ${sql.id(META_SCHEMA, 'node_results')} as n join ${sql.id(META_SCHEMA, 'runs')} as r on r.run_id = n.run_id
      where r.target = ${target} and n.node_id in (${sql.join([...new Set(testIds)])})
      order by n.node_id, r.started_at desc`.execute(db);
    return new Map(rows.filter((row) => row.status === 'success' && row.checked_through !== null).map((row) => [row.node_id, row.checked_through!]));
  });
}
