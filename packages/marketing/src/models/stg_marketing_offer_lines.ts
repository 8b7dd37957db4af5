import { defineModel, sql } from '@warehouse/core';
import { discountAmount, isRevenueOrder, latestVersion, lineRefunds, netAmount, orderLines, orders, ordersChangedSince } from '@warehouse/sources';

/**
 * The order lines that used an offer, with what they paid, so wh_dim_offers sums a few percent
 * of the lines instead of deduplicating them all every night. Incremental: a run merges the
 * lines of the orders anything landed for since the last build.
 */
export const stgMarketingOfferLines = defineModel({
  name: 'stg_marketing_offer_lines',
  domain: 'marketing',
  kind: 'staging',
  description: 'One row per order line that used an offer: its order, discount, net amount, refunds and whether it counts as revenue.',
  owner: 'marketing-analytics@company.example',
  grain: ['order_line_id'],
  tags: ['staging'],
  materialized: 'incremental',
  incremental: { strategy: 'merge', uniqueKey: ['order_line_id'] },
  indexes: [['_loaded_at']],
  columns: {
    order_line_id: { type: 'bigint', nullable: false, description: 'Order line id in the sales system.' },
    order_id: { type: 'bigint', nullable: false, description: 'Its order.' },
    offer_id: { type: 'bigint', nullable: false, description: 'The offer the line used.' },
    discount_amount: { type: 'numeric(14,2)', nullable: false, description: 'Discount granted on the line.' },
    net_amount: { type: 'numeric(14,2)', nullable: false, description: 'What the customer paid for the line.' },
    refunded_amount: { type: 'numeric(14,2)', nullable: false, description: 'Refunded on returns of the line.' },
    counts_as_revenue: { type: 'boolean', nullable: false, description: 'False when the order was cancelled.' },
    _loaded_at: { type: 'timestamptz', nullable: false, description: 'Audit: when the newest raw row behind the line landed.' },
  },
  sql: ({ source, isIncremental, selfMax }) => {
    const changed = isIncremental() ? sql<boolean>`order_id in ${ordersChangedSince(source, selfMax('_loaded_at'))}` : undefined;
    return sql`
      select l.order_line_id, l.order_id, l.offer_id, ${discountAmount('l')}::numeric(14,2) as discount_amount,
             ${netAmount('l')}::numeric(14,2) as net_amount, coalesce(r.refunded_amount, 0)::numeric(14,2) as refunded_amount,
             ${isRevenueOrder('o')} as counts_as_revenue, greatest(l._loaded_at, o._loaded_at, r._loaded_at) as _loaded_at
      from ${latestVersion(source(orderLines), ['order_line_id'], changed ? { where: changed } : {})} as l
      join ${latestVersion(source(orders), ['order_id'], changed ? { where: changed } : {})} as o on o.order_id = l.order_id
      left join ${lineRefunds(source, changed ? sql<boolean>`order_line_id in (select order_line_id from ${source(orderLines)} where ${changed})` : undefined)} as r
        on r.order_line_id = l.order_line_id
      where l.offer_id is not null`;
  },
});
