import { defineModel, sql } from '@warehouse/core';
import { distinctDeliveries, stockMovements, stockSnapshots } from '@warehouse/sources';

/**
 * Stock per product, location and day, from the first counted balance (the ERP's opening
 * count) or first movement, up to the last day any movement was delivered. Opening of a day is
 * the closing of the day before, by construction: closing = opening + that day's movements.
 */
export const stgInventoryDailyStock = defineModel({
  name: 'stg_inventory_daily_stock',
  domain: 'inventory',
  kind: 'staging',
  description: 'Daily opening and closing on-hand and movements per product and location, on natural keys.',
  owner: 'inventory-analytics@company.example',
  grain: ['product_id', 'location_id', 'stock_date'],
  tags: ['staging'],
  materialized: 'table',
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
  },
  sql: ({ source }) => sql`
    with movements as (
      select product_id, location_id, moved_at::date as stock_date,
             coalesce(sum(quantity) filter (where movement_type = 'receipt'), 0) as receipts,
             coalesce(-sum(quantity) filter (where movement_type = 'sale'), 0) as sales_units,
             coalesce(sum(quantity) filter (where movement_type = 'return'), 0) as returns_units,
             coalesce(sum(quantity) filter (where movement_type = 'transfer_in'), 0) as transfers_in,
             coalesce(-sum(quantity) filter (where movement_type = 'transfer_out'), 0) as transfers_out,
             coalesce(sum(quantity) filter (where movement_type = 'adjustment'), 0) as adjustments,
             sum(quantity) as net_change
      from ${distinctDeliveries(source(stockMovements), ['movement_id'])} as m
      group by 1, 2, 3
    ),
    counted as (
      select distinct on (product_id, location_id) product_id, location_id, snapshot_date, on_hand
      from ${source(stockSnapshots)}
      order by product_id, location_id, snapshot_date
    ),
    pairs as (
      select coalesce(c.product_id, m.product_id) as product_id,
             coalesce(c.location_id, m.location_id) as location_id,
             least(c.snapshot_date, m.first_day) as first_day,
             coalesce(c.on_hand, 0) as opening_balance
      from counted as c
      full join (select product_id, location_id, min(stock_date) as first_day from movements group by 1, 2) as m
        on m.product_id = c.product_id and m.location_id = c.location_id
    ),
    last_day as (select max(stock_date) as day from movements),
    days as (
      select p.product_id, p.location_id, p.opening_balance, d::date as stock_date
      from pairs as p
      cross join last_day
      cross join lateral generate_series(p.first_day, greatest(p.first_day, last_day.day), interval '1 day') as d
    ),
    running as (
      select d.product_id, d.location_id, d.stock_date,
             coalesce(m.receipts, 0) as receipts, coalesce(m.sales_units, 0) as sales_units,
             coalesce(m.returns_units, 0) as returns_units, coalesce(m.transfers_in, 0) as transfers_in,
             coalesce(m.transfers_out, 0) as transfers_out, coalesce(m.adjustments, 0) as adjustments,
             d.opening_balance
               + sum(coalesce(m.net_change, 0))
                 over (partition by d.product_id, d.location_id order by d.stock_date rows unbounded preceding)
               as closing_on_hand,
             coalesce(m.net_change, 0) as net_change
      from days as d
      left join movements as m
        on m.product_id = d.product_id and m.location_id = d.location_id and m.stock_date = d.stock_date
    )
    select product_id, location_id, stock_date,
           (closing_on_hand - net_change)::bigint as opening_on_hand,
           receipts::bigint, sales_units::bigint, returns_units::bigint, transfers_in::bigint,
           transfers_out::bigint, adjustments::bigint, closing_on_hand::bigint
    from running`,
});
