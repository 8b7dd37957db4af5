import { defineModel, sql } from '@warehouse/core';
import { grossAmount, isRevenueOrder, latestVersion, lineRefunds, netAmount, orderLines, orders, ordersChangedSince } from '@warehouse/sources';

/**
 * Every order line with what it is worth to its product, so wh_dim_product sums narrow rows
 * instead of deduplicating raw lines every night. Line-grained because that is what changes:
 * a night's run merges the lines of the orders anything landed for since the last build (a new
 * line, a status change, a return weeks later), reading them by index, where a per-day
 * aggregate had to recompute every day a late return could touch. Public: marketing's customer
 * value sums the same lines by customer (inventory is the domain every other depends on).
 */
export const stgInventorySalesLines = defineModel({
  name: 'stg_inventory_sales_lines',
  domain: 'inventory',
  kind: 'staging',
  description: 'One row per order line: order, customer, product, order day, units, revenue and returns, and whether its order counts as revenue.',
  owner: 'inventory-analytics@company.example',
  grain: ['order_line_id'],
  tags: ['staging'],
  access: 'public',
  materialized: 'incremental',
  incremental: { strategy: 'merge', uniqueKey: ['order_line_id'] },
  indexes: [['_loaded_at'], ['customer_id']],
  columns: {
    order_line_id: { type: 'bigint', nullable: false, description: 'Order line id in the sales system.' },
    order_id: { type: 'bigint', nullable: false, description: 'Its order.' },
    customer_id: { type: 'bigint', description: 'CRM customer of the order; null for guest checkouts.' },
    product_id: { type: 'bigint', nullable: false, description: 'ERP product id.' },
    order_date: { type: 'date', nullable: false, description: 'UTC day the order was placed.' },
    units_ordered: { type: 'integer', nullable: false, description: 'Units on the line.' },
    units_returned: { type: 'integer', nullable: false, description: 'Units of the line returned so far.' },
    gross_revenue: { type: 'numeric(14,2)', nullable: false, description: 'Quantity times list price.' },
    net_amount: { type: 'numeric(14,2)', nullable: false, description: 'What the customer paid.' },
    refunded: { type: 'numeric(14,2)', nullable: false, description: 'What was refunded on returns.' },
    counts_as_revenue: { type: 'boolean', nullable: false, description: 'False when the order was cancelled.' },
    _loaded_at: { type: 'timestamptz', nullable: false, description: 'Audit: when the newest raw row behind the line landed.' },
  },
  sql: ({ source, isIncremental, selfMax }) => {
    const changed = isIncremental() ? sql<boolean>`order_id in ${ordersChangedSince(source, selfMax('_loaded_at'))}` : undefined;
    const returnsOfChanged = changed ? sql<boolean>`order_line_id in (select order_line_id from ${source(orderLines)} where ${changed})` : undefined;
    return sql`
      select l.order_line_id, l.order_id, o.customer_id, l.product_id, (o.ordered_at at time zone 'UTC')::date as order_date,
             l.quantity as units_ordered, coalesce(r.returned_quantity, 0)::integer as units_returned,
             ${grossAmount('l')}::numeric(14,2) as gross_revenue, ${netAmount('l')}::numeric(14,2) as net_amount,
             coalesce(r.refunded_amount, 0)::numeric(14,2) as refunded, ${isRevenueOrder('o')} as counts_as_revenue,
             greatest(l._loaded_at, o._loaded_at, r._loaded_at) as _loaded_at
      from ${latestVersion(source(orderLines), ['order_line_id'], changed ? { where: changed } : {})} as l
      join ${latestVersion(source(orders), ['order_id'], changed ? { where: changed } : {})} as o on o.order_id = l.order_id
      left join ${lineRefunds(source, returnsOfChanged)} as r on r.order_line_id = l.order_line_id`;
  },
});
