import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGraph, execute, plan, runKpi, select, sql, type Adapter, type ProjectGraph } from '@warehouse/core';
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from '@warehouse/core/testing';
import { seedDemo } from '@warehouse/sources';
import { loadProject } from '../src/project/load-project.js';
import { REPO_ROOT } from './support/cli.js';

/**
 * End-to-end invariants of the warehouse on demo data: a small scale on PGlite, a larger one
 * on the real server. Every expected number is computed here straight from the raw tables,
 * independently of the models' SQL and the shared rules.
 */
const SCALE = { pglite: 0.02, pg: 0.25 } as const;

const rows = async <T>(adapter: Adapter, text: string): Promise<T[]> =>
  adapter.withConnection(async (db) => (await sql.raw<T>(text).execute(db)).rows);

/**
 * Net revenue and orders straight from the raw tables, written independently of the models
 * and of the shared rules: latest version of each line and order, cancelled orders out,
 * refunds (each return once) subtracted.
 */
const rawRevenueSql = (orderFilter: string) => `
  with line as (
    select distinct on (order_line_id) * from raw_sales.order_lines order by order_line_id, updated_at desc, _loaded_at desc
  ), header as (
    select distinct on (order_id) * from raw_sales.orders order by order_id, updated_at desc, _loaded_at desc
  ), refunds as (
    select order_line_id, sum(refund_amount) as refunded
    from (select distinct on (return_id) * from raw_sales.returns order by return_id) as r group by order_line_id
  )
  select sum(round(l.quantity * l.unit_price, 2) - least(l.discount, round(l.quantity * l.unit_price, 2)) - coalesce(r.refunded, 0)) as revenue,
         count(distinct h.order_id) as orders
  from line as l join header as h on h.order_id = l.order_id left join refunds as r on r.order_line_id = l.order_line_id
  where h.status <> 'cancelled' and ${orderFilter}`;

/** fact table -> [key column, dimension table, dimension key] */
const FACT_KEYS: Record<string, Array<[string, string, string]>> = {
  'sales.wh_fact_sales': [
    ['product_key', 'inventory.wh_dim_product', 'product_key'],
    ['location_key', 'inventory.wh_dim_location', 'location_key'],
    ['consumer_key', 'customer.wh_dim_consumer', 'consumer_key'],
    ['offer_key', 'marketing.wh_dim_offers', 'offer_key'],
    ['channel_key', 'marketing.wh_dim_media_channels', 'channel_key'],
  ],
  'inventory.wh_fact_inventory': [
    ['product_key', 'inventory.wh_dim_product', 'product_key'],
    ['location_key', 'inventory.wh_dim_location', 'location_key'],
  ],
  'customer.wh_fact_interactions': [
    ['consumer_key', 'customer.wh_dim_consumer', 'consumer_key'],
    ['channel_key', 'marketing.wh_dim_media_channels', 'channel_key'],
  ],
  'customer.wh_fact_loyalty': [['consumer_key', 'customer.wh_dim_consumer', 'consumer_key']],
  'marketing.wh_dim_offers': [['scope_product_key', 'inventory.wh_dim_product', 'product_key']],
};

describe.each(await testDatabaseKinds())('warehouse invariants on %s', (kind) => {
  let database: TestDatabase;
  let adapter: Adapter;
  let grains: Array<{ relation: string; grain: readonly string[] }>;
  let graph: ProjectGraph;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    adapter = database.adapter;
    await seedDemo(adapter, { scale: SCALE[kind], seed: 7, from: '2025-01-01', to: '2025-06-30' });
    await seedDemo(adapter, { scale: SCALE[kind], seed: 7, from: '2025-07-01', to: '2025-07-10' });
    graph = buildGraph(await loadProject(REPO_ROOT));
    const result = await execute(plan(graph, select(graph), { targetName: 'test' }), adapter, { threads: 4 });
    expect(result.results.filter((r) => r.status !== 'success').map((r) => r.message)).toEqual([]);
    grains = result.results.map((r) => {
      const model = (graph.nodes.get(r.id) as { model: { domain: string; grain: readonly string[] } }).model;
      return { relation: `${model.domain}.${r.name}`, grain: model.grain };
    });
  });
  afterAll(async () => {
    await database?.dispose();
  });

  it('has a unique grain in every model', async () => {
    for (const { relation, grain } of grains) {
      const duplicates = await rows<{ n: string }>(
        adapter,
        `select count(*) as n from (select 1 from ${relation} group by ${grain.join(', ')} having count(*) > 1) as d`,
      );
      expect(Number(duplicates[0]!.n), relation).toBe(0);
    }
  });

  it('resolves every dimension key of every fact (no row lost, orphans on -1)', async () => {
    for (const [fact, keys] of Object.entries(FACT_KEYS)) {
      for (const [column, dimension, dimensionKey] of keys) {
        const dangling = await rows<{ n: string }>(
          adapter,
          `select count(*) as n from ${fact} as f left join ${dimension} as d on d.${dimensionKey} = f.${column}
           where f.${column} is not null and d.${dimensionKey} is null`,
        );
        expect(Number(dangling[0]!.n), `${fact}.${column} -> ${dimension}`).toBe(0);
      }
    }
    // every delivered order line is in the fact, once
    const [lines] = await rows<{ raw: string; fact: string }>(
      adapter,
      `select (select count(distinct order_line_id) from raw_sales.order_lines) as raw, (select count(*) from sales.wh_fact_sales) as fact`,
    );
    expect(lines!.fact).toBe(lines!.raw);
  });

  it('reconciles net revenue with the raw order lines minus returns', async () => {
    const [totals] = await rows<{ fact: string; raw: string }>(
      adapter,
      `select (select sum(net_revenue) from sales.wh_fact_sales) as fact, revenue as raw from (${rawRevenueSql('true')}) as r`,
    );
    expect(Number(totals!.raw)).toBeGreaterThan(0);
    expect(totals!.fact).toBe(totals!.raw);
    // and the inventory domain's product revenue, computed from raw data, agrees with the sales fact
    const [products] = await rows<{ difference: string }>(
      adapter,
      `select (select sum(net_revenue) from inventory.wh_dim_product) - (select sum(net_revenue) from sales.wh_fact_sales) as difference`,
    );
    expect(Number(products!.difference)).toBe(0);
  });

  it('sizes each audience segment and values its current members from the raw memberships and orders', async () => {
    const segments = await rows<{ segment_id: string; current_members: string; members_ever: string; total_member_value: string }>(
      adapter,
      'select segment_id, current_members, members_ever, total_member_value from marketing.wh_dim_audience_segments order by segment_id',
    );
    expect(segments.length).toBeGreaterThan(0);
    // the latest delivery of each membership; a customer is a current member while one of theirs has not ended
    const memberships = `(select distinct on (segment_id, customer_id, valid_from) * from raw_marketing.segment_memberships
      order by segment_id, customer_id, valid_from, _loaded_at desc)`;
    for (const segment of segments) {
      const current = `select customer_id from ${memberships} as m where segment_id = ${segment.segment_id} and valid_to is null`;
      const [expected] = await rows<{ current_members: string; members_ever: string; value: string | null }>(
        adapter,
        `select (select count(distinct customer_id) from (${current}) as c) as current_members,
                (select count(distinct customer_id) from ${memberships} as m where segment_id = ${segment.segment_id}) as members_ever,
                (select revenue from (${rawRevenueSql(`h.customer_id in (${current})`)}) as r) as value`,
      );
      expect(
        { current: segment.current_members, ever: segment.members_ever, value: Number(segment.total_member_value) },
        `segment ${segment.segment_id}`,
      ).toEqual({ current: expected!.current_members, ever: expected!.members_ever, value: Number(expected!.value ?? 0) });
    }
    expect(segments.some((s) => Number(s.current_members) > 0 && Number(s.total_member_value) > 0)).toBe(true);
  });

  it("carries each day's closing stock into the next day's opening", async () => {
    const [check] = await rows<{ pairs: string; breaks: string; negative_math: string }>(
      adapter,
      `select count(*) as pairs,
              count(*) filter (where next_opening is not null and next_opening <> closing_on_hand) as breaks,
              count(*) filter (where closing_on_hand <> opening_on_hand + receipts - sales_units + returns_units + transfers_in - transfers_out + adjustments) as negative_math
       from (select *, lead(opening_on_hand) over (partition by product_key, location_key order by stock_date) as next_opening
             from inventory.wh_fact_inventory) as d`,
    );
    expect(Number(check!.pairs)).toBeGreaterThan(1000);
    expect(Number(check!.breaks)).toBe(0);
    expect(Number(check!.negative_math)).toBe(0);
  });

  it('keeps every loyalty balance equal to earned minus redeemed minus expired', async () => {
    const [check] = await rows<{ accounts: string; wrong: string; raw_wrong: string }>(
      adapter,
      `with last as (
         select distinct on (account_id) account_id, balance_after from customer.wh_fact_loyalty order by account_id, occurred_at desc, event_id desc
       ), totals as (
         select account_id, sum(points_earned) - sum(points_redeemed) - sum(points_expired) as balance from customer.wh_fact_loyalty group by account_id
       ), raw as (
         select account_id, sum(case event_type when 'earn' then points when 'redeem' then -points when 'expire' then -points else 0 end) as balance
         from (select distinct on (event_id) * from raw_crm.loyalty_events order by event_id) as e group by account_id
       )
       select count(*) as accounts,
              count(*) filter (where l.balance_after <> t.balance) as wrong,
              count(*) filter (where l.balance_after <> r.balance) as raw_wrong
       from last as l join totals as t using (account_id) join raw as r using (account_id)`,
    );
    expect(Number(check!.accounts)).toBeGreaterThan(10);
    expect(Number(check!.wrong)).toBe(0);
    expect(Number(check!.raw_wrong)).toBe(0);
  });

  it('keeps one current version per consumer, with validity ranges that do not overlap', async () => {
    const [check] = await rows<{ consumers: string; without_one_current: string; overlaps: string; versions: string }>(
      adapter,
      `select (select count(distinct consumer_id) from customer.wh_dim_consumer where consumer_key > 0) as consumers,
              (select count(*) from customer.wh_dim_consumer where consumer_key > 0) as versions,
              (select count(*) from (select consumer_id from customer.wh_dim_consumer where consumer_key > 0
                                      group by consumer_id having count(*) filter (where is_current) > 1) as x) as without_one_current,
              (select count(*) from customer.wh_dim_consumer a join customer.wh_dim_consumer b
                 on a.consumer_id = b.consumer_id and a.consumer_key < b.consumer_key and a.consumer_key > 0
                and a.valid_from < coalesce(b.valid_to, 'infinity') and b.valid_from < coalesce(a.valid_to, 'infinity')) as overlaps`,
    );
    expect(Number(check!.versions)).toBeGreaterThan(Number(check!.consumers)); // customers did change
    expect(Number(check!.without_one_current)).toBe(0);
    expect(Number(check!.overlaps)).toBe(0);
  });

  it('computes KPIs that agree with the raw data', async () => {
    const kpi = (name: string, from: string, to: string) =>
      runKpi(adapter, graph, graph.kpis.get(name)!.kpi, { from, to, targetName: 'test' });
    const revenue = await kpi('revenue', '2025-03-01', '2025-03-31');
    const [raw] = await rows<{ revenue: string; orders: string }>(
      adapter,
      rawRevenueSql(`(h.ordered_at at time zone 'UTC')::date between '2025-03-01' and '2025-03-31'`),
    );
    expect(revenue.value).toBe(Number(raw!.revenue));
    expect(revenue.details.orders).toBe(Number(raw!.orders));

    const basket = await kpi('average_basket', '2025-03-01', '2025-03-31');
    expect(basket.value).toBeCloseTo(Number(raw!.revenue) / Number(raw!.orders), 2);

    const redemption = await kpi('loyalty_redemption_rate', '2025-01-01', '2025-06-30');
    const [points] = await rows<{ earned: string; redeemed: string }>(
      adapter,
      `select sum(points) filter (where event_type = 'earn') as earned, sum(points) filter (where event_type = 'redeem') as redeemed
       from (select distinct on (event_id) * from raw_crm.loyalty_events order by event_id) as e
       where (occurred_at at time zone 'UTC')::date between '2025-01-01' and '2025-06-30'`,
    );
    expect(redemption.value).toBeCloseTo(Number(points!.redeemed) / Number(points!.earned), 4);

    const retention = await kpi('retention', '2025-03-01', '2025-04-30');
    expect(retention.value).toBeGreaterThan(0);
    expect(retention.value).toBeLessThan(1);
    expect(retention.details.previous_consumers).toBeGreaterThan(0);

    for (const name of graph.kpis.keys()) {
      const result = await kpi(name, '2025-02-01', '2025-05-31');
      expect(result.value, name).not.toBeNull();
    }
  });

  // last: it changes the data
  it('shows a segment delivered again under a new name on every current member after the next build', async () => {
    const members = `select distinct m.customer_id from (
        select distinct on (segment_id, customer_id, valid_from) * from raw_marketing.segment_memberships
        order by segment_id, customer_id, valid_from, _loaded_at desc) as m
      where m.valid_to is null and m.segment_id = $segment`;
    const [segment] = await rows<{ segment_id: string; name: string }>(
      adapter,
      `select s.segment_id, s.name from (select distinct on (segment_id) * from raw_marketing.audience_segments order by segment_id, _loaded_at desc) as s
       order by (select count(*) from raw_marketing.segment_memberships as m where m.segment_id = s.segment_id and m.valid_to is null) desc limit 1`,
    );
    await rows(
      adapter,
      `insert into raw_marketing.audience_segments (segment_id, name, definition, created_at, _loaded_at)
       select segment_id, name || ' (renamed)', definition, created_at, timestamptz '2030-01-01 00:00+00'
       from raw_marketing.audience_segments where segment_id = ${segment!.segment_id} order by _loaded_at desc limit 1`,
    );
    const result = await execute(plan(graph, select(graph), { targetName: 'test' }), adapter, { threads: 4 });
    expect(result.results.filter((r) => r.status !== 'success').map((r) => r.message)).toEqual([]);
    const [shown] = await rows<{ expected: string; renamed: string; old: string }>(
      adapter,
      `select (select count(*) from customer.wh_dim_consumer where is_current and consumer_id in (${members.replace('$segment', segment!.segment_id)})) as expected,
              count(*) filter (where ${`'${segment!.name.replace(/'/g, "''")} (renamed)'`} = any(current_segments)) as renamed,
              count(*) filter (where ${`'${segment!.name.replace(/'/g, "''")}'`} = any(current_segments)) as old
       from customer.wh_dim_consumer where is_current`,
    );
    expect(Number(shown!.expected)).toBeGreaterThan(0);
    expect({ renamed: Number(shown!.renamed), old: Number(shown!.old) }).toEqual({ renamed: Number(shown!.expected), old: 0 });
  });
});
