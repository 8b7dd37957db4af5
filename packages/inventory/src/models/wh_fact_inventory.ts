import { defineModel, sql, validAt } from '@warehouse/core';
import { productVersions } from '@warehouse/sources';
import { stgInventoryDailyStock } from './stg_inventory_daily_stock.js';
import { whDimLocation } from './wh_dim_location.js';
import { whDimProduct } from './wh_dim_product.js';

export const whFactInventory = defineModel({
  name: 'wh_fact_inventory',
  domain: 'inventory',
  kind: 'fact',
  description: 'Daily stock per product and location: opening and closing on-hand, the movements between them, and the value of the closing stock.',
  owner: 'inventory-analytics@company.example',
  grain: ['product_key', 'location_key', 'stock_date'],
  tags: ['nightly'],
  materialized: 'incremental',
  // a run takes the staging rows recomputed since this table was last built
  incremental: { strategy: 'delete+insert', uniqueKey: ['stock_date', 'product_key', 'location_key'] },
  indexes: [['_built_at']],
  tests: [
    {
      type: 'expression',
      name: 'wh_fact_inventory_closing_adds_up',
      expression: 'closing_on_hand = opening_on_hand + receipts - sales_units + returns_units + transfers_in - transfers_out + adjustments',
    },
  ],
  contract: { enforced: true, primaryKey: ['stock_date', 'product_key', 'location_key'] },
  columns: {
    stock_date: { type: 'date', nullable: false, description: 'The day.' },
    product_key: { type: 'bigint', nullable: false, description: 'wh_dim_product; -1 when the ERP product is unknown.', tests: [{ type: 'relationships', to: whDimProduct, field: 'product_key' }] },
    location_key: { type: 'bigint', nullable: false, description: 'wh_dim_location; -1 when the ERP location is unknown.', tests: [{ type: 'relationships', to: whDimLocation, field: 'location_key' }] },
    opening_on_hand: { type: 'bigint', nullable: false, description: 'Units at the start of the day (the closing of the day before).' },
    receipts: { type: 'bigint', nullable: false, description: 'Units received from suppliers.' },
    sales_units: { type: 'bigint', nullable: false, description: 'Units that left as sales.' },
    returns_units: { type: 'bigint', nullable: false, description: 'Units customers brought back.' },
    transfers_in: { type: 'bigint', nullable: false, description: 'Units that arrived from another location.' },
    transfers_out: { type: 'bigint', nullable: false, description: 'Units sent to another location.' },
    adjustments: { type: 'bigint', nullable: false, description: 'Count corrections, shrinkage, damage (signed).' },
    closing_on_hand: { type: 'bigint', nullable: false, description: 'Units at the end of the day.' },
    closing_stock_value: { type: 'numeric(14,2)', nullable: false, description: 'Closing units times the unit cost in force that day.' },
    _built_at: { type: 'timestamptz', nullable: false, description: 'Audit: when this row was last computed.' },
  },
  sql: ({ ref, source, isIncremental, selfMax }) => sql`
    select s.stock_date,
           coalesce(p.product_key, -1) as product_key,
           coalesce(l.location_key, -1) as location_key,
           s.opening_on_hand, s.receipts, s.sales_units, s.returns_units, s.transfers_in, s.transfers_out,
           s.adjustments, s.closing_on_hand,
           (s.closing_on_hand * coalesce(v.unit_cost, 0))::numeric(14,2) as closing_stock_value,
           now() as _built_at
    from ${ref(stgInventoryDailyStock)} as s
    left join ${productVersions(source)} as v
      on v.product_id = s.product_id and ${validAt('v', sql`((s.stock_date + 1)::timestamp at time zone 'UTC')`)}
    left join ${ref(whDimProduct)} as p on p.product_id = s.product_id and p.product_key <> -1
    left join ${ref(whDimLocation)} as l on l.location_id = s.location_id and l.location_key not in (-1, -2)
    ${isIncremental() ? sql`where s._built_at > ${selfMax('_built_at')}` : sql``}`,
});
