import { defineModel, sql } from '@warehouse/core';
import { stgInventoryDailyStock } from './stg_inventory_daily_stock.js';

/**
 * Per product and day: units that left as sales and whether any location held it, from the
 * daily stock. Incremental: a run replaces the days whose stock rows were recomputed since.
 */
export const stgInventoryProductStock = defineModel({
  name: 'stg_inventory_product_stock',
  domain: 'inventory',
  kind: 'staging',
  description: 'Units sold (ERP sale movements) and whether any location had stock, per product and day.',
  owner: 'inventory-analytics@company.example',
  grain: ['stock_date', 'product_id'],
  tags: ['staging'],
  materialized: 'incremental',
  incremental: { strategy: 'delete+insert', uniqueKey: ['stock_date', 'product_id'] },
  indexes: [['_built_at']],
  columns: {
    stock_date: { type: 'date', nullable: false, description: 'The day.' },
    product_id: { type: 'bigint', nullable: false, description: 'ERP product id.' },
    units_sold: { type: 'bigint', nullable: false, description: 'Units that left stock as sales, all locations.' },
    in_stock: { type: 'boolean', nullable: false, description: 'True when at least one location closed the day with stock.' },
    _built_at: { type: 'timestamptz', nullable: false, description: 'Audit: when this row was last computed.' },
  },
  sql: ({ ref, isIncremental, selfMax }) => sql`
    select stock_date, product_id, sum(sales_units)::bigint as units_sold, bool_or(closing_on_hand > 0) as in_stock, now() as _built_at
    from ${ref(stgInventoryDailyStock)} as s
    ${isIncremental() ? sql`where stock_date in (select distinct stock_date from ${ref(stgInventoryDailyStock)} where _built_at > ${selfMax('_built_at')})` : sql``}
    group by stock_date, product_id`,
});
