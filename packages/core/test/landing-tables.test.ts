import { describe, expect, it } from 'vitest';
import { createLandingTables, defineSource, summarizeLandingIndexes } from '../src/index.js';
import { testDatabaseKinds } from '../src/testing/index.js';
import { useTestDatabase } from './support/database.js';
import { query } from './support/build.js';

const visits = defineSource({
  system: 'web',
  name: 'visits',
  description: 'Visits as delivered.',
  columns: {
    visit_id: { type: 'bigint', nullable: false },
    visitor_id: { type: 'bigint' },
    updated_at: { type: 'timestamptz', nullable: false },
    _loaded_at: { type: 'timestamptz', nullable: false },
  },
  primaryKey: ['visit_id', 'updated_at'],
  loadedAt: '_loaded_at',
  indexes: [['visitor_id']],
});

describe.each(await testDatabaseKinds())('landing tables on %s', (kind) => {
  const db = useTestDatabase(kind);

  it('creates the table with its key, loaded-at and declared indexes; again, keeping the rows', async () => {
    await createLandingTables(db.current.adapter, [visits]);
    await query(db.current.adapter, `insert into raw_web.visits values (1, 7, now(), now())`);
    // a later version of the source asks for another index: it is added, the rows stay
    await createLandingTables(db.current.adapter, [defineSource({ ...visits, indexes: [['visitor_id'], ['updated_at']] })]);
    const indexes = await query<{ indexname: string; indexdef: string }>(
      db.current.adapter,
      `select indexname, indexdef from pg_indexes where schemaname = 'raw_web' and tablename = 'visits' order by 1`,
    );
    expect(indexes.map((i) => [i.indexname, i.indexdef.replace(/^.* USING /, '')])).toEqual([
      ['visits__ix1', 'btree (visitor_id)'],
      ['visits__ix2', 'btree (updated_at)'],
      ['visits__loaded_at', "brin (_loaded_at) WITH (autosummarize='on')"],
      ['visits__pk', 'btree (visit_id, updated_at)'],
    ]);
    expect(await query(db.current.adapter, 'select visit_id from raw_web.visits')).toEqual([{ visit_id: '1' }]);
    // a row landed without its loaded-at value gets the time of its transaction
    await query(db.current.adapter, `insert into raw_web.visits (visit_id, updated_at) values (2, now())`);
    expect(await query(db.current.adapter, "select _loaded_at > now() - interval '1 minute' as stamped from raw_web.visits where visit_id = 2")).toEqual([{ stamped: true }]);
    // what was appended is summarised in the loaded-at BRIN: nothing is left to summarise
    await summarizeLandingIndexes(db.current.adapter, [visits]);
    expect(await query(db.current.adapter, `select brin_summarize_new_values('raw_web.visits__loaded_at') as left`)).toEqual([{ left: 0 }]);
  });

  it('replaces the B-tree loaded-at index of an earlier version by the BRIN, keeping the rows', async () => {
    await query(db.current.adapter, 'drop schema if exists raw_web cascade');
    await query(db.current.adapter, 'create schema raw_web');
    await query(db.current.adapter, 'create table raw_web.visits (visit_id bigint not null, visitor_id bigint, updated_at timestamptz not null, _loaded_at timestamptz not null)');
    await query(db.current.adapter, 'create index visits__loaded_at on raw_web.visits (_loaded_at)');
    await query(db.current.adapter, `insert into raw_web.visits values (1, 7, now(), now()), (2, 8, now(), now())`);
    await createLandingTables(db.current.adapter, [visits]);
    const [index] = await query<{ indexdef: string }>(db.current.adapter, `select indexdef from pg_indexes where schemaname = 'raw_web' and indexname = 'visits__loaded_at'`);
    expect(index?.indexdef.replace(/^.* USING /, '')).toBe("brin (_loaded_at) WITH (autosummarize='on')");
    expect(await query(db.current.adapter, 'select count(*)::int as n from raw_web.visits')).toEqual([{ n: 2 }]);
    // once it is a BRIN, a second call finds nothing to replace
    const [before] = await query<{ oid: number }>(db.current.adapter, `select 'raw_web.visits__loaded_at'::regclass::oid::int as oid`);
    await createLandingTables(db.current.adapter, [visits]);
    expect(await query(db.current.adapter, `select 'raw_web.visits__loaded_at'::regclass::oid::int as oid`)).toEqual([before]);
  });

  it.runIf(kind === 'pg')('creates the same new tables from sessions side by side (two loads arriving at once)', async () => {
    // each round a system of its own: schema, table and indexes all new, created by both sessions at once
    for (let round = 0; round < 8; round++) {
      const source = defineSource({ ...visits, system: `race${round}` });
      await Promise.all([createLandingTables(db.current.adapter, [source]), createLandingTables(db.current.adapter, [source])]);
      const indexes = await query<{ indexname: string }>(db.current.adapter, `select indexname from pg_indexes where schemaname = 'raw_race${round}' order by 1`);
      expect(indexes.map((i) => i.indexname)).toEqual(['visits__ix1', 'visits__loaded_at', 'visits__pk']);
    }
  });
});
