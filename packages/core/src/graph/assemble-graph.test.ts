import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { dimProduct, factOrders, ordersByProduct, rawOrders, rawProducts, stgProductNames, tinyPackages } from '../../test/fixtures/tiny-project.js';
import { defineSource } from '../model/define-source.js';
import { defineModel, type AnyModel } from '../model/define-model.js';
import { assembleGraph, buildGraph } from './assemble-graph.js';
import type { WarehousePackage } from './project-graph.js';

const base = {
  kind: 'fact' as const,
  description: 'x',
  owner: 'o',
  grain: ['id'],
  materialized: 'view' as const,
  columns: { id: { type: 'bigint' as const } },
};

/** A model of domain `shop` reading the given relations. */
function shopModel(name: string, body: Parameters<typeof defineModel>[0]['sql'], extra: Partial<AnyModel> = {}) {
  return defineModel({ ...base, name, domain: 'shop', sql: body, ...extra } as Parameters<typeof defineModel>[0]);
}

const messages = (packages: WarehousePackage[]) => assembleGraph(packages).problems.map((p) => p.message);

describe('assembleGraph', () => {
  it('links models to what they read and orders them by dependency', () => {
    const { graph, problems } = assembleGraph(tinyPackages());
    expect(problems).toEqual([]);
    expect(graph.order).toEqual(['model.dim_product', 'model.fact_orders', 'model.orders_by_product', 'model.stg_product_names']);
    expect(graph.nodes.get('model.fact_orders')!.dependsOn).toEqual(['model.dim_product', 'source.shop.orders']);
    expect(graph.children.get('model.dim_product')).toEqual(['model.fact_orders', 'model.stg_product_names']);
    expect(graph.children.get('source.shop.products')).toEqual(['model.dim_product']);
  });

  it('reports a model cycle with its full path', () => {
    const a: AnyModel = shopModel('a_model', ({ ref }) => sql`select id from ${ref('c_model')}`);
    const b = shopModel('b_model', ({ ref }) => sql`select id from ${ref('a_model')}`);
    const c = shopModel('c_model', ({ ref }) => sql`select id from ${ref('b_model')}`);
    const problems = assembleGraph(tinyPackages({ shopModels: [a, b, c] })).problems;
    expect(problems).toEqual([
      { code: 'MODEL_CYCLE', model: 'a_model', message: 'models form a cycle: a_model -> c_model -> b_model -> a_model' },
    ]);
  });

  it('reports a ref to a model of a package that is not a declared dependency', () => {
    const packages = tinyPackages();
    packages[2] = { ...packages[2]!, dependencies: ['@t/sources'] };
    expect(messages(packages)).toEqual([
      "model fact_orders (@t/shop) refs dim_product (@t/catalog), but @t/catalog is not in the dependencies of @t/shop's package.json",
    ]);
  });

  it('reports a source read from a package that is not a declared dependency', () => {
    const packages = tinyPackages();
    packages[1] = { ...packages[1]!, dependencies: [] };
    expect(messages(packages)).toEqual([
      "model dim_product (@t/catalog) reads source shop.products of @t/sources, which is not in the dependencies of @t/catalog's package.json",
    ]);
  });

  it('reports a duplicate model name with both places', () => {
    const twin = defineModel({ ...dimProduct, domain: 'shop' });
    const problems = assembleGraph(tinyPackages({ shopModels: [factOrders, twin] })).problems;
    expect(problems).toHaveLength(1);
    expect(problems[0]!.code).toBe('DUPLICATE_MODEL');
    expect(problems[0]!.message).toMatch(/^model dim_product is declared twice: in @t\/catalog \(.*tiny-project\.ts:\d+\) and in @t\/shop \(.*assemble-graph\.test\.ts:\d+\)$/);
  });

  it('reports a ref to a model that does not exist, suggesting the closest name', () => {
    const m = shopModel('reader', ({ ref }) => sql`select id from ${ref('dim_prodcut')}`);
    const problems = assembleGraph(tinyPackages({ shopModels: [m] })).problems;
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ code: 'MISSING_MODEL', model: 'reader' });
    expect(problems[0]!.message).toMatch(/^model reader \(.*\) refs dim_prodcut, which no package declares; did you mean dim_product\?$/);
  });

  it('reports a model object that no package exports as missing', () => {
    const orphan = defineModel({ ...dimProduct, name: 'orphan_dim' });
    const m = shopModel('reader', ({ ref }) => sql`select id from ${ref(orphan)}`);
    expect(messages(tinyPackages({ shopModels: [m] }))[0]).toMatch(/refs orphan_dim, which no package declares/);
  });

  it('reports a source that no package declares', () => {
    const m = shopModel('reader', ({ source }) => sql`select id from ${source('shop', 'ordres')}`);
    expect(messages(tinyPackages({ shopModels: [m] }))[0]).toMatch(/reads source shop\.ordres, which no package declares; did you mean shop\.orders\?$/);
  });

  it('enforces protected access across packages, naming both models and packages', () => {
    const m = shopModel('reader', ({ ref }) => sql`select product_id as id from ${ref(stgProductNames)}`);
    expect(messages(tinyPackages({ shopModels: [m] }))).toEqual([
      'model reader (@t/shop) refs stg_product_names (@t/catalog), which is protected: only models of @t/catalog may ref it',
    ]);
  });

  it('enforces private access by group', () => {
    const secret = defineModel({ ...stgProductNames, name: 'secret', access: 'private', group: 'pricing' });
    const sameGroup = defineModel({ ...stgProductNames, name: 'pricing_reader', group: 'pricing', sql: ({ ref }) => sql`select * from ${ref(secret)}` });
    const otherGroup = defineModel({ ...stgProductNames, name: 'other_reader', sql: ({ ref }) => sql`select * from ${ref(secret)}` });
    expect(messages(tinyPackages({ catalogModels: [dimProduct, secret, sameGroup, otherGroup] }))).toEqual([
      'model other_reader (@t/catalog) refs secret (@t/catalog), which is private to group pricing: only models of that group in @t/catalog may ref it',
    ]);
  });

  it('reports a cycle between packages', () => {
    const packages = tinyPackages();
    packages[1] = { ...packages[1]!, dependencies: ['@t/sources', '@t/shop'] };
    expect(messages(packages)).toContain('packages depend on each other in a cycle: @t/catalog -> @t/shop -> @t/catalog');
  });

  it('reports a model whose sql() throws, and keeps validating the others', () => {
    const broken = shopModel('broken', () => {
      throw new Error('no such helper');
    });
    const orphanRef = shopModel('reader', ({ ref }) => sql`select id from ${ref('nowhere')}`);
    const problems = assembleGraph(tinyPackages({ shopModels: [broken, orphanRef] })).problems;
    expect(problems.map((p) => p.code)).toEqual(['MODEL_SQL_FAILED', 'MISSING_MODEL']);
    expect(problems[0]!.message).toMatch(/^model broken \(.*assemble-graph\.test\.ts:\d+\): its sql\(\) failed: no such helper$/);
  });

  it('checks each declaration: domain, grain, column types, names', () => {
    const bad = defineModel({
      ...base,
      name: 'Bad-Name',
      domain: 'catalog',
      grain: ['missing_col'] as never,
      columns: { id: { type: 'bigintt' as never } },
      sql: () => sql`select 1`,
    });
    const found = messages(tinyPackages({ shopModels: [factOrders, ordersByProduct, bad] }));
    expect(found).toEqual([
      expect.stringMatching(/^model Bad-Name \(.*\): its name must be a lower-case SQL identifier/),
      expect.stringMatching(/^model Bad-Name \(.*\) declares domain catalog, but its package owns domain shop$/),
      expect.stringMatching(/^model Bad-Name \(.*\): column id has unknown type "bigintt"$/),
      expect.stringMatching(/^model Bad-Name \(.*\): its grain column missing_col is not in its columns$/),
    ]);
  });

  it('refuses a snapshot that reads only what changed but would take the rest for deleted', () => {
    const partial = defineModel({
      ...base,
      name: 'product_history',
      domain: 'catalog',
      grain: ['product_id', 'valid_from'],
      materialized: 'snapshot',
      snapshot: { uniqueKey: ['product_id'], strategy: 'timestamp', updatedAt: 'updated_at' },
      columns: {
        product_id: { type: 'bigint', nullable: false },
        updated_at: { type: 'timestamptz', nullable: false },
        valid_from: { type: 'timestamptz', nullable: false },
        valid_to: { type: 'timestamptz' },
        is_current: { type: 'boolean', nullable: false },
      },
      sql: ({ source, selfMax }) => sql`select product_id, _loaded_at as updated_at from ${source(rawProducts)} where _loaded_at > ${selfMax('updated_at')}`,
    });
    expect(messages(tinyPackages({ catalogModels: [dimProduct, stgProductNames, partial] }))).toEqual([
      expect.stringMatching(/^model product_history \(.*\): its snapshot query reads only what changed \(isIncremental\/selfMax\), so an entity missing from it is not deleted; set snapshot.hardDeletes: 'ignore'/),
    ]);
  });

  it('checks that a source indexes columns it has', () => {
    const indexed = defineSource({ ...rawOrders, indexes: [['product_id'], ['order_id', 'ordered_on' as never]] });
    const found = messages(tinyPackages({ sources: [rawProducts, indexed] }));
    expect(found).toEqual([expect.stringMatching(/its index on \(order_id, ordered_on\) names column ordered_on, which is not in its columns$/)]);
  });

  it('buildGraph throws one error listing every problem', () => {
    const a = shopModel('a_model', ({ ref }) => sql`select id from ${ref('a_model2')}`);
    const b = shopModel('a_model2', ({ ref }) => sql`select id from ${ref('a_model')}, ${ref('ghost')}`);
    expect(() => buildGraph(tinyPackages({ shopModels: [a, b] }))).toThrowError(
      /the project has 2 problem\(s\):\n {2}- model a_model2 .* refs ghost, which no package declares\n {2}- models form a cycle: a_model -> a_model2 -> a_model/,
    );
  });

  it('does not count a model reading itself (incremental) as a cycle', () => {
    const m = shopModel('self_reader', ({ self, isIncremental, source }) =>
      isIncremental() ? sql`select order_id as id from ${source(rawOrders)} where order_id > (select max(id) from ${self})` : sql`select order_id as id from ${source(rawOrders)}`,
    );
    expect(messages(tinyPackages({ shopModels: [m] }))).toEqual([]);
  });
});

describe('model versions', () => {
  const v1 = defineModel({ ...dimProduct, version: 1, deprecationDate: '2027-01-31' });
  const v2 = defineModel({
    ...dimProduct,
    version: 2,
    columns: { ...dimProduct.columns, list_price: { type: 'numeric(10,2)', nullable: false } },
    sql: ({ source }) => sql`select product_id, name, price, price as list_price from ${source('shop', 'products')}`,
  });
  const reader = (name: string, target: AnyModel | string, options?: { version: number }) =>
    shopModel(name, ({ ref }) => (typeof target === 'string' ? sql`select product_id as id from ${ref(target, options)}` : sql`select product_id as id from ${ref(target as AnyModel)}`));
  const assemble = (shop: AnyModel[], now = '2026-11-25', catalog: AnyModel[] = [v1, v2, stgProductNames]) =>
    assembleGraph(tinyPackages({ catalogModels: catalog, shopModels: shop }), { now: new Date(`${now}T12:00:00Z`) });

  it('lives side by side as <name>_v<n>; a ref by name takes the latest, a model object or version pins one', () => {
    const { graph, problems } = assemble([reader('latest_reader', 'dim_product'), reader('pinned_reader', v1), reader('asked_reader', 'dim_product', { version: 1 })]);
    expect(problems.filter((p) => p.code !== 'ACCESS_VIOLATION')).toEqual([]);
    expect(graph.nodes.has('model.dim_product_v1')).toBe(true);
    expect(graph.nodes.get('model.latest_reader')!.dependsOn).toEqual(['model.dim_product_v2']);
    expect(graph.nodes.get('model.pinned_reader')!.dependsOn).toEqual(['model.dim_product_v1']);
    expect(graph.nodes.get('model.asked_reader')!.dependsOn).toEqual(['model.dim_product_v1']);
  });

  it('warns about a ref to a deprecated version before its date, with the date', () => {
    const { graph, problems } = assemble([reader('pinned_reader', v1)]);
    expect(problems).toEqual([]);
    expect(graph.warnings.map((w) => w.message)).toEqual([
      'model pinned_reader refs dim_product v1, which is deprecated and goes away on 2027-01-31; move it to the latest version',
    ]);
  });

  it('fails to compile a ref to a deprecated version after its date', () => {
    expect(assemble([reader('pinned_reader', v1)], '2027-02-01').problems.map((p) => p.message)).toEqual([
      'model pinned_reader refs dim_product v1, deprecated since 2027-01-31; move it to the latest version',
    ]);
  });

  it('honours an explicit latest, and rejects two latest, mixed and missing versions', () => {
    const latestV1 = defineModel({ ...v1, latest: true });
    const { graph } = assemble([reader('latest_reader', 'dim_product')], '2026-11-25', [latestV1, v2, stgProductNames]);
    expect(graph.nodes.get('model.latest_reader')!.dependsOn).toEqual(['model.dim_product_v1']);
    const both = defineModel({ ...v2, latest: true });
    expect(assemble([], '2026-11-25', [latestV1, both, stgProductNames]).problems.map((p) => p.message)).toEqual([
      'model dim_product marks versions 1 and 2 as latest; only one can be',
    ]);
    expect(assemble([], '2026-11-25', [v1, dimProduct, stgProductNames]).problems.map((p) => p.message)).toContain(
      'model dim_product is declared both with and without a version; give every declaration a version',
    );
    expect(assemble([reader('asked_reader', 'dim_product', { version: 3 })]).problems.map((p) => p.message)).toEqual([
      expect.stringMatching(/^model asked_reader \(.*\) refs dim_product v3, which no package declares/),
    ]);
  });

  it('reports versions that read each other in a circle with the versioned names', () => {
    const a = defineModel({ ...v1, sql: ({ ref }) => sql`select * from ${ref('dim_product', { version: 2 })}` });
    const b = defineModel({ ...v2, sql: ({ ref }) => sql`select * from ${ref('dim_product', { version: 1 })}` });
    expect(assemble([], '2026-11-25', [a, b, stgProductNames]).problems.map((p) => p.message)).toEqual([
      'models form a cycle: dim_product_v1 -> dim_product_v2 -> dim_product_v1',
    ]);
  });
});
