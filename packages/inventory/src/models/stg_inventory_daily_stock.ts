import { defineModel, sql, type RawBuilder } from '@warehouse/core';
import { distinctDeliveries, stockMovements, stockSnapshots } from '@warehouse/sources';

/** Movements per product, location and day, from the movements the filter keeps. */
const dailyMovements = (movements: RawBuilder<unknown>) => sql`
  select product_id, location_id, moved_at::date as stock_date,
         coalesce(sum(quantity) filter (where movement_type = 'receipt'), 0) as receipts,
         coalesce(-sum(quantity) filter (where movement_type = 'sale'), 0) as sales_units,
         coalesce(sum(quantity) filter (where movement_type = 'return'), 0) as returns_units,
         coalesce(sum(quantity) filter (where movement_type = 'transfer_in'), 0) as transfers_in,
         coalesce(-sum(quantity) filter (where movement_type = 'transfer_out'), 0) as transfers_out,
         coalesce(sum(quantity) filter (where movement_type = 'adjustment'), 0) as adjustments,
         sum(quantity) as net_change,
         max(_loaded_at) as _loaded_at
  from ${movements} as m
  group by 1, 2, 3`;

/**
 * The days of every pair (from `pairs`: product, location, first day, opening balance) up to
 * `last_day`, with a running balance: closing = opening + the day's movements.
 */
const runningStock = sql`
  days as (
    select p.product_id, p.location_id, p.opening_balance, d::date as stock_date
    from pairs as p
    cross join bounds
    cross join lateral generate_series(p.first_day, greatest(p.first_day, bounds.last_day), interval '1 day') as d
    where p.first_day <= bounds.last_day
  ),
  running as (
    select d.product_id, d.location_id, d.stock_date, m._loaded_at,
           coalesce(m.receipts, 0) as receipts, coalesce(m.sales_units, 0) as sales_units,
           coalesce(m.returns_units, 0) as returns_units, coalesce(m.transfers_in, 0) as transfers_in,
           coalesce(m.transfers_out, 0) as transfers_out, coalesce(m.adjustments, 0) as adjustments,
           d.opening_balance
             + sum(coalesce(m.net_change, 0)) over (partition by d.product_id, d.location_id order by d.stock_date rows unbounded preceding)
             as closing_on_hand,
           coalesce(m.net_change, 0) as net_change
    from days as d
    left join movements as m on m.product_id = d.product_id and m.location_id = d.location_id and m.stock_date = d.stock_date
  )
  select product_id, location_id, stock_date,
         (closing_on_hand - net_change)::bigint as opening_on_hand,
         receipts::bigint, sales_units::bigint, returns_units::bigint, transfers_in::bigint,
         transfers_out::bigint, adjustments::bigint, closing_on_hand::bigint,
         _loaded_at, now() as _built_at
  from running`;

/**
 * Stock per product, location and day, from the first counted balance (the ERP's opening
 * count) or first movement, up to the last day any movement was delivered. Opening of a day is
 * the closing of the day before, by construction: closing = opening + that day's movements.
 *
 * Incremental: a run starts at the earliest day a newly landed movement touched (or the day
 * after the last one built), carries each pair's closing balance of the day before from the
 * table itself, and replaces the days from there on (delete+insert). New pairs start from their
 * opening count or first movement.
 */
export const stgInventoryDailyStock = defineModel({
  name: 'stg_inventory_daily_stock',
  domain: 'inventory',
  kind: 'staging',
  description: 'Daily opening and closing on-hand and movements per product and location, on natural keys.',
  owner: 'inventory-analytics@company.example',
  grain: ['product_id', 'location_id', 'stock_date'],
  tags: ['staging'],
  materialized: 'incremental',
  // the key leads with the day, so "the rows of day d" is an index range
  incremental: { strategy: 'delete+insert', uniqueKey: ['stock_date', 'product_id', 'location_id'] },
  // watermarks: _loaded_at for this model's runs, _built_at for wh_fact_inventory's
  indexes: [['_loaded_at'], ['_built_at']],
  columns: {
    product_id: { type: 'bigint', nullable: false, description: 'ERP product id.' },
    location_id: { type: 'bigint', nullable: false, description: 'ERP location id.' },
    stock_date: { type: 'date', nullable: false, description: 'The day.' },
    opening_on_hand: { type: 'bigint', nullable: false, description: 'Units at the start of the day.' },
    receipts: { type: 'bigint', nullable: false, description: 'Units received from suppliers.' },
    sales_units: { type: 'bigint', nullable: false, description: 'Units that left as sales.' },
    returns_units: { type: 'bigint', nullable: false, description: 'Units customers brought back.' },
    transfers_in: { type: 'bigint', nullable: false, description: 'Units that arrived from another location.' },
    transfers_out: { type: 'bigint', nullable: false, description: 'Units sent to another location.' },
    adjustments: { type: 'bigint', nullable: false, description: 'Count corrections (signed).' },
    closing_on_hand: { type: 'bigint', nullable: false, description: 'Units at the end of the day.' },
    _loaded_at: { type: 'timestamptz', description: 'Audit: when the newest movement of the day landed; null on days without movements.' },
    _built_at: { type: 'timestamptz', nullable: false, description: 'Audit: when this row was last computed.' },
  },
  sql: ({ source, self, isIncremental, selfMax }) => {
    const counted = sql`(
      select distinct on (product_id, location_id) product_id, location_id, snapshot_date, on_hand
      from ${source(stockSnapshots)} order by product_id, location_id, snapshot_date)`;
    if (!isIncremental()) {
      return sql`
        with movements as (${dailyMovements(distinctDeliveries(source(stockMovements), ['movement_id']))}),
        bounds as (select max(stock_date) as last_day from movements),
        pairs as (
          select coalesce(c.product_id, m.product_id) as product_id, coalesce(c.location_id, m.location_id) as location_id,
                 least(c.snapshot_date, m.first_day) as first_day, coalesce(c.on_hand, 0) as opening_balance
          from ${counted} as c
          full join (select product_id, location_id, min(stock_date) as first_day from movements group by 1, 2) as m
            on m.product_id = c.product_id and m.location_id = c.location_id
        ),
        ${runningStock}`;
    }
    return sql`
      with landed as (
        select moved_at from ${source(stockMovements)} where _loaded_at > ${selfMax('_loaded_at')}
      ),
      bounds as (
        select least((select min(moved_at)::date from landed), (select max(stock_date) + 1 from ${self})) as start_day,
               greatest((select max(moved_at)::date from landed), (select max(stock_date) from ${self})) as last_day
      ),
      movements as (${dailyMovements(distinctDeliveries(source(stockMovements), ['movement_id'], sql<boolean>`moved_at >= (select start_day from bounds)`))}),
      known as (
        select product_id, location_id, (select start_day from bounds) as first_day, closing_on_hand as opening_balance
        from ${self} where stock_date = (select start_day - 1 from bounds)
      ),
      fresh as (
        select coalesce(c.product_id, m.product_id) as product_id, coalesce(c.location_id, m.location_id) as location_id,
               least(c.snapshot_date, m.first_day) as first_day, coalesce(c.on_hand, 0) as opening_balance
        from (select * from ${counted} as c0 where c0.snapshot_date >= (select start_day from bounds)) as c
        full join (select product_id, location_id, min(stock_date) as first_day from movements group by 1, 2) as m
          on m.product_id = c.product_id and m.location_id = c.location_id
        where not exists (
          select from known as k
          where k.product_id = coalesce(c.product_id, m.product_id) and k.location_id = coalesce(c.location_id, m.location_id)
        )
      ),
      pairs as (select * from known union all select * from fresh),
      ${runningStock}`;
  },
});
