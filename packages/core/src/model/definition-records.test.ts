import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { dimProduct, factOrders, rawOrders, rawProducts, tinyPackages } from '../../test/fixtures/tiny-project.js';
import { buildManifest } from '../artifacts/manifest.js';
import { plan } from '../execute/plan.js';
import { buildGraph } from '../graph/assemble-graph.js';
import { selectNodes } from '../graph/select.js';
import type { WarehousePackage } from '../graph/project-graph.js';
import { defineKpi } from '../kpi/define-kpi.js';
import { renderKpiSql } from '../kpi/run-kpi.js';
import { defineModel } from './define-model.js';
import { defineSource } from './define-source.js';
import { isPersistable, recordDefinitions, restoreDefinitions, type DefinitionRecords } from './definition-records.js';

const checkedProducts = defineSource({
  ...rawProducts,
  name: 'checked_products',
  columns: { ...rawProducts.columns, product_id: { type: 'bigint', nullable: false, tests: ['unique', { type: 'expression', expression: '> 0', severity: 'warn' }] } },
  tests: [{ type: 'sql', name: 'no_free_products', sql: ({ self }) => sql`select * from ${self} where price = 0` }],
  freshness: { warnAfter: { hours: 24 } },
});

const incrementalOrders = defineModel({
  name: 'orders_incremental',
  domain: 'shop',
  kind: 'fact',
  description: 'Order lines, incremental.',
  owner: 'shop-team',
  grain: ['order_id'],
  access: 'public',
  tags: ['nightly'],
  materialized: 'incremental',
  incremental: { strategy: 'merge', uniqueKey: ['order_id'] },
  indexes: [['product_id']],
  columns: {
    order_id: { type: 'bigint', nullable: false, tests: ['not_null'] },
    product_id: { type: 'bigint', nullable: false, tests: [{ type: 'relationships', to: dimProduct, field: 'product_id' }, { type: 'relationships', to: rawProducts, field: 'product_id' }] },
    _loaded_at: { type: 'timestamptz', nullable: false },
  },
  tests: [
    { type: 'row_count', min: 1 },
    { type: 'sql', name: 'orders_have_products', sql: ({ self, ref }) => sql`select * from ${self} o where not exists (select from ${ref(dimProduct)} p where p.product_id = o.product_id)` },
  ],
  sql: ({ source, isIncremental, selfMax }) =>
    sql`select order_id, product_id, _loaded_at from ${source(rawOrders)} ${isIncremental() ? sql`where _loaded_at > ${selfMax('_loaded_at')}` : sql``}`,
});

const orderCount = defineKpi({
  name: 'order_count',
  domain: 'shop',
  description: 'Orders in the period.',
  owner: 'shop-team',
  unit: 'count',
  sql: ({ ref, period }) => sql`select count(*) as value from ${ref(factOrders)} where order_id between ${period.from} and ${period.to}`,
});

function project(): WarehousePackage[] {
  const [sources, catalog, shop] = tinyPackages({ sources: [rawProducts, rawOrders, checkedProducts] });
  return [sources!, catalog!, { ...shop!, models: [...shop!.models, incrementalOrders], kpis: [orderCount] }];
}

/** Every package recorded, written as JSON, read back and restored. */
function throughFiles(packages: WarehousePackage[]): { packages: WarehousePackage[]; records: DefinitionRecords[] } {
  const records = packages.map((p) => recordDefinitions({ models: p.models, sources: p.sources, kpis: p.kpis ?? [] }));
  const read = records.map((r) => JSON.parse(JSON.stringify(r)) as DefinitionRecords);
  return { packages: packages.map((p, i) => ({ ...p, ...restoreDefinitions(read[i]!) })), records };
}

const compiled = (packages: WarehousePackage[]) => {
  const graph = buildGraph(packages, { now: new Date('2026-01-01') });
  const { models, tests } = selectNodes(graph);
  const naming = { targetName: 'ci', schemaPrefix: 'ci_', tests };
  const planned = plan(graph, models, naming);
  return {
    manifest: buildManifest(graph, { target: 'ci', schemaPrefix: 'ci_', rootDir: '/', now: new Date(0) }),
    kpi: renderKpiSql(graph, graph.kpis.get('order_count')!.kpi, { from: '2025-01-01', to: '2025-01-31', targetName: 'ci', schemaPrefix: 'ci_' }),
    nodes: planned.nodes.map(({ model: _model, renderIncremental, ...rest }) => ({ ...rest, literal: renderIncremental?.({ _loaded_at: '2026-01-01 00:00:00+00' }) })),
    tests: planned.tests.map(({ test: _test, landed, ...rest }) => ({ ...rest, landedSql: landed?.sql?.('2025-01-01', '2025-02-01') })),
  };
};

describe('definition records', () => {
  it('restore definitions that compile to exactly what the originals compile to, through a JSON file', () => {
    const live = project();
    const { packages, records } = throughFiles(live);
    expect(records.every(isPersistable)).toBe(true);
    const restored = compiled(packages);
    expect(restored).toEqual(compiled(live));
    // what was compared: every model, the tests of models and sources (custom SQL ones too), a KPI
    expect(restored.nodes.map((n) => n.name)).toEqual(['dim_product', 'fact_orders', 'orders_by_product', 'orders_incremental', 'stg_product_names']);
    expect(restored.tests.map((t) => t.name)).toEqual(expect.arrayContaining(['no_free_products', 'orders_have_products', 'relationships_orders_incremental_product_id__products']));
    expect(restored.nodes.find((n) => n.name === 'orders_incremental')?.literal).toContain(`'2026-01-01 00:00:00+00'::timestamptz`);
    expect(restored.kpi).toContain('"ci_shop"."fact_orders"');
  });

  it('keep where each definition was declared', () => {
    const { packages } = throughFiles(project());
    const restored = packages.flatMap((p) => p.models).find((m) => m.name === 'orders_incremental')!;
    expect(restored.definedAt).toBe(incrementalOrders.definedAt);
    expect(restored.definedAt).toMatch(/definition-records\.test\.ts:\d+$/);
  });

  it('keep what is not data live, and say the records cannot be written', () => {
    class Money {
      constructor(readonly cents: number) {}
    }
    const odd = defineModel({
      ...factOrders,
      name: 'odd',
      // not data: a class instance and a function outside an sql slot
      ...({ meta: { price: new Money(5), format: (n: number) => n.toFixed(2) } } as object),
    } as never);
    const records = recordDefinitions({ models: [odd], sources: [], kpis: [] });
    expect(isPersistable(records)).toBe(false);
    const [restored] = restoreDefinitions(records).models as unknown as Array<{ meta: { price: Money; format: (n: number) => string } }>;
    expect(restored!.meta.price).toBeInstanceOf(Money);
    expect(restored!.meta.format(1)).toBe('1.00');
  });

  it('keep a body that reads the target live, so it renders per target', () => {
    const perTarget = defineModel({ ...factOrders, name: 'per_target', sql: ({ target }) => sql`select ${sql.lit(target.name)} as order_id` });
    expect(isPersistable(recordDefinitions({ models: [perTarget], sources: [], kpis: [] }))).toBe(false);
  });

  it('do not take keys that look like their own markers for markers', () => {
    const tricky = defineModel({ ...factOrders, name: 'tricky', ...({ meta: { $live: 0 } } as object) } as never);
    const records = JSON.parse(JSON.stringify(recordDefinitions({ models: [tricky], sources: [], kpis: [] }))) as DefinitionRecords;
    // kept live, so not written; in memory it comes back as it was
    expect(records.live).toHaveLength(1);
  });
});
