import { sql } from 'kysely';
import type { Adapter } from '../adapter/adapter.js';
import type { ExecutionPlan } from '../execute/plan.js';
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

/** Which tests of a build may check less than the whole table (see `testScopesFromHistory`). */
export interface TestScopes {
  /** Tests that may check only the rows an incremental run of their model writes. */
  changedRowsTests: Set<string>;
  /** Tests on sources that may check only the rows landed after the given landed-at value. */
  landedAfter: Map<string, string>;
}

/**
 * From the run history, which tests of a plan may check only what is new. A test on an
 * incremental model may check just the rows a run writes once it has passed since the model's
 * last build, because the rest of the table was tested then; a test on a source, just the
 * rows landed after the newest its latest run saw, if that run passed. Any other test (it
 * failed, warned, was skipped, or did not run since) checks the whole table until it passes
 * again, so bad rows are never forgotten because a later run did not touch them. A full
 * refresh tests everything.
 */
export async function testScopesFromHistory(adapter: Adapter, target: string, plan: ExecutionPlan): Promise<TestScopes> {
  const scopes: TestScopes = { changedRowsTests: new Set(), landedAfter: new Map() };
  const onModels = plan.tests.filter((t) => t.changedRowsSql !== undefined);
  const onSources = plan.tests.filter((t) => t.landed?.sql !== undefined);
  if (plan.fullRefresh || onModels.length + onSources.length === 0) return scopes;
  // creates the history, or adds checked_through to one written by an earlier version
  await ensureRunHistory(adapter);
  return adapter.withConnection(async (db) => {
    const latest = async (ids: readonly string[], onlySuccess: boolean) => {
      if (ids.length === 0) return new Map<string, { status: string; started_at: Date; checked_through: string | null }>();
      const { rows } = await sql<{ node_id: string; status: string; started_at: Date; checked_through: string | null }>`
        select distinct on (n.node_id) n.node_id, n.status, r.started_at, n.checked_through
        from ${sql.id(META_SCHEMA, 'node_results')} as n join ${sql.id(META_SCHEMA, 'runs')} as r on r.run_id = n.run_id
        where r.target = ${target} and n.node_id in (${sql.join([...new Set(ids)])}) ${onlySuccess ? sql`and n.status = 'success'` : sql``}
        order by n.node_id, r.started_at desc`.execute(db);
      return new Map(rows.map((row) => [row.node_id, row]));
    };
    const lastTest = await latest([...onModels, ...onSources].map((t) => t.id), false);
    const lastBuild = await latest(onModels.map((t) => t.test.attachedTo), true);
    for (const test of onModels) {
      const passed = lastTest.get(test.id);
      const built = lastBuild.get(test.test.attachedTo);
      if (passed?.status === 'success' && built && new Date(passed.started_at) >= new Date(built.started_at)) scopes.changedRowsTests.add(test.id);
    }
    for (const test of onSources) {
      const passed = lastTest.get(test.id);
      if (passed?.status === 'success' && passed.checked_through !== null) scopes.landedAfter.set(test.id, passed.checked_through);
    }
    return scopes;
  });
}
