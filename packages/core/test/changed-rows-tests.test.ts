import { beforeEach, describe, expect, it } from 'vitest';
import { buildGraph, defineModel, defineSource, ensureRunHistory, execute, plan, recordRun, selectNodes, sql, testScopesFromHistory, type RunResult } from '../src/index.js';
import { testDatabaseKinds } from '../src/testing/index.js';
import { useTestDatabase } from './support/database.js';
import { query } from './support/build.js';

const payments = defineSource({
  system: 'pay',
  name: 'payments',
  description: 'Payments as delivered.',
  columns: {
    payment_id: { type: 'bigint', nullable: false },
    method: { type: 'text', nullable: false },
    amount: { type: 'integer', nullable: false },
    reference: { type: 'text', nullable: false },
    _loaded_at: { type: 'timestamptz', nullable: false },
  },
  primaryKey: ['payment_id', '_loaded_at'],
  loadedAt: '_loaded_at',
});

/** Payments merged by id: a night's run writes only the payments delivered since the last. */
const factPayments = defineModel({
  name: 'fact_payments',
  domain: 'pay',
  kind: 'fact',
  description: 'One row per payment.',
  owner: 'o',
  grain: ['payment_id'],
  materialized: 'incremental',
  incremental: { strategy: 'merge' },
  columns: {
    payment_id: { type: 'bigint', nullable: false },
    method: { type: 'text', nullable: false, tests: [{ type: 'accepted_values', values: ['card', 'cash'] }] },
    amount: { type: 'integer', nullable: false, tests: [{ type: 'expression', expression: '> 0' }, { type: 'expression', name: 'amount_small', expression: '< 1000', scope: 'all' }] },
    reference: { type: 'text', nullable: false, tests: ['unique'] },
    _loaded_at: { type: 'timestamptz', nullable: false },
  },
  tests: [{ type: 'row_count', min: 1 }],
  sql: ({ source, selfMax }) => sql`
    select distinct on (payment_id) payment_id, method, amount, reference, _loaded_at
    from ${source(payments)} where _loaded_at > ${selfMax('_loaded_at')} order by payment_id, _loaded_at desc`,
});

const packages = [
  { name: '@t/sources', version: '1', dependencies: [], models: [], sources: [payments] },
  { name: '@t/pay', version: '1', domain: 'pay', dependencies: ['@t/sources'], models: [factPayments], sources: [] },
];

describe.each(await testDatabaseKinds())('tests on the rows an incremental run changed, on %s', (kind) => {
  const db = useTestDatabase(kind);
  let hour = 0;
  const deliver = (rows: Array<[number, string, number, string]>) =>
    query(
      db.current.adapter,
      `insert into raw_pay.payments values ${rows.map(([id, method, amount, ref]) => `(${id}, '${method}', ${amount}, '${ref}', timestamptz '2025-01-01 00:00+00' + interval '${++hour} hours')`).join(', ')}`,
    );

  /** A build as the runner does it: tests verified since the model's last build may be scoped. */
  const build = async (fullRefresh = false): Promise<Record<string, Pick<RunResult['results'][number], 'status' | 'testedRows' | 'failures'>>> => {
    const graph = buildGraph(packages);
    const selection = selectNodes(graph, {});
    const built = plan(graph, selection.models, { targetName: 'test', tests: selection.tests, fullRefresh });
    const result = await execute(built, db.current.adapter, { threads: 1, ...(await testScopesFromHistory(db.current.adapter, 'test', built)) });
    await recordRun(db.current.adapter, 'build', result);
    return Object.fromEntries(
      result.results.map((r) => [r.name.replace(/__[0-9a-f]{8}$/, ''), { status: r.status, ...(r.testedRows ? { testedRows: r.testedRows } : {}), ...(r.failures === undefined ? {} : { failures: r.failures }) }]),
    );
  };

  beforeEach(async () => {
    await query(db.current.adapter, 'drop schema if exists pay, raw_pay, warehouse_changes, warehouse_meta cascade');
    await query(db.current.adapter, 'create schema raw_pay');
    await query(db.current.adapter, 'create table raw_pay.payments (payment_id bigint not null, method text not null, amount integer not null, reference text not null, _loaded_at timestamptz not null)');
    await deliver([[1, 'card', 10, 'r1'], [2, 'cash', 20, 'r2']]);
  });

  it('tests the whole table first, then only the rows a run wrote; some tests always whole', async () => {
    expect(await build()).toEqual({
      fact_payments: { status: 'success' },
      accepted_values_fact_payments_method: { status: 'success', testedRows: 'all', failures: 0 },
      expression_fact_payments_amount: { status: 'success', testedRows: 'all', failures: 0 },
      amount_small: { status: 'success', testedRows: 'all', failures: 0 },
      unique_fact_payments_reference: { status: 'success', testedRows: 'all', failures: 0 },
      row_count_fact_payments: { status: 'success', testedRows: 'all', failures: 0 },
    });
    // a bad row already in the table is not what tonight's run wrote: the scoped tests skip it
    await query(db.current.adapter, `update pay.fact_payments set method = 'cheque' where payment_id = 1`);
    await deliver([[3, 'card', 30, 'r3']]);
    const second = await build();
    expect(second.accepted_values_fact_payments_method).toEqual({ status: 'success', testedRows: 'changed', failures: 0 });
    expect(second.expression_fact_payments_amount).toMatchObject({ testedRows: 'changed' });
    expect(second.unique_fact_payments_reference).toMatchObject({ testedRows: 'changed' });
    expect(second.amount_small).toMatchObject({ testedRows: 'all' });
    expect(second.row_count_fact_payments).toMatchObject({ testedRows: 'all' });
    // warehouse test checks whole tables, and finds it
    const graph = buildGraph(packages);
    const alone = await execute(plan(graph, [], { targetName: 'test', tests: selectNodes(graph, {}).tests }), db.current.adapter, { threads: 1 });
    expect(alone.results.find((r) => r.name === 'accepted_values_fact_payments_method')).toMatchObject({ status: 'error', testedRows: 'all', failures: 1 });
    // a full refresh rebuilds from the source and tests everything
    expect((await build(true)).accepted_values_fact_payments_method).toEqual({ status: 'success', testedRows: 'all', failures: 0 });
  });

  it('finds bad rows among the changed ones, including a new key that collides with an old row', async () => {
    await build();
    await deliver([[3, 'cheque', 30, 'r1'], [4, 'card', -5, 'r4']]);
    const night = await build();
    expect(night.accepted_values_fact_payments_method).toEqual({ status: 'error', testedRows: 'changed', failures: 1 });
    expect(night.expression_fact_payments_amount).toEqual({ status: 'error', testedRows: 'changed', failures: 1 });
    // r1 is on payment 1 (old) and payment 3 (new)
    expect(night.unique_fact_payments_reference).toEqual({ status: 'error', testedRows: 'changed', failures: 1 });
  });

  it('tests the whole table again until a test that failed passes', async () => {
    await build();
    await deliver([[3, 'cheque', 30, 'r3']]);
    expect((await build()).accepted_values_fact_payments_method).toMatchObject({ status: 'error', testedRows: 'changed' });
    // the next night does not touch payment 3, but the failed test looks at every row
    await deliver([[4, 'card', 40, 'r4']]);
    expect((await build()).accepted_values_fact_payments_method).toEqual({ status: 'error', testedRows: 'all', failures: 1 });
    await deliver([[3, 'card', 30, 'r3']]);
    expect((await build()).accepted_values_fact_payments_method).toEqual({ status: 'success', testedRows: 'all', failures: 0 });
    await deliver([[5, 'card', 50, 'r5']]);
    expect((await build()).accepted_values_fact_payments_method).toEqual({ status: 'success', testedRows: 'changed', failures: 0 });
  });
});

describe.each(await testDatabaseKinds())('tests on a source, over the rows landed since they last passed, on %s', (kind) => {
  const db = useTestDatabase(kind);
  const tested = defineSource({
    ...payments,
    columns: { ...payments.columns, method: { ...payments.columns.method, tests: [{ type: 'accepted_values', values: ['card', 'cash'] }] } },
  });
  const graph = buildGraph([{ name: '@t/sources', version: '1', dependencies: [], models: [], sources: [tested] }]);
  let hour = 0;
  const deliver = (method: string) =>
    query(db.current.adapter, `insert into raw_pay.payments values (${++hour}, '${method}', 10, 'r${hour}', timestamptz '2025-01-01 00:00+00' + interval '${hour} hours')`);

  /** The statements the last build ran. */
  let statements: string[] = [];
  /** A build of the source's tests, as the runner does it. */
  const build = async () => {
    const built = plan(graph, [], { targetName: 'test', tests: selectNodes(graph, {}).tests });
    statements = [];
    const onEvent = (event: { type: string; sql?: string }) => {
      if (event.type === 'query' && event.sql) statements.push(event.sql);
    };
    const result = await execute(built, db.current.adapter, { threads: 1, onEvent, ...(await testScopesFromHistory(db.current.adapter, 'test', built)) });
    await recordRun(db.current.adapter, 'build', result);
    const { status, testedRows, failures, checkedThrough, message } = result.results[0]!;
    return { status, testedRows, failures, checkedThrough: checkedThrough?.slice(0, 13), message, through: checkedThrough };
  };

  beforeEach(async () => {
    await query(db.current.adapter, 'drop schema if exists raw_pay, warehouse_meta cascade');
    await query(db.current.adapter, 'create schema raw_pay');
    await query(db.current.adapter, 'create table raw_pay.payments (payment_id bigint not null, method text not null, amount integer not null, reference text not null, _loaded_at timestamptz not null)');
    hour = 0;
    await deliver('card');
  });

  it('reads a run history written before checked_through existed', async () => {
    await ensureRunHistory(db.current.adapter);
    await query(db.current.adapter, 'alter table warehouse_meta.node_results drop column checked_through');
    expect(await build()).toMatchObject({ status: 'success', testedRows: 'all', checkedThrough: '2025-01-01 01' });
  });

  it('tests the whole table first, then the rows landed since, until a test fails', async () => {
    expect(await build()).toMatchObject({ status: 'success', testedRows: 'all', failures: 0, checkedThrough: '2025-01-01 01' });
    await deliver('cash');
    expect(await build()).toMatchObject({
      status: 'success',
      testedRows: 'changed',
      checkedThrough: '2025-01-01 02',
      message: expect.stringContaining('(rows landed after 2025-01-01 01:00:00'),
    });
    await deliver('cheque');
    expect(await build()).toMatchObject({ status: 'error', testedRows: 'changed', failures: 1 });
    // nothing new landed, but the failed test looks at every row again
    expect(await build()).toMatchObject({ status: 'error', testedRows: 'all', failures: 1 });
    await query(db.current.adapter, `delete from raw_pay.payments where method = 'cheque'`);
    expect(await build()).toMatchObject({ status: 'success', testedRows: 'all', failures: 0 });
    await deliver('card');
    expect(await build()).toMatchObject({ status: 'success', testedRows: 'changed', checkedThrough: '2025-01-01 04' });
  });

  it('looks for the newest landed row only among the rows landed since, and keeps its mark when none landed', async () => {
    const first = await build();
    // the first run has no mark: the newest of the whole table
    expect(statements[0]).toBe('select max("_loaded_at")::text as through from "raw_pay"."payments"');
    await deliver('cash');
    // bounded by the mark, so the landed-at BRIN skips the page ranges tested before
    expect(await build()).toMatchObject({ status: 'success', testedRows: 'changed', checkedThrough: '2025-01-01 02' });
    expect(statements[0]).toBe(`select max("_loaded_at")::text as through from "raw_pay"."payments" where "_loaded_at" > '${first.through}'`);
    // nothing landed since: the mark stays, and no row is tested again
    expect(await build()).toMatchObject({ status: 'success', testedRows: 'changed', failures: 0, checkedThrough: '2025-01-01 02' });
    await deliver('cheque');
    expect(await build()).toMatchObject({ status: 'error', testedRows: 'changed', failures: 1, checkedThrough: '2025-01-01 03' });
  });
});
