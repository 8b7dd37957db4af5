import pg from 'pg';
import { beforeEach, describe, expect, it } from 'vitest';
import { defineModel, defineSource, sql, type AnyModel, type WarehousePackage } from '../src/index.js';
import { testDatabaseKinds, type TestDatabase } from '../src/testing/index.js';
import { useTestDatabase } from './support/database.js';
import { build, query, statusOf } from './support/build.js';

const events = defineSource({
  system: 'app',
  name: 'events',
  description: 'Event versions: a later _loaded_at replaces an earlier one.',
  columns: {
    event_id: { type: 'bigint', nullable: false },
    kind: { type: 'text', nullable: false },
    amount: { type: 'integer', nullable: false },
    happened_on: { type: 'date', nullable: false },
    _loaded_at: { type: 'timestamptz', nullable: false },
  },
  primaryKey: ['event_id', '_loaded_at'],
  loadedAt: '_loaded_at',
});

const base = { domain: 'app', kind: 'fact' as const, description: 'x', owner: 'o' };

/** Latest version of each event; incremental runs read only events delivered since the last one. */
const eventsMerged = defineModel({
  ...base,
  name: 'events_merged',
  grain: ['event_id'],
  materialized: 'incremental',
  incremental: { strategy: 'merge' },
  columns: {
    event_id: { type: 'bigint', nullable: false },
    kind: { type: 'text', nullable: false },
    amount: { type: 'integer', nullable: false },
    happened_on: { type: 'date', nullable: false },
    _loaded_at: { type: 'timestamptz', nullable: false },
  },
  sql: ({ source, selfMax }) => sql`
    select distinct on (event_id) event_id, kind, amount, happened_on, _loaded_at
    from ${source(events)} where _loaded_at > ${selfMax('_loaded_at')}
    order by event_id, _loaded_at desc`,
});

/** Totals per day; each run recomputes the days from the latest one built minus a day. */
const dailyTotals = defineModel({
  ...base,
  name: 'daily_totals',
  grain: ['happened_on', 'kind'],
  materialized: 'incremental',
  incremental: { strategy: 'delete+insert', eventTime: 'happened_on', lookback: { days: 1 } },
  columns: {
    happened_on: { type: 'date', nullable: false },
    kind: { type: 'text', nullable: false },
    amount: { type: 'bigint', nullable: false },
  },
  sql: ({ ref, eventTimeFilter }) => sql`
    select happened_on, kind, sum(amount) as amount from ${ref(eventsMerged)}
    where ${eventTimeFilter(sql.ref('happened_on'))} group by 1, 2`,
});

/** Every delivered row, appended. */
const deliveryLog = defineModel({
  ...base,
  name: 'delivery_log',
  grain: ['event_id', '_loaded_at'],
  materialized: 'incremental',
  incremental: { strategy: 'append' },
  columns: {
    event_id: { type: 'bigint', nullable: false },
    _loaded_at: { type: 'timestamptz', nullable: false },
  },
  sql: ({ source, selfMax }) => sql`select event_id, _loaded_at from ${source(events)} where _loaded_at > ${selfMax('_loaded_at')}`,
});

const packages = (models: AnyModel[] = [eventsMerged, dailyTotals, deliveryLog]): WarehousePackage[] => [
  { name: '@t/sources', version: '1', dependencies: [], models: [], sources: [events] },
  { name: '@t/app', version: '1', domain: 'app', dependencies: ['@t/sources'], models, sources: [] },
];

/** Delivers events: [id, kind, amount, day offset] at a landing time (hours after 2025-01-01). */
async function deliver(database: TestDatabase, hour: number, rows: Array<[number, string, number, number]>) {
  const values = rows.map(([id, kind, amount, day]) => `(${id}, '${kind}', ${amount}, date '2025-01-01' + ${day}, timestamptz '2025-01-01 00:00+00' + interval '${hour} hours')`);
  await query(database.adapter, `insert into raw_app.events values ${values.join(', ')}`);
}

/** Each relation's business columns (not `_` audit ones), sorted, as text. */
async function contents(database: TestDatabase, schema: string, table: string, columns: string) {
  return (await query<{ r: string }>(database.adapter, `select (${columns})::text as r from ${schema}.${table} order by 1`)).map((r) => r.r);
}

describe.each(await testDatabaseKinds())('incremental models on %s', (kind) => {
  const db = useTestDatabase(kind);
  beforeEach(async () => {
    await query(db.current.adapter, 'drop schema if exists app, full_app, raw_app cascade');
    await query(db.current.adapter, 'create schema raw_app');
    await query(db.current.adapter, 'create table raw_app.events (event_id bigint not null, kind text not null, amount integer not null, happened_on date not null, _loaded_at timestamptz not null)');
  });

  it('merges, deletes+inserts and appends, ending equal to a full rebuild', async () => {
    await deliver(db.current, 1, [[1, 'a', 10, 0], [2, 'b', 5, 0], [3, 'a', 7, 2]]);
    const first = await build(db.current.adapter, packages());
    expect(Object.fromEntries(first.results.map((r) => [r.name, r.message]))).toEqual({
      events_merged: 'built incremental: built 3 rows (full)',
      daily_totals: 'built incremental: built 3 rows (full)',
      delivery_log: 'built incremental: built 3 rows (full)',
    });
    // a night: event 2 (day 0) corrected, event 4 new on day 3, and a late event for day 0
    await deliver(db.current, 25, [[2, 'b', 50, 0], [4, 'b', 1, 3], [5, 'a', 3, 0]]);
    const second = await build(db.current.adapter, packages());
    expect(Object.values(statusOf(second))).toEqual(['success', 'success', 'success']);
    const merged = second.results.find((r) => r.name === 'events_merged')!;
    expect(merged.message).toBe('built incremental: merged 3 rows, 3 new or changed');
    expect(await contents(db.current, 'app', 'events_merged', 'event_id, kind, amount')).toEqual(['(1,a,10)', '(2,b,50)', '(3,a,7)', '(4,b,1)', '(5,a,3)']);
    // day 0 is older than daily_totals' one-day lookback (from day 2, the latest built, minus a
    // day): this run recomputes days 1 to 3 and leaves day 0 as it was
    expect(await contents(db.current, 'app', 'daily_totals', 'happened_on, kind, amount')).toEqual([
      '(2025-01-01,a,10)',
      '(2025-01-01,b,5)',
      '(2025-01-03,a,7)',
      '(2025-01-04,b,1)',
    ]);
    expect((await query<{ n: number }>(db.current.adapter, 'select count(*)::int as n from app.delivery_log'))[0]!.n).toBe(6);
    // the column whose maximum each run reads is indexed (the key's is already)
    const indexes = await query<{ indexname: string; indexdef: string }>(db.current.adapter, `select indexname, indexdef from pg_indexes where schemaname = 'app' and tablename = 'events_merged' order by 1`);
    expect(indexes.map((i) => `${i.indexname} ${i.indexdef.replace(/^.* USING btree /, '')}`)).toEqual(['events_merged__ix1 (_loaded_at)', 'events_merged__uk (event_id)']);

    await build(db.current.adapter, packages(), { schemaPrefix: 'full_', fullRefresh: true });
    expect(await contents(db.current, 'full_app', 'events_merged', 'event_id, kind, amount')).toEqual(await contents(db.current, 'app', 'events_merged', 'event_id, kind, amount'));
    expect(await contents(db.current, 'full_app', 'delivery_log', 'event_id, _loaded_at')).toEqual(await contents(db.current, 'app', 'delivery_log', 'event_id, _loaded_at'));
    // the full rebuild has the changes on day 0: the difference is the lookback's limit
    expect(await contents(db.current, 'full_app', 'daily_totals', 'happened_on, kind, amount')).toEqual([
      '(2025-01-01,a,13)',
      '(2025-01-01,b,50)',
      '(2025-01-03,a,7)',
      '(2025-01-04,b,1)',
    ]);
  });

  it('keeps the table when the batch repeats a unique key, naming the key', async () => {
    await deliver(db.current, 1, [[1, 'a', 10, 0]]);
    await build(db.current.adapter, packages([eventsMerged]));
    await deliver(db.current, 2, [[1, 'a', 11, 0]]);
    const duplicating = defineModel({
      ...eventsMerged,
      sql: ({ source, selfMax }) => sql`select event_id, kind, amount, happened_on, _loaded_at from ${source(events)} where _loaded_at >= ${selfMax('_loaded_at')}`,
    });
    const result = await build(db.current.adapter, packages([duplicating]));
    expect(result.results[0]!.message).toBe(
      'model events_merged: the incremental batch has 2 rows for event_id=1; the query must return one row per unique key (event_id)',
    );
    expect(await contents(db.current, 'app', 'events_merged', 'event_id, amount')).toEqual(['(1,10)']);
  });

  it('fails on a new contract column unless onSchemaChange appends it', async () => {
    await deliver(db.current, 1, [[1, 'a', 10, 0]]);
    await build(db.current.adapter, packages([eventsMerged]));
    const widened = (onSchemaChange: 'fail' | 'append_new_columns') =>
      defineModel({
        ...eventsMerged,
        incremental: { strategy: 'merge', onSchemaChange },
        columns: { ...eventsMerged.columns, doubled: { type: 'integer' } },
        sql: ({ source, selfMax }) => sql`
          select distinct on (event_id) event_id, kind, amount, happened_on, _loaded_at, amount * 2 as doubled
          from ${source(events)} where _loaded_at > ${selfMax('_loaded_at')} order by event_id, _loaded_at desc`,
      });
    await deliver(db.current, 2, [[2, 'b', 4, 0]]);
    const failed = await build(db.current.adapter, packages([widened('fail')]));
    expect(failed.results[0]!.message).toBe(
      [
        'model events_merged: the contract changed since the table was built; rebuild it with --full-refresh:',
        "  - the contract has new column(s): doubled (incremental.onSchemaChange: 'append_new_columns' adds them)",
      ].join('\n'),
    );
    const appended = await build(db.current.adapter, packages([widened('append_new_columns')]));
    expect(appended.results[0]!.status).toBe('success');
    expect(await contents(db.current, 'app', 'events_merged', 'event_id, doubled')).toEqual(['(1,)', '(2,8)']);
  });

  it('rebuilds from scratch with --full-refresh', async () => {
    await deliver(db.current, 1, [[1, 'a', 10, 0]]);
    await build(db.current.adapter, packages([eventsMerged, deliveryLog]));
    await query(db.current.adapter, 'delete from raw_app.events');
    await deliver(db.current, 2, [[9, 'z', 1, 0]]);
    await build(db.current.adapter, packages([eventsMerged, deliveryLog]), { fullRefresh: true });
    expect(await contents(db.current, 'app', 'events_merged', 'event_id')).toEqual(['9']);
    expect(await contents(db.current, 'app', 'delivery_log', 'event_id')).toEqual(['9']);
  });

  // pg only: PGlite has a single connection, so nothing can kill the build's backend from outside
  it.runIf(kind === 'pg')('leaves the table as it was when killed mid-merge, and a re-run gives the same result', async () => {
    await query(db.current.adapter, `insert into raw_app.events select i, 'a', 1, date '2025-01-01', timestamptz '2025-01-01 01:00+00' from generate_series(1, 200000) as i`);
    await build(db.current.adapter, packages([eventsMerged]));
    const before = await query<{ n: number; total: number }>(db.current.adapter, 'select count(*)::int as n, sum(amount)::int as total from app.events_merged');
    await query(db.current.adapter, `insert into raw_app.events select i, 'a', 2, date '2025-01-01', timestamptz '2025-01-01 02:00+00' from generate_series(1, 400000) as i`);

    // kill the backend while it is inside the merge statement
    const killer = new pg.Client({ connectionString: db.current.url });
    await killer.connect();
    let killed = false;
    const watch = (async () => {
      for (let i = 0; i < 2000 && !killed; i++) {
        const { rows } = await killer.query(`select pid from pg_stat_activity where query like 'insert into "app"."events_merged" as t%' and state = 'active'`);
        if (rows[0]) {
          await killer.query('select pg_terminate_backend($1)', [rows[0].pid]);
          killed = true;
        } else await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const interrupted = await build(db.current.adapter, packages([eventsMerged]));
    await watch;
    await killer.end();
    expect(killed).toBe(true);
    expect(interrupted.results[0]!.status).toBe('error');
    expect(await query(db.current.adapter, 'select count(*)::int as n, sum(amount)::int as total from app.events_merged')).toEqual(before);

    const rerun = await build(db.current.adapter, packages([eventsMerged]));
    expect(rerun.results[0]!.status).toBe('success');
    await build(db.current.adapter, packages([eventsMerged]), { schemaPrefix: 'full_', fullRefresh: true });
    const [difference] = await query<{ n: number }>(
      db.current.adapter,
      `select count(*)::int as n from ((select event_id, kind, amount, happened_on from app.events_merged except select event_id, kind, amount, happened_on from full_app.events_merged)
        union all (select event_id, kind, amount, happened_on from full_app.events_merged except select event_id, kind, amount, happened_on from app.events_merged)) as d`,
    );
    expect(difference!.n).toBe(0);
    expect(await query(db.current.adapter, 'select count(*)::int as n, sum(amount)::int as total from app.events_merged')).toEqual([{ n: 400000, total: 800000 }]);
  });
});
