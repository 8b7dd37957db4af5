import { beforeEach, describe, expect, it } from 'vitest';
import { buildGraph, defineModel, defineSource, plan, selectNodes, sql, type AnyModel, type WarehousePackage } from '../src/index.js';
import { testDatabaseKinds, type TestDatabase } from '../src/testing/index.js';
import { useTestDatabase } from './support/database.js';
import { build, query } from './support/build.js';

/** A CRM that keeps every version of a person (a change log), with deletions as versions. */
const peopleLog = defineSource({
  system: 'crm',
  name: 'people_log',
  description: 'Every version of every person.',
  columns: {
    person_id: { type: 'bigint', nullable: false },
    city: { type: 'text', nullable: false },
    visits: { type: 'integer', nullable: false },
    is_deleted: { type: 'boolean', nullable: false },
    updated_at: { type: 'timestamptz', nullable: false },
  },
  primaryKey: ['person_id', 'updated_at'],
  loadedAt: 'updated_at',
});

/** A system that only shows the current state: rows change in place and disappear when deleted. */
const peopleNow = defineSource({
  system: 'crm',
  name: 'people_now',
  description: 'People as they are now.',
  columns: {
    person_id: { type: 'bigint', nullable: false },
    city: { type: 'text', nullable: false },
    visits: { type: 'integer', nullable: false },
  },
  primaryKey: ['person_id'],
  loadedAt: 'person_id',
});

const snapshotColumns = {
  valid_from: { type: 'timestamptz', nullable: false },
  valid_to: { type: 'timestamptz' },
  is_current: { type: 'boolean', nullable: false },
} as const;

const fromLog = defineModel({
  name: 'people_history',
  domain: 'crm',
  kind: 'dim',
  description: 'People, SCD2 from the change log.',
  owner: 'o',
  grain: ['person_id', 'valid_from'],
  materialized: 'snapshot',
  snapshot: { uniqueKey: ['person_id'], strategy: 'timestamp', updatedAt: 'updated_at', deletedFlag: 'is_deleted', overwriteColumns: ['visits'], rebuildable: true },
  columns: {
    person_id: { type: 'bigint', nullable: false },
    city: { type: 'text', nullable: false },
    visits: { type: 'integer', nullable: false },
    updated_at: { type: 'timestamptz', nullable: false },
    ...snapshotColumns,
  },
  // visits is a type 1 column: every version shows the latest count
  sql: ({ source }) => sql`
    select person_id, city, last_value(visits) over (partition by person_id order by updated_at rows between unbounded preceding and unbounded following) as visits,
           updated_at, is_deleted
    from ${source(peopleLog)}`,
});

const fromState = defineModel({
  name: 'people_checked',
  domain: 'crm',
  kind: 'dim',
  description: 'People, SCD2 by comparing the current state on every run.',
  owner: 'o',
  grain: ['person_id', 'valid_from'],
  materialized: 'snapshot',
  snapshot: { uniqueKey: ['person_id'], strategy: 'check', checkColumns: ['city'] },
  columns: {
    person_id: { type: 'bigint', nullable: false },
    city: { type: 'text', nullable: false },
    visits: { type: 'integer', nullable: false },
    ...snapshotColumns,
  },
  sql: ({ source }) => sql`select person_id, city, visits from ${source(peopleNow)}`,
});

/** The same history, reading only the people with versions newer than the newest kept. */
const fromLogChanges = defineModel({
  ...fromLog,
  name: 'people_history_changes',
  snapshot: { ...fromLog.snapshot!, hardDeletes: 'ignore' },
  sql: ({ source, isIncremental, selfMax }) => sql`
    select person_id, city, last_value(visits) over (partition by person_id order by updated_at rows between unbounded preceding and unbounded following) as visits,
           updated_at, is_deleted
    from ${source(peopleLog)}
    ${isIncremental() ? sql`where person_id in (select person_id from ${source(peopleLog)} where updated_at > ${selfMax('updated_at')})` : sql``}`,
});

const packages = (models: AnyModel[]): WarehousePackage[] => [
  { name: '@t/sources', version: '1', dependencies: [], models: [], sources: [peopleLog, peopleNow] },
  { name: '@t/crm', version: '1', domain: 'crm', dependencies: ['@t/sources'], models, sources: [] },
];

/** [person, city, visits, deleted, hour] rows for the log. */
const logRows = (rows: Array<[number, string, number, boolean, number]>) =>
  `insert into raw_crm.people_log values ${rows.map(([id, city, visits, deleted, hour]) => `(${id}, '${city}', ${visits}, ${deleted}, timestamptz '2025-01-01 00:00+00' + interval '${hour} hours')`).join(', ')}`;

const history = (database: TestDatabase, schema = 'crm', table = 'people_history') =>
  query<{ r: string }>(
    database.adapter,
    `select (person_id, city, visits, to_char(valid_from at time zone 'UTC', 'DD HH24'), coalesce(to_char(valid_to at time zone 'UTC', 'DD HH24'), '-'), is_current)::text as r
     from ${schema}.${table} order by person_id, valid_from`,
  ).then((rows) => rows.map((r) => r.r));

describe('tests on a snapshot', () => {
  it('takes a unique test on the entity key and valid_from as guaranteed by the unique index, and queries the others', () => {
    const tested = defineModel({
      ...fromLog,
      contract: { enforced: true },
      tests: [
        { type: 'unique', columns: ['valid_from', 'person_id'] },
        { type: 'unique', columns: ['person_id'] },
      ],
    });
    const graph = buildGraph(packages([tested]));
    const selection = selectNodes(graph, { select: [] });
    const tests = plan(graph, selection.models, { targetName: 'test', tests: selection.tests }).tests;
    expect(Object.fromEntries(tests.map((t) => [t.name, t.guaranteedBy]))).toEqual({
      unique_people_history_valid_from__person_id: 'the unique index on (valid_from, person_id)',
      unique_people_history_person_id: undefined,
    });
  });
});

describe.each(await testDatabaseKinds())('snapshots on %s', (kind) => {
  const db = useTestDatabase(kind);
  beforeEach(async () => {
    await query(db.current.adapter, 'drop schema if exists crm, full_crm, raw_crm cascade');
    await query(db.current.adapter, 'create schema raw_crm');
    await query(db.current.adapter, 'create table raw_crm.people_log (person_id bigint not null, city text not null, visits integer not null, is_deleted boolean not null, updated_at timestamptz not null)');
    await query(db.current.adapter, 'create table raw_crm.people_now (person_id bigint not null, city text not null, visits integer not null)');
  });

  it('keeps every version from a change log, closes deleted people, and rebuilds the same history', async () => {
    await query(db.current.adapter, logRows([[1, 'Oslo', 1, false, 1], [2, 'Rome', 1, false, 2]]));
    await build(db.current.adapter, packages([fromLog]));
    // two changes of person 1 between runs, person 2 deleted, person 3 new
    await query(db.current.adapter, logRows([[1, 'Bergen', 2, false, 30], [1, 'Paris', 3, false, 40], [2, 'Rome', 1, true, 35], [3, 'Lima', 1, false, 36]]));
    const second = await build(db.current.adapter, packages([fromLog]));
    expect(second.results[0]!.message).toBe('built snapshot: 3 new version(s), 2 closed, 1 refreshed');
    // nothing new: nothing changes
    expect((await build(db.current.adapter, packages([fromLog]))).results[0]!.message).toBe('built snapshot: 0 new version(s), 0 closed, 0 refreshed');
    const expected = [
      '(1,Oslo,3,"01 01","02 06",f)',
      '(1,Bergen,3,"02 06","02 16",f)',
      '(1,Paris,3,"02 16",-,t)',
      '(2,Rome,1,"01 02","02 11",f)',
      '(3,Lima,1,"02 12",-,t)',
    ];
    expect(await history(db.current)).toEqual(expected);
    await build(db.current.adapter, packages([fromLog]), { schemaPrefix: 'full_', fullRefresh: true });
    expect(await history(db.current, 'full_crm')).toEqual(expected);
    // --full-refresh of a rebuildable snapshot rebuilds it in place with the same rows
    await build(db.current.adapter, packages([fromLog]), { fullRefresh: true });
    expect(await history(db.current)).toEqual(expected);
  });

  it('reads only the changed people on later runs, with the same history as reading them all', async () => {
    await query(db.current.adapter, logRows([[1, 'Oslo', 1, false, 1], [2, 'Rome', 1, false, 2], [4, 'Kyiv', 1, false, 3]]));
    await build(db.current.adapter, packages([fromLog, fromLogChanges]));
    await query(db.current.adapter, logRows([[1, 'Bergen', 2, false, 30], [1, 'Paris', 3, false, 40], [2, 'Rome', 1, true, 35], [3, 'Lima', 1, false, 36]]));
    const second = await build(db.current.adapter, packages([fromLog, fromLogChanges]));
    // person 4 is not in the partial read, and is not taken for deleted
    expect(second.results.map((r) => r.message)).toEqual([
      'built snapshot: 3 new version(s), 2 closed, 1 refreshed',
      'built snapshot: 3 new version(s), 2 closed, 1 refreshed',
    ]);
    expect(await history(db.current, 'crm', 'people_history_changes')).toEqual(await history(db.current));
    expect(await history(db.current)).toContain('(4,Kyiv,1,"01 03",-,t)');
  });

  it('versions a current-state source by comparing columns, closing rows that disappear', async () => {
    await query(db.current.adapter, `insert into raw_crm.people_now values (1, 'Oslo', 1), (2, 'Rome', 1)`);
    await build(db.current.adapter, packages([fromState]));
    await query(db.current.adapter, `update raw_crm.people_now set visits = 5 where person_id = 2`); // not a checked column
    await query(db.current.adapter, `update raw_crm.people_now set city = 'Bergen' where person_id = 1`);
    await query(db.current.adapter, `insert into raw_crm.people_now values (3, 'Lima', 1)`);
    const second = await build(db.current.adapter, packages([fromState]));
    expect(second.results[0]!.message).toBe('built snapshot: 2 new version(s), 1 closed, 0 refreshed');
    await query(db.current.adapter, `delete from raw_crm.people_now where person_id = 3`);
    expect((await build(db.current.adapter, packages([fromState]))).results[0]!.message).toBe('built snapshot: 0 new version(s), 1 closed, 0 refreshed');
    const rows = await query<{ person_id: string; city: string; current: boolean }>(
      db.current.adapter,
      'select person_id, city, is_current as current from crm.people_checked order by person_id, valid_from',
    );
    expect(rows).toEqual([
      { person_id: '1', city: 'Oslo', current: false },
      { person_id: '1', city: 'Bergen', current: true },
      { person_id: '2', city: 'Rome', current: true },
      { person_id: '3', city: 'Lima', current: false },
    ]);
    // a not-rebuildable snapshot keeps its history through --full-refresh
    await build(db.current.adapter, packages([fromState]), { fullRefresh: true });
    expect((await query(db.current.adapter, 'select count(*)::int as n from crm.people_checked'))[0]).toEqual({ n: 4 });
  });

  it('refuses two rows for one person and version, keeping the table', async () => {
    await query(db.current.adapter, logRows([[1, 'Oslo', 1, false, 1]]));
    await build(db.current.adapter, packages([fromLog]));
    await query(db.current.adapter, logRows([[1, 'Bergen', 1, false, 5], [1, 'Paris', 1, false, 5]]));
    const result = await build(db.current.adapter, packages([fromLog]));
    expect(result.results[0]!.message).toMatch(/^model people_history: the snapshot query returned 2 rows for person_id=1 valid from .*; it must return one row per entity and version$/);
    expect(await history(db.current)).toEqual(['(1,Oslo,1,"01 01",-,t)']);
  });
});
