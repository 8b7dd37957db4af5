import { describe, expect, expectTypeOf, it } from 'vitest';
import { dimProduct, factOrders, rawProducts, shopModel } from '../../test/fixtures/tiny-project.js';
import { renderModelSql, type RelationNames } from '../compile/render-model-sql.js';
import { defineModel, type ModelRow } from './define-model.js';
import { sql } from 'kysely';

const names: RelationNames = {
  modelSchema: (name) => ({ dim_product: 'catalog', fact_orders: 'shop' })[name],
  resolveModel: (name) => (['dim_product', 'fact_orders'].includes(name) ? name : undefined),
  sourceSchema: (system) => `raw_${system}`,
};
const testModel = (name: string, sqlBody: Parameters<typeof defineModel>[0]['sql'], materialized: 'view' | 'table' = 'view') => shopModel(name, sqlBody, { materialized });

const render = (model: Parameters<typeof renderModelSql>[0], incremental = false) =>
  renderModelSql(model, names, { targetName: 'test', incremental });

describe('defineModel', () => {
  it('fills in defaults: protected access, enforced contract, no tags, and where it was declared', () => {
    const model = defineModel({
      name: 'm',
      domain: 'd',
      kind: 'dim',
      description: 'x',
      owner: 'o',
      grain: ['id'],
      materialized: 'view',
      columns: { id: { type: 'integer' } },
      sql: () => sql`select 1 as id`,
    });
    expect(model.access).toBe('protected');
    expect(model.contract).toEqual({ enforced: true });
    expect(model.tags).toEqual([]);
    expect(model.definedAt).toMatch(/define-model\.test\.ts:\d+$/);
    expect(Object.isFrozen(model)).toBe(true);
  });

  it('types a ref by the referenced model contract', () => {
    type Row = ModelRow<typeof dimProduct>;
    expectTypeOf<Row>().toEqualTypeOf<{ product_id: string; name: string; price: string }>();
    defineModel({
      name: 'typed',
      domain: 'shop',
      kind: 'fact',
      description: 'x',
      owner: 'o',
      grain: ['product_id'],
      materialized: 'view',
      columns: { product_id: { type: 'bigint', nullable: false } },
      sql: ({ db, ref }) => {
        const query = db.selectFrom(ref(dimProduct).as('p')).select(['p.product_id', 'p.price']);
        expectTypeOf(query.compile().sql).toBeString();
        // @ts-expect-error: the contract of dim_product has no column `colour`
        db.selectFrom(ref(dimProduct).as('p')).select(['p.colour']);
        return query;
      },
    });
  });
});

describe('renderModelSql', () => {
  it('resolves ref and source to quoted, qualified relations and records them', () => {
    const rendered = render(factOrders);
    expect(rendered.sql).toMatchInlineSnapshot(`
      "select o.order_id, o.product_id, o.quantity, o.quantity * p.price as amount
          from "raw_shop"."orders" as o
          join "catalog"."dim_product" as p on p.product_id = o.product_id"
    `);
    expect(rendered.refs).toEqual(['dim_product']);
    expect(rendered.sources).toEqual(['shop.orders']);
    expect(rendered.missingRefs).toEqual([]);
  });

  it('compiles a query-builder body with values written as literals', () => {
    const model = defineModel({
      name: 'expensive',
      domain: 'shop',
      kind: 'fact',
      description: 'x',
      owner: 'o',
      grain: ['product_id'],
      materialized: 'view',
      columns: { product_id: { type: 'bigint', nullable: false } },
      sql: ({ db, ref }) =>
        db.selectFrom(ref(dimProduct).as('p')).select('p.product_id').where('p.price', '>', '10.5').where('p.name', '<>', "O'Brien"),
    });
    expect(render(model).sql).toBe(
      `select "p"."product_id" from "catalog"."dim_product" as "p" where "p"."price" > '10.5' and "p"."name" <> 'O''Brien'`,
    );
  });

  it('gives the same text for the same model every time', () => {
    expect(render(factOrders).sql).toBe(render(factOrders).sql);
  });

  it('records refs by name, and names it cannot resolve as missing', () => {
    const model = testModel('by_name', ({ ref, source }) => sql`select 1 as id from ${ref('dim_product')}, ${ref('nope')}, ${source('shop', 'products')}`);
    const rendered = render(model);
    expect(rendered.refs).toEqual(['dim_product']);
    expect(rendered.missingRefs).toEqual(['nope']);
    expect(rendered.sources).toEqual(['shop.products']);
  });

  it('passes isIncremental() through, so bodies can branch on it', () => {
    const model = testModel('inc', ({ isIncremental, source, self }) =>
        isIncremental()
          ? sql`select product_id as id from ${source(rawProducts)} where product_id > (select max(id) from ${self})`
          : sql`select product_id as id from ${source(rawProducts)}`, 'table');
    expect(render(model, true).sql).toContain('where product_id >');
    expect(render(model, false).sql).not.toContain('where');
  });

  it('reports a body that throws as MODEL_SQL_FAILED naming the model and its file', () => {
    // declared here, so the message names this file
    const model = defineModel({ ...factOrders, name: 'broken', sql: () => {
        throw new Error('boom');
      } });
    expect(() => render(model)).toThrowError(/^model broken \(.*define-model\.test\.ts:\d+\): its sql\(\) failed: boom$/);
  });

  it('rejects a body that returns something that is not SQL', () => {
    const model = testModel('not_sql', (() => 'select 1') as never);
    expect(() => render(model)).toThrowError(/must return a kysely sql`...` template or query builder, got string/);
  });
});
