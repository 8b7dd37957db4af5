import { defineModel, sql, surrogateKey } from '@warehouse/core';
import { whDimProduct } from '@warehouse/inventory';
import { campaigns, distinctDeliveries, offers } from '@warehouse/sources';
import { stgMarketingOfferLines } from './stg_marketing_offer_lines.js';

/**
 * Offers with what they achieved. Redemptions and attributed revenue come from the sales
 * system's raw lines (staged incrementally in stg_marketing_offer_lines with the shared amount
 * rules), so they reconcile with wh_fact_sales.
 */
export const whDimOffers = defineModel({
  name: 'wh_dim_offers',
  domain: 'marketing',
  kind: 'dim',
  description: 'One row per offer: discount, validity, scope, redemptions and attributed revenue; key -1 is the unknown offer, -2 stands for no offer.',
  owner: 'marketing-analytics@company.example',
  grain: ['offer_key'],
  access: 'public',
  tags: ['nightly', 'core-dimension'],
  materialized: 'table',
  contract: { enforced: true, primaryKey: ['offer_key'] },
  columns: {
    offer_key: { type: 'bigint', nullable: false, description: 'Surrogate key, a hash of offer_id; -1 unknown, -2 none.', tests: ['unique', 'not_null'] },
    offer_id: { type: 'bigint', nullable: false, description: 'Offer id in the marketing tool.' },
    offer_name: { type: 'text', nullable: false, description: 'Offer name as customers see it.' },
    campaign_id: { type: 'bigint', description: 'Campaign the offer belongs to.' },
    campaign_name: { type: 'text', description: 'Name of that campaign.' },
    discount_type: { type: 'text', nullable: false, description: 'percent or amount.' },
    discount_value: { type: 'numeric(12,2)', nullable: false, description: 'Percent (0-100) or currency per unit, by discount_type.' },
    valid_from: { type: 'date', nullable: false, description: 'First day the offer applies.' },
    valid_to: { type: 'date', nullable: false, description: 'Last day the offer applies.' },
    scope: { type: 'text', nullable: false, description: 'all, category or product.' },
    scope_category: { type: 'text', description: 'The category, when scope is category.' },
    scope_product_key: { type: 'bigint', description: 'wh_dim_product, when the offer is for one product.', tests: [{ type: 'relationships', to: whDimProduct, field: 'product_key' }] },
    redemptions: { type: 'bigint', nullable: false, description: 'Order lines (not cancelled) that used the offer.' },
    redeemed_orders: { type: 'bigint', nullable: false, description: 'Orders (not cancelled) with at least one line using the offer.' },
    discount_given: { type: 'numeric(14,2)', nullable: false, description: 'Discount granted through the offer, in currency.' },
    attributed_revenue: { type: 'numeric(14,2)', nullable: false, description: 'Net revenue (paid minus refunded) of the lines that used the offer.' },
  },
  sql: ({ ref, source }) => sql`
    with redeemed as (
      select offer_id, count(*) as redemptions, count(distinct order_id) as redeemed_orders,
             sum(discount_amount) as discount_given, sum(net_amount - refunded_amount) as attributed_revenue
      from ${ref(stgMarketingOfferLines)} as l
      where counts_as_revenue
      group by offer_id
    )
    select ${surrogateKey(sql.ref('o.offer_id'))} as offer_key, o.offer_id, o.name as offer_name, o.campaign_id,
           c.name as campaign_name, o.discount_type, o.discount_value, o.valid_from, o.valid_to, o.scope,
           o.scope_category,
           case when o.scope_product_id is not null then coalesce(p.product_key, -1) end as scope_product_key,
           coalesce(r.redemptions, 0)::bigint as redemptions, coalesce(r.redeemed_orders, 0)::bigint as redeemed_orders,
           coalesce(r.discount_given, 0)::numeric(14,2) as discount_given,
           coalesce(r.attributed_revenue, 0)::numeric(14,2) as attributed_revenue
    from ${distinctDeliveries(source(offers), ['offer_id'])} as o
    left join ${distinctDeliveries(source(campaigns), ['campaign_id'])} as c on c.campaign_id = o.campaign_id
    left join ${ref(whDimProduct)} as p on p.product_id = o.scope_product_id and p.product_key <> -1
    left join redeemed as r on r.offer_id = o.offer_id
    union all
    select -1, -1, 'Unknown offer', null, null, 'unknown', 0, date '1900-01-01', date '9999-12-31', 'unknown', null, null, 0, 0, 0, 0
    union all
    select -2, -2, 'No offer', null, null, 'none', 0, date '1900-01-01', date '9999-12-31', 'none', null, null, 0, 0, 0, 0`,
});
