import { defineModel, sql, validAt } from '@warehouse/core';
import { whDimConsumer } from '@warehouse/customer';
import { whDimLocation, whDimProduct } from '@warehouse/inventory';
import { whDimMediaChannels, whDimOffers } from '@warehouse/marketing';
import {
  ORDER_STATUSES,
  discountAmount,
  grossAmount,
  isRevenueOrder,
  latestVersion,
  lineRefunds,
  netAmount,
  orderLines,
  orders,
  ordersChangedSince,
  productVersions,
} from '@warehouse/sources';

/**
 * The sales fact: every order line, with keys to product, location, consumer (the version
 * current when the order was placed), offer and channel. No line is lost to a join: a key
 * that does not resolve becomes -1 (unknown), a key that does not apply -2 (a guest, an
 * online order, no offer, no channel). Amounts use the shared rules of @warehouse/sources.
 */
export const whFactSales = defineModel({
  name: 'wh_fact_sales',
  domain: 'sales',
  kind: 'fact',
  description: 'One row per order line: keys to product, location, consumer, offer and channel; quantity, gross, discount, net, cost, margin, returns.',
  owner: 'sales-analytics@company.example',
  grain: ['order_line_id'],
  tags: ['nightly', 'finance'],
  materialized: 'incremental',
  // Changes reach a line through its own new versions, its order's (a status change) and its
  // returns, weeks later. A run rebuilds the lines of every order any of those touched since the
  // last build (by landing time, _loaded_at), so it agrees with a full rebuild however late.
  incremental: { strategy: 'merge', uniqueKey: ['order_line_id'] },
  // the watermark (max _loaded_at) is read every run: an index makes it a lookup
  indexes: [['_loaded_at']],
  tests: [
    { type: 'expression', name: 'wh_fact_sales_net_is_gross_minus_discount', expression: 'net_amount = gross_amount - discount_amount' },
    { type: 'expression', name: 'wh_fact_sales_returns_within_quantity', expression: 'returned_quantity <= quantity', severity: 'warn' },
  ],
  contract: { enforced: true, primaryKey: ['order_line_id'] },
  columns: {
    order_line_id: { type: 'bigint', nullable: false, description: 'Order line id in the sales system.', tests: ['unique', 'not_null'] },
    order_id: { type: 'bigint', nullable: false, description: 'Order id in the sales system.' },
    order_date: { type: 'date', nullable: false, description: 'UTC date the order was placed.' },
    ordered_at: { type: 'timestamptz', nullable: false, description: 'When the order was placed.' },
    product_key: { type: 'bigint', nullable: false, description: 'wh_dim_product; -1 unknown.', tests: [{ type: 'relationships', to: whDimProduct, field: 'product_key' }] },
    location_key: { type: 'bigint', nullable: false, description: 'wh_dim_location; -2 online (no store), -1 unknown.', tests: [{ type: 'relationships', to: whDimLocation, field: 'location_key' }] },
    consumer_key: { type: 'bigint', nullable: false, description: 'wh_dim_consumer version current at ordered_at; -2 guest, -1 unknown.', tests: [{ type: 'relationships', to: whDimConsumer, field: 'consumer_key' }] },
    offer_key: { type: 'bigint', nullable: false, description: 'wh_dim_offers; -2 no offer, -1 unknown.', tests: [{ type: 'relationships', to: whDimOffers, field: 'offer_key' }] },
    channel_key: { type: 'bigint', nullable: false, description: 'wh_dim_media_channels (last-touch attribution); -2 none, -1 unknown.', tests: [{ type: 'relationships', to: whDimMediaChannels, field: 'channel_key' }] },
    sales_channel: { type: 'text', nullable: false, description: 'store, web or app; unknown when the order header has not arrived.' },
    order_status: { type: 'text', nullable: false, description: 'placed, shipped, delivered, cancelled; unknown without header.', tests: [{ type: 'accepted_values', values: [...ORDER_STATUSES, 'unknown'] }] },
    currency: { type: 'char(3)', description: 'ISO 4217 currency of the amounts.' },
    quantity: { type: 'integer', nullable: false, description: 'Units ordered.', tests: [{ type: 'expression', expression: '> 0' }] },
    unit_price: { type: 'numeric(12,2)', nullable: false, description: 'List price per unit at the time of the order.' },
    gross_amount: { type: 'numeric(14,2)', nullable: false, description: 'Quantity times list price.' },
    discount_amount: { type: 'numeric(14,2)', nullable: false, description: 'Discount on the line, never more than its gross amount.' },
    net_amount: { type: 'numeric(14,2)', nullable: false, description: 'Gross minus discount: what the customer paid.' },
    unit_cost: { type: 'numeric(12,2)', nullable: false, description: 'Purchase cost per unit in force when the order was placed.' },
    cost_amount: { type: 'numeric(14,2)', nullable: false, description: 'Quantity times unit cost.' },
    margin_amount: { type: 'numeric(14,2)', nullable: false, description: 'Net amount minus cost.' },
    returned_quantity: { type: 'integer', nullable: false, description: 'Units returned so far.' },
    returned_amount: { type: 'numeric(14,2)', nullable: false, description: 'Money refunded on the line.' },
    is_returned: { type: 'boolean', nullable: false, description: 'True when any unit came back.' },
    counts_as_revenue: { type: 'boolean', nullable: false, description: 'False for cancelled orders and lines whose order header has not arrived.' },
    net_revenue: { type: 'numeric(14,2)', nullable: false, description: 'Net amount minus refunds when the line counts as revenue, else 0.' },
    _loaded_at: { type: 'timestamptz', nullable: false, description: 'Audit: when the newest raw row behind the line (line, order or return) landed.' },
  },
  sql: ({ ref, source, isIncremental, selfMax }) => {
    // the lines of every order anything landed for since the last build
    const onlyChanged = isIncremental() ? { where: sql<boolean>`order_id in (select order_id from changed)` } : {};
    return sql`
      ${isIncremental() ? sql`with changed as ${ordersChangedSince(source, selfMax('_loaded_at'))}` : sql``}
      select l.order_line_id, l.order_id,
             (coalesce(o.ordered_at, l.updated_at) at time zone 'UTC')::date as order_date,
             coalesce(o.ordered_at, l.updated_at) as ordered_at,
             coalesce(p.product_key, -1) as product_key,
             case when o.order_id is not null and o.store_id is null then -2 else coalesce(loc.location_key, -1) end as location_key,
             case when o.order_id is not null and o.customer_id is null then -2 else coalesce(c.consumer_key, -1) end as consumer_key,
             case when l.offer_id is null then -2 else coalesce(f.offer_key, -1) end as offer_key,
             case when o.order_id is not null and o.media_channel_id is null then -2 else coalesce(ch.channel_key, -1) end as channel_key,
             coalesce(o.sales_channel, 'unknown') as sales_channel,
             coalesce(o.status, 'unknown') as order_status,
             o.currency,
             l.quantity, l.unit_price,
             ${grossAmount('l')}::numeric(14,2) as gross_amount,
             ${discountAmount('l')}::numeric(14,2) as discount_amount,
             ${netAmount('l')}::numeric(14,2) as net_amount,
             coalesce(pv.unit_cost, 0) as unit_cost,
             (l.quantity * coalesce(pv.unit_cost, 0))::numeric(14,2) as cost_amount,
             (${netAmount('l')} - l.quantity * coalesce(pv.unit_cost, 0))::numeric(14,2) as margin_amount,
             coalesce(r.returned_quantity, 0)::integer as returned_quantity,
             coalesce(r.refunded_amount, 0)::numeric(14,2) as returned_amount,
             coalesce(r.returned_quantity, 0) > 0 as is_returned,
             coalesce(${isRevenueOrder('o')}, false) as counts_as_revenue,
             case when ${isRevenueOrder('o')} then ${netAmount('l')} - coalesce(r.refunded_amount, 0) else 0 end::numeric(14,2) as net_revenue,
             greatest(l._loaded_at, o._loaded_at, r._loaded_at) as _loaded_at
      from ${latestVersion(source(orderLines), ['order_line_id'], onlyChanged)} as l
      left join ${latestVersion(source(orders), ['order_id'], onlyChanged)} as o on o.order_id = l.order_id
      left join ${lineRefunds(source, isIncremental() ? sql<boolean>`order_line_id in (select order_line_id from ${source(orderLines)} where order_id in (select order_id from changed))` : undefined)} as r
        on r.order_line_id = l.order_line_id
      left join ${productVersions(source)} as pv on pv.product_id = l.product_id and ${validAt('pv', sql.ref('o.ordered_at'))}
      left join ${ref(whDimProduct)} as p on p.product_id = l.product_id and p.product_key <> -1
      left join ${ref(whDimLocation)} as loc on loc.location_id = o.store_id and loc.location_key not in (-1, -2)
      left join ${ref(whDimConsumer)} as c
        on c.consumer_id = o.customer_id and c.consumer_key not in (-1, -2) and ${validAt('c', sql.ref('o.ordered_at'))}
      left join ${ref(whDimOffers)} as f on f.offer_id = l.offer_id and f.offer_key not in (-1, -2)
      left join ${ref(whDimMediaChannels)} as ch on ch.channel_id = o.media_channel_id and ch.channel_key not in (-1, -2)`;
  },
});
