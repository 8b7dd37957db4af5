import { defineModel, sql } from '@warehouse/core';
import { orders, ordersChangedSince, revenueLines } from '@warehouse/sources';

const orderDate = sql`(ordered_at at time zone 'UTC')::date`;

/**
 * Revenue per product and order day, from raw sales through the shared revenue rule, so
 * wh_dim_product sums a few hundred thousand rows instead of deduplicating every order line
 * every night. Incremental: a run recomputes the days of the orders anything landed for since
 * the last build (a line, a status change, a return weeks later), keeping product-days that no
 * longer have revenue as zeros.
 */
export const stgInventoryProductSales = defineModel({
  name: 'stg_inventory_product_sales',
  domain: 'inventory',
  kind: 'staging',
  description: 'Units, revenue and returns per product and order day (orders that count as revenue).',
  owner: 'inventory-analytics@company.example',
  grain: ['order_date', 'product_id'],
  tags: ['staging'],
  materialized: 'incremental',
  incremental: { strategy: 'merge', uniqueKey: ['order_date', 'product_id'] },
  indexes: [['_loaded_at']],
  columns: {
    order_date: { type: 'date', nullable: false, description: 'UTC day the orders were placed.' },
    product_id: { type: 'bigint', nullable: false, description: 'ERP product id.' },
    units_ordered: { type: 'bigint', nullable: false, description: 'Units on lines of orders that were not cancelled.' },
    units_returned: { type: 'bigint', nullable: false, description: 'Units of those lines returned so far.' },
    gross_revenue: { type: 'numeric(14,2)', nullable: false, description: 'Quantity times list price.' },
    net_amount: { type: 'numeric(14,2)', nullable: false, description: 'What customers paid.' },
    refunded: { type: 'numeric(14,2)', nullable: false, description: 'What was refunded on returns.' },
    _loaded_at: { type: 'timestamptz', description: 'Audit: when the newest raw row behind the day landed.' },
  },
  sql: ({ source, self, isIncremental, selfMax }) => {
    const aggregate = (options: Parameters<typeof revenueLines>[1]) => sql`
      select ${orderDate} as order_date, product_id, sum(quantity)::bigint as units_ordered,
             sum(returned_quantity)::bigint as units_returned, sum(gross_amount)::numeric(14,2) as gross_revenue,
             sum(net_amount)::numeric(14,2) as net_amount, sum(refunded_amount)::numeric(14,2) as refunded,
             max(_loaded_at) as _loaded_at
      from ${revenueLines(source, options)} as l
      group by 1, 2`;
    if (!isIncremental()) return aggregate({});
    return sql`
      with days as (
        select distinct (ordered_at at time zone 'UTC')::date as order_date from ${source(orders)}
        where order_id in ${ordersChangedSince(source, selfMax('_loaded_at'))}
      ),
      fresh as (${aggregate({ orders: sql<boolean>`${orderDate} in (select order_date from days)` })})
      -- product-days built before but without revenue now (every order cancelled) become zeros
      select coalesce(f.order_date, s.order_date) as order_date, coalesce(f.product_id, s.product_id) as product_id,
             coalesce(f.units_ordered, 0) as units_ordered, coalesce(f.units_returned, 0) as units_returned,
             coalesce(f.gross_revenue, 0) as gross_revenue, coalesce(f.net_amount, 0) as net_amount,
             coalesce(f.refunded, 0) as refunded, coalesce(f._loaded_at, s._loaded_at) as _loaded_at
      from fresh as f
      full join (select * from ${self} where order_date in (select order_date from days)) as s
        on s.order_date = f.order_date and s.product_id = f.product_id`;
  },
});
