import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sql, type RawBuilder } from 'kysely';
import { defineModel } from '../src/index.js';
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from '../src/testing/index.js';
import { addTinyOrders, landTinyData } from './fixtures/tiny-data.js';
import { dimProduct, factOrders, ordersByProduct, rawOrders, stgProductNames, tinyPackages } from './fixtures/tiny-project.js';
import { useTestDatabase } from './support/database.js';
import { build, leftovers, query, statusOf } from './support/build.js';

/** fact_orders with another query over the raw orders (and the contract given). */
const brokenFactOrders = (body: (orders: RawBuilder<unknown>) => RawBuilder<unknown>, columns = factOrders.columns) =>
  defineModel({ ...factOrders, columns, sql: ({ source }) => body(source(rawOrders)) });

describe.each(await testDatabaseKinds())('executor on %s', (kind) => {
  const db = useTestDatabase(kind);
  beforeEach(async () => {
    await query(db.current.adapter, 'drop schema if exists catalog, shop, bi cascade');
    await landTinyData(db.current.adapter, 30);
  });

  it('builds the graph in dependency order: tables, views, comments', async () => {
    const result = await build(db.current.adapter, tinyPackages(), { threads: 4 });
    expect(statusOf(result)).toEqual({ dim_product: 'success', fact_orders: 'success', orders_by_product: 'success', stg_product_names: 'success' });
    expect(result.results.find((r) => r.name === 'fact_orders')!.rowsAffected).toBe(30);
    const totals = await query<{ orders: string; amount: string }>(db.current.adapter, 'select sum(orders) as orders, sum(amount) as amount from shop.orders_by_product');
    const expected = await query<{ amount: string }>(
      db.current.adapter,
      'select sum(o.quantity * p.price) as amount from raw_shop.orders o join raw_shop.products p using (product_id)',
    );
    expect(totals[0]).toEqual({ orders: '30', amount: expected[0]!.amount });
    const comment = await query<{ d: string }>(db.current.adapter, `select col_description('catalog.dim_product'::regclass, 1) as d`);
    expect(comment[0]!.d).toBe('Natural key.');
    const columns = await query<{ column_name: string; is_nullable: string }>(
      db.current.adapter,
      `select column_name, is_nullable from information_schema.columns where table_schema = 'shop' and table_name = 'fact_orders' order by ordinal_position`,
    );
    expect(columns).toEqual([
      { column_name: 'order_id', is_nullable: 'NO' },
      { column_name: 'product_id', is_nullable: 'NO' },
      { column_name: 'quantity', is_nullable: 'NO' },
      { column_name: 'amount', is_nullable: 'NO' },
    ]);
    expect(await leftovers(db.current.adapter)).toEqual([]);
  });

  it('rebuilds a table under views that read it, model or not, without dropping them', async () => {
    await build(db.current.adapter, tinyPackages());
    await query(db.current.adapter, 'create schema bi');
    await query(db.current.adapter, 'create view bi.big_orders with (security_barrier=true) as select order_id from shop.fact_orders where quantity >= 3');
    await addTinyOrders(db.current.adapter, 31, 60);
    const result = await build(db.current.adapter, tinyPackages(), { select: ['fact_orders'] });
    expect(statusOf(result)).toEqual({ fact_orders: 'success' });
    expect(await query(db.current.adapter, 'select sum(orders)::int as n from shop.orders_by_product')).toEqual([{ n: 60 }]);
    expect(await query(db.current.adapter, 'select count(*)::int as n from bi.big_orders')).toEqual([{ n: 36 }]);
    const options = await query<{ reloptions: string[] }>(db.current.adapter, `select reloptions from pg_class where oid = 'bi.big_orders'::regclass`);
    expect(options[0]!.reloptions).toEqual(['security_barrier=true']);
    expect(await leftovers(db.current.adapter)).toEqual([]);
  });

  it('keeps the previous table when a model fails, and skips only its descendants', async () => {
    await build(db.current.adapter, tinyPackages());
    await addTinyOrders(db.current.adapter, 31, 40);
    const broken = brokenFactOrders((orders) => sql`select o.order_id, o.product_id, o.quantity,
  o.quantity * o.no_such_column as amount
from ${orders} as o`);
    const result = await build(db.current.adapter, tinyPackages({ shopModels: [broken, ordersByProduct] }), { threads: 2 });
    expect(statusOf(result)).toEqual({ dim_product: 'success', fact_orders: 'error', orders_by_product: 'skipped', stg_product_names: 'success' });
    const failure = result.results.find((r) => r.name === 'fact_orders')!;
    expect(failure.error).toMatchObject({ code: 'SQL_FAILED', sqlState: '42703', line: 2, column: 16, compiledPath: 'target/compiled/shop/fact_orders.sql' });
    expect(failure.message).toMatch(/^model fact_orders failed: column o\.no_such_column does not exist .*at line 2, column 16 of target\/compiled\/shop\/fact_orders\.sql$/);
    expect(result.results.find((r) => r.name === 'orders_by_product')!).toMatchObject({ skippedBecause: 'fact_orders', message: 'skipped because fact_orders failed' });
    expect(await query(db.current.adapter, 'select count(*)::int as n from shop.fact_orders')).toEqual([{ n: 30 }]);
    expect(await leftovers(db.current.adapter)).toEqual([]);
  });

  it('fails a model whose query does not match its contract, listing each column', async () => {
    await build(db.current.adapter, tinyPackages());
    const drifted = brokenFactOrders((orders) => sql`select o.order_id::int as order_id, o.quantity, 1 as extra, 0::numeric as amount from ${orders} as o`);
    const result = await build(db.current.adapter, tinyPackages({ shopModels: [drifted, ordersByProduct] }), { select: ['fact_orders'] });
    expect(result.results[0]!.error!.code).toBe('CONTRACT_MISMATCH');
    expect(result.results[0]!.message).toBe(
      [
        'model fact_orders: the query does not match its contract (3 difference(s)):',
        '  - order_id: expected bigint, got integer',
        '  - product_id: expected bigint, but the query has no such column',
        '  - extra: not in the contract (the query returns it as integer)',
      ].join('\n'),
    );
    expect(await query(db.current.adapter, 'select count(*)::int as n from shop.fact_orders')).toEqual([{ n: 30 }]);
  });

  it('reports a null in a NOT NULL contract column with the model, column and row', async () => {
    const nulls = brokenFactOrders((orders) => sql`select o.order_id, o.product_id, o.quantity, case when o.order_id = 7 then null else 1.5 end::numeric as amount from ${orders} as o`);
    const result = await build(db.current.adapter, tinyPackages({ shopModels: [nulls, ordersByProduct] }), { select: ['fact_orders'] });
    expect(result.results[0]!.error).toMatchObject({ sqlState: '23502' });
    expect(result.results[0]!.message).toMatch(/^model fact_orders failed: null value in column "amount" of relation "fact_orders" violates not-null constraint; detail: Failing row contains \(7, 2, 3, null\)/);
  });

  it('replaces a view with a table and back when the materialization changes', async () => {
    await build(db.current.adapter, tinyPackages());
    const asTable = defineModel({ ...stgProductNames, materialized: 'table' });
    await build(db.current.adapter, tinyPackages({ catalogModels: [dimProduct, asTable] }), { select: ['stg_product_names'] });
    expect(await query(db.current.adapter, `select relkind from pg_class where oid = 'catalog.stg_product_names'::regclass`)).toEqual([{ relkind: 'r' }]);
    await build(db.current.adapter, tinyPackages(), { select: ['stg_product_names'] });
    expect(await query(db.current.adapter, `select relkind from pg_class where oid = 'catalog.stg_product_names'::regclass`)).toEqual([{ relkind: 'v' }]);
    expect(await query(db.current.adapter, 'select count(*)::int as n from catalog.stg_product_names')).toEqual([{ n: 3 }]);
  });

  it('refuses to replace a table that a view still needs, keeping both', async () => {
    await build(db.current.adapter, tinyPackages());
    await query(db.current.adapter, 'create schema bi');
    await query(db.current.adapter, 'create view bi.quantities as select quantity from shop.fact_orders');
    const withoutQuantity = brokenFactOrders((orders) => sql`select o.order_id, o.product_id, 0::numeric as amount from ${orders} as o`, {
      order_id: factOrders.columns.order_id,
      product_id: factOrders.columns.product_id,
      amount: factOrders.columns.amount,
    } as never);
    const result = await build(db.current.adapter, tinyPackages({ shopModels: [withoutQuantity] }), { select: ['fact_orders'] });
    expect(result.results[0]!.error!.code).toBe('DEPENDENT_OBJECT');
    expect(result.results[0]!.message).toMatch(/^cannot replace shop\.fact_orders: view bi\.quantities reads it and no longer fits the new version/);
    expect(await query(db.current.adapter, 'select count(*)::int as n from bi.quantities')).toEqual([{ n: 30 }]);
    expect(await leftovers(db.current.adapter)).toEqual([]);
  });

  it('stops starting models once cancelled, reporting the rest as skipped', async () => {
    const controller = new AbortController();
    const result = await build(db.current.adapter, tinyPackages(), {
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === 'node-finished' && event.result.name === 'dim_product') controller.abort();
      },
    });
    expect(result.cancelled).toBe(true);
    expect(statusOf(result)).toEqual({ dim_product: 'success', fact_orders: 'skipped', orders_by_product: 'skipped', stg_product_names: 'skipped' });
  });
});

describe.each(await testDatabaseKinds())('contract constraints on %s', (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
    await landTinyData(database.adapter, 5);
  });
  afterAll(async () => {
    await database?.dispose();
  });

  it('creates the primary key of the contract, and a duplicate fails naming it, keeping the table', async () => {
    const keyed = defineModel({ ...dimProduct, contract: { enforced: true, primaryKey: ['product_id'] } });
    const first = await build(database.adapter, tinyPackages({ catalogModels: [keyed] }), { select: ['dim_product'] });
    expect(first.results[0]!.status).toBe('success');
    expect(await query(database.adapter, `select conname, contype from pg_constraint where conrelid = 'catalog.dim_product'::regclass and contype = 'p'`)).toEqual([
      { conname: 'dim_product__pk', contype: 'p' },
    ]);
    await query(database.adapter, `insert into raw_shop.products (product_id, name, price) values (1, 'kettle again', 30)`);
    const second = await build(database.adapter, tinyPackages({ catalogModels: [keyed] }), { select: ['dim_product'] });
    expect(second.results[0]!.message).toBe('model dim_product failed: could not create unique index "dim_product__pk"; detail: Key (product_id)=(1) is duplicated. (SQLSTATE 23505)');
    expect(await query(database.adapter, 'select count(*)::int as n from catalog.dim_product')).toEqual([{ n: 3 }]);
    // and a rebuild after the fix swaps in a table with the constraint under its final name again
    await query(database.adapter, `delete from raw_shop.products where name = 'kettle again'`);
    await build(database.adapter, tinyPackages({ catalogModels: [keyed] }), { select: ['dim_product'] });
    expect(await query(database.adapter, `select conname from pg_constraint where conrelid = 'catalog.dim_product'::regclass and contype = 'p'`)).toEqual([{ conname: 'dim_product__pk' }]);
  });
});
