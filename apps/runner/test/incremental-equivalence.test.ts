import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGraph, execute, plan, select, sql, type Adapter, type ProjectGraph, type RunResult } from '@warehouse/core';
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from '@warehouse/core/testing';
import { seedDemo } from '@warehouse/sources';
import { loadProject } from '../src/project/load-project.js';
import { REPO_ROOT } from './support/cli.js';

/**
 * The proof that incremental builds are right: thirty nightly deliveries (late lines,
 * duplicates, status changes, returns, changed and deleted customers), an incremental build
 * after each, then a full refresh of the same data into other schemas. Every incremental model
 * must equal its full rebuild row for row on every business column (audit columns, named
 * `_...`, may differ). A slow suite: `npx vitest run incremental-equivalence` runs it alone.
 */
const NIGHTS = 30;
const SCALE = { pglite: 0.02, pg: 0.05 } as const;
const COMPARED = [
  'sales.wh_fact_sales',
  'customer.wh_fact_interactions',
  'customer.wh_fact_loyalty',
  'customer.wh_dim_consumer',
  'inventory.wh_fact_inventory',
  'inventory.stg_inventory_daily_stock',
  'marketing.stg_marketing_offer_lines',
  // dimensions rebuilt every night from incremental staging models: their metrics must agree too
  'inventory.wh_dim_product',
  'marketing.wh_dim_offers',
  'marketing.wh_dim_audience_segments',
];

const rows = async <T>(adapter: Adapter, text: string): Promise<T[]> =>
  adapter.withConnection(async (db) => (await sql.raw<T>(text).execute(db)).rows);

const day = (offset: number) => new Date(Date.parse('2025-03-01T00:00:00Z') + offset * 86_400_000).toISOString().slice(0, 10);

describe.each(await testDatabaseKinds())('incremental builds equal a full refresh on %s', (kind) => {
  let database: TestDatabase;
  let graph: ProjectGraph;
  const runs: RunResult[] = [];

  const build = async (options: { schemaPrefix?: string; fullRefresh?: boolean } = {}) => {
    const result = await execute(
      plan(graph, select(graph), { targetName: 'test', schemaPrefix: options.schemaPrefix ?? '', fullRefresh: options.fullRefresh ?? false }),
      database.adapter,
      { threads: 4 },
    );
    expect(result.results.filter((r) => r.status !== 'success').map((r) => r.message)).toEqual([]);
    return result;
  };

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    graph = buildGraph(await loadProject(REPO_ROOT));
    await seedDemo(database.adapter, { scale: SCALE[kind], seed: 7, from: '2025-01-01', to: '2025-02-28' });
    await build();
    for (let night = 0; night < NIGHTS; night++) {
      await seedDemo(database.adapter, { scale: SCALE[kind], seed: 7, from: day(night), to: day(night) });
      runs.push(await build());
    }
    await build({ schemaPrefix: 'full_', fullRefresh: true });
  });
  afterAll(async () => {
    await database?.dispose();
  });

  it('ran every night incrementally, not as full rebuilds', () => {
    const sales = runs.map((r) => r.results.find((n) => n.name === 'wh_fact_sales')!.message);
    expect(sales.every((m) => m.startsWith('built incremental: merged'))).toBe(true);
    const consumer = runs.map((r) => r.results.find((n) => n.name === 'wh_dim_consumer')!.message);
    expect(consumer.every((m) => !m.endsWith('(full)'))).toBe(true);
  });

  it.each(COMPARED)('%s: no row differs from the full refresh, either way', async (relation) => {
    const [schema, table] = relation.split('.') as [string, string];
    const columns = (
      await rows<{ column_name: string }>(
        database.adapter,
        `select column_name from information_schema.columns where table_schema = '${schema}' and table_name = '${table}' and column_name not like '\\_%' order by ordinal_position`,
      )
    ).map((c) => `"${c.column_name}"`);
    expect(columns.length).toBeGreaterThan(3);
    const list = columns.join(', ');
    const [counts] = await rows<{ incremental: string; full: string; only_incremental: string; only_full: string }>(
      database.adapter,
      `select (select count(*) from ${schema}.${table}) as incremental,
              (select count(*) from full_${schema}.${table}) as full,
              (select count(*) from (select ${list} from ${schema}.${table} except all select ${list} from full_${schema}.${table}) as a) as only_incremental,
              (select count(*) from (select ${list} from full_${schema}.${table} except all select ${list} from ${schema}.${table}) as b) as only_full`,
    );
    expect(Number(counts!.full)).toBeGreaterThan(0);
    expect(counts).toEqual({ incremental: counts!.full, full: counts!.full, only_incremental: '0', only_full: '0' });
  });

  it('keeps exactly one current version per consumer and no overlapping validity', async () => {
    const [check] = await rows<{ several_current: string; overlaps: string; closed: string }>(
      database.adapter,
      `select (select count(*) from (select consumer_id from customer.wh_dim_consumer group by consumer_id
                                      having count(*) filter (where is_current) > 1) as x) as several_current,
              (select count(*) from customer.wh_dim_consumer a join customer.wh_dim_consumer b
                 on a.consumer_id = b.consumer_id and a.consumer_key <> b.consumer_key
                and a.valid_from < coalesce(b.valid_to, 'infinity') and b.valid_from < coalesce(a.valid_to, 'infinity')) as overlaps,
              (select count(*) from customer.wh_dim_consumer where not is_current) as closed`,
    );
    expect(check).toEqual({ several_current: '0', overlaps: '0', closed: check!.closed });
    expect(Number(check!.closed)).toBeGreaterThan(0);
    // every consumer has a current version unless the CRM deleted them
    const [orphans] = await rows<{ n: string }>(
      database.adapter,
      `select count(*) as n from (select consumer_id from customer.wh_dim_consumer group by consumer_id having not bool_or(is_current)) as x
       where consumer_id not in (select customer_id from raw_crm.customers where is_deleted)`,
    );
    expect(orphans!.n).toBe('0');
  });
});
