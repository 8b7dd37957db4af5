import { beforeEach, describe, expect, it } from 'vitest';
import { assembleGraph, buildGraph, execute, plan, selectNodes, sql, type AnyModel, type ModelContext, type SqlTestContext } from '../src/index.js';
import { testDatabaseKinds } from '../src/testing/index.js';
import { landTinyData } from './fixtures/tiny-data.js';
import { dimProduct, factOrders, ordersByProduct, stgProductNames, tinyPackages } from './fixtures/tiny-project.js';
import { useTestDatabase } from './support/database.js';
import { query, redefine } from './support/build.js';

/** The tiny project with data tests on dim_product and fact_orders. */
const testedDim = redefine(dimProduct, {
  columns: {
    product_id: { type: 'bigint', nullable: false, tests: ['unique', 'not_null'] },
    name: { type: 'text', nullable: false, tests: [{ type: 'accepted_values', values: ['kettle', 'toaster', 'mug'], severity: 'warn' }] },
    price: { type: 'numeric(10,2)', nullable: false, tests: [{ type: 'expression', expression: '> 0' }] },
  },
  tests: [{ type: 'row_count', min: 1, max: 1000 }],
});
const testedFact = redefine(factOrders, {
  sql: ({ ref, source }: ModelContext) => sql`
    select o.order_id, o.product_id, o.quantity, o.quantity * p.price as amount
    from ${source('shop', 'orders')} as o join ${ref(testedDim)} as p on p.product_id = o.product_id`,
  columns: {
    ...factOrders.columns,
    product_id: { type: 'bigint', nullable: false, tests: [{ type: 'relationships', to: testedDim, field: 'product_id' }] },
  },
  tests: [
    { type: 'expression', name: 'amount_not_negative', expression: 'amount >= 0' },
    { type: 'unique', columns: ['order_id', 'product_id'] },
    {
      type: 'sql',
      name: 'orders_have_known_products',
      description: 'Every raw order line made it into the fact.',
      sql: ({ self, source }: SqlTestContext) => sql`select o.order_id from ${source('shop', 'orders')} as o where not exists (select from ${self} as f where f.order_id = o.order_id)`,
    },
  ],
});
const packages = (catalog: AnyModel[] = [testedDim, stgProductNames], shop: AnyModel[] = [testedFact, ordersByProduct]) => tinyPackages({ catalogModels: catalog, shopModels: shop });

describe('data test declarations', () => {
  it('become test nodes with derived names, attached to what they test', () => {
    const graph = buildGraph(packages());
    const tests = [...graph.nodes.values()].filter((n) => n.type === 'test').map((n) => [n.name, n.dependsOn]);
    expect(tests.map(([name]) => name).sort()).toEqual([
      'accepted_values_dim_product_name',
      'amount_not_negative',
      expect.stringMatching(/^expression_dim_product_price__[0-9a-f]{8}$/),
      'not_null_dim_product_product_id',
      'orders_have_known_products',
      'relationships_fact_orders_product_id__dim_product',
      'row_count_dim_product',
      'unique_dim_product_product_id',
      'unique_fact_orders_order_id__product_id',
    ]);
    const relationship = graph.nodes.get('test.relationships_fact_orders_product_id__dim_product')!;
    expect(relationship.dependsOn).toEqual(['model.fact_orders', 'model.dim_product']);
    expect(graph.nodes.get('test.orders_have_known_products')!.dependsOn).toEqual(['model.fact_orders', 'source.shop.orders']);
  });

  it('selects tests with the models they test, or by type and name', () => {
    const graph = buildGraph(packages());
    expect(selectNodes(graph, { select: ['fact_orders'] }).tests).toEqual([
      'test.amount_not_negative',
      'test.orders_have_known_products',
      'test.relationships_fact_orders_product_id__dim_product',
      'test.unique_fact_orders_order_id__product_id',
    ]);
    expect(selectNodes(graph, { select: ['test_type:singular'] })).toEqual({ models: [], tests: ['test.orders_have_known_products'], sources: [] });
    expect(selectNodes(graph, { select: ['test_type:not_null'] }).tests).toEqual(['test.not_null_dim_product_product_id']);
    expect(selectNodes(graph, { select: ['dim_product'], exclude: ['test_name:unique_*'] }).tests).toHaveLength(4);
  });

  it('reports bad tests: unknown kinds, columns, targets and names, all at once', () => {
    const bad = redefine(factOrders, {
      columns: {
        ...factOrders.columns,
        product_id: {
          type: 'bigint',
          nullable: false,
          tests: [
            { type: 'relationships', to: 'dim_prodcut', field: 'product_id' },
            { type: 'relationships', to: dimProduct, field: 'sku' },
            { type: 'uniqueness' } as never,
          ],
        },
        quantity: { type: 'integer', nullable: false, tests: [{ type: 'relationships', to: stgProductNames, field: 'product_id' }] },
      },
      tests: [{ type: 'unique', columns: ['order_id', 'line_no'] }, { type: 'expression', expression: 'amount > 0' } as never],
    });
    const messages = assembleGraph(packages([dimProduct, stgProductNames], [bad])).problems.map((p) => p.message);
    expect(messages).toEqual([
      'model fact_orders: column product_id has a test of unknown type "uniqueness" (column tests: unique, not_null, accepted_values, relationships, expression)',
      'model fact_orders: its unique test names column line_no, which it does not have',
      'model fact_orders: its expression test needs a name',
      'model fact_orders: test relationships_fact_orders_product_id__dim_prodcut relates to dim_prodcut, which no package declares; did you mean dim_product?',
      'model fact_orders: test relationships_fact_orders_product_id__dim_product relates to column sku of dim_product, which it does not have',
      'test fact_orders (@t/shop) refs stg_product_names (@t/catalog), which is protected: only models of @t/catalog may ref it',
    ]);
  });
});

describe.each(await testDatabaseKinds())('running data tests on %s', (kind) => {
  const db = useTestDatabase(kind);
  beforeEach(async () => {
    await query(db.current.adapter, 'drop schema if exists catalog, shop, warehouse_audit cascade');
    await landTinyData(db.current.adapter, 30);
  });

  const buildWithTests = (options: { storeFailures?: boolean; select?: string[] } = {}, models = packages()) => {
    const graph = buildGraph(models);
    const selection = selectNodes(graph, { select: options.select ?? [] });
    return execute(plan(graph, selection.models, { targetName: 'test', tests: selection.tests }), db.current.adapter, {
      threads: 2,
      storeFailures: options.storeFailures ?? false,
    });
  };

  it('runs each test after what it tests, all passing on good data', async () => {
    const result = await buildWithTests();
    expect(result.results.filter((r) => r.status !== 'success').map((r) => r.message)).toEqual([]);
    const order = result.results.map((r) => r.name);
    expect(order.indexOf('unique_dim_product_product_id')).toBeGreaterThan(order.indexOf('dim_product'));
    expect(order.indexOf('fact_orders')).toBeGreaterThan(order.indexOf('unique_dim_product_product_id'));
    expect(result.results.find((r) => r.name === 'accepted_values_dim_product_name')!).toMatchObject({ resourceType: 'test', failures: 0, message: 'accepted_values on dim_product.name: passed' });
    // a NOT NULL column cannot hold a null: its not_null test is not queried
    expect(result.results.find((r) => r.name === 'not_null_dim_product_product_id')!).toMatchObject({
      status: 'success',
      message: 'not_null on dim_product.product_id: passed, guaranteed by the NOT NULL constraint on product_id (not queried)',
    });
  });

  it('stops the descendants of a model whose error test fails, storing the failing rows', async () => {
    await query(db.current.adapter, `insert into raw_shop.products (product_id, name, price) values (2, 'toaster', 39.00), (4, 'spoon', 1.00)`);
    const result = await buildWithTests({ storeFailures: true });
    const byName = Object.fromEntries(result.results.map((r) => [r.name, r]));
    expect(Object.values(byName).filter((r) => r.status === 'error').map((r) => r.message)).toEqual([byName.unique_dim_product_product_id!.message]);
    expect(byName.unique_dim_product_product_id).toMatchObject({
      status: 'error',
      failures: 1,
      message: 'unique on dim_product.product_id: 1 failing row(s); stored in warehouse_audit.unique_dim_product_product_id',
    });
    expect(byName.accepted_values_dim_product_name).toMatchObject({ status: 'warn', failures: 1 });
    expect(byName.fact_orders).toMatchObject({ status: 'skipped', message: 'skipped because test unique_dim_product_product_id failed' });
    expect(byName.stg_product_names).toMatchObject({ status: 'skipped' });
    expect(await query(db.current.adapter, 'select product_id, n_records::int as n from warehouse_audit.unique_dim_product_product_id')).toEqual([{ product_id: '2', n: 2 }]);
    expect(await query(db.current.adapter, 'select value from warehouse_audit.accepted_values_dim_product_name')).toEqual([{ value: 'spoon' }]);
  });

  it('judges failures against warnIf and errorIf, and tests only the rows of where', async () => {
    await query(db.current.adapter, `insert into raw_shop.products (product_id, name, price) values (5, 'mug', -1), (6, 'mug', -2)`);
    const tolerant = redefine(testedDim, {
      columns: { ...testedDim.columns, price: { type: 'numeric(10,2)', nullable: false, tests: [{ type: 'expression', expression: '> 0', warnIf: 0, errorIf: 2 }] } },
    });
    const result = await buildWithTests({ select: ['dim_product'] }, packages([tolerant, stgProductNames]));
    expect(result.results.find((r) => r.name.startsWith('expression_dim_product_price'))).toMatchObject({ status: 'warn', failures: 2 });
    const filtered = redefine(testedDim, {
      columns: { ...testedDim.columns, price: { type: 'numeric(10,2)', nullable: false, tests: [{ type: 'expression', expression: '> 0', where: 'product_id < 5' }] } },
    });
    const second = await buildWithTests({ select: ['dim_product'] }, packages([filtered, stgProductNames]));
    expect(second.results.find((r) => r.name.startsWith('expression_dim_product_price'))).toMatchObject({ status: 'success', failures: 0 });
  });

  it('runs tests alone against what is built (warehouse test)', async () => {
    await buildWithTests();
    await query(db.current.adapter, 'delete from catalog.dim_product where product_id = 3');
    const graph = buildGraph(packages());
    const selection = selectNodes(graph, { select: ['fact_orders'] });
    const result = await execute(plan(graph, [], { targetName: 'test', tests: selection.tests }), db.current.adapter, { threads: 1 });
    expect(result.results.every((r) => r.resourceType === 'test')).toBe(true);
    expect(result.results.find((r) => r.name === 'relationships_fact_orders_product_id__dim_product')).toMatchObject({ status: 'error', failures: 1 });
  });
});
