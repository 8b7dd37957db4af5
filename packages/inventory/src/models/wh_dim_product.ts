import { defineModel, sql, surrogateKey } from '@warehouse/core';
import { stgInventoryProducts } from './stg_inventory_products.js';
import { stgInventorySalesLines } from './stg_inventory_sales_lines.js';
import { stgInventoryProductStock } from './stg_inventory_product_stock.js';

/**
 * Products with their performance. Units sold and days in stock come from ERP stock movements;
 * revenue, margin and returns from the sales system's raw order lines through the shared
 * amount rules, so they reconcile with wh_fact_sales without inventory depending on the sales
 * domain. Both come from incremental staging models: stock per product and day, revenue per
 * order line (summing those narrow rows costs less than keeping a per-day aggregate current).
 */
export const whDimProduct = defineModel({
  name: 'wh_dim_product',
  domain: 'inventory',
  kind: 'dim',
  description: 'One row per product (surrogate product_key) with attributes and performance to date; key -1 is the unknown product.',
  owner: 'inventory-analytics@company.example',
  grain: ['product_key'],
  access: 'public',
  tags: ['nightly', 'core-dimension'],
  materialized: 'table',
  contract: { enforced: true, primaryKey: ['product_key'] },
  columns: {
    product_key: { type: 'bigint', nullable: false, description: 'Surrogate key, a hash of product_id; -1 for the unknown product.', tests: ['unique', 'not_null'] },
    product_id: { type: 'bigint', nullable: false, description: 'ERP product id.', tests: ['unique'] },
    sku: { type: 'text', nullable: false, description: 'Stock keeping unit code.' },
    product_name: { type: 'text', nullable: false, description: 'Product name.' },
    category: { type: 'text', nullable: false, description: 'Top-level category.' },
    subcategory: { type: 'text', nullable: false, description: 'Category below the top level.' },
    brand: { type: 'text', nullable: false, description: 'Brand name.' },
    unit_cost: { type: 'numeric(12,2)', nullable: false, description: 'Current purchase cost per unit.' },
    list_price: { type: 'numeric(12,2)', nullable: false, description: 'Current list price per unit.' },
    lifecycle_status: { type: 'text', nullable: false, description: 'active, discontinued or planned.' },
    launched_at: { type: 'date', nullable: false, description: 'Day the product was launched.' },
    units_sold: { type: 'bigint', nullable: false, description: 'Units that left stock as sales (ERP movements).' },
    units_ordered: { type: 'bigint', nullable: false, description: 'Units on order lines of orders that were not cancelled.' },
    units_returned: { type: 'bigint', nullable: false, description: 'Units customers returned (orders not cancelled).' },
    gross_revenue: { type: 'numeric(14,2)', nullable: false, description: 'Quantity times list price, before discounts.' },
    net_revenue: { type: 'numeric(14,2)', nullable: false, description: 'What customers paid, minus refunds.' },
    cost_of_goods_sold: { type: 'numeric(14,2)', nullable: false, description: 'Units kept by customers times current unit cost.' },
    gross_margin: { type: 'numeric(14,2)', nullable: false, description: 'Net revenue minus cost of goods sold.' },
    margin_rate: { type: 'numeric(9,4)', description: 'Gross margin over net revenue; null without revenue.' },
    return_rate: { type: 'numeric(9,4)', description: 'Units returned over units ordered; null when none were ordered.', tests: [{ type: 'expression', expression: 'between 0 and 1' }] },
    days_in_stock: { type: 'integer', nullable: false, description: 'Days on which at least one location held the product.' },
  },
  sql: ({ ref }) => sql`
    with revenue as (
      select product_id, sum(units_ordered) as units_ordered, sum(gross_revenue) as gross_revenue,
             sum(net_amount) as net_amount, sum(units_returned) as units_returned, sum(refunded) as refunded
      from ${ref(stgInventorySalesLines)} where counts_as_revenue group by product_id
    ),
    stocked as (
      select product_id, sum(units_sold) as units_sold, count(*) filter (where in_stock) as days_in_stock
      from ${ref(stgInventoryProductStock)} group by product_id
    ),
    measured as (
      select p.*,
             coalesce(k.units_sold, 0) as units_sold,
             coalesce(v.units_ordered, 0) as units_ordered,
             coalesce(v.units_returned, 0) as units_returned,
             coalesce(v.gross_revenue, 0) as gross_revenue,
             coalesce(v.net_amount, 0) - coalesce(v.refunded, 0) as net_revenue,
             (coalesce(v.units_ordered, 0) - coalesce(v.units_returned, 0)) * p.unit_cost as cost_of_goods_sold,
             coalesce(k.days_in_stock, 0) as days_in_stock
      from ${ref(stgInventoryProducts)} as p
      left join revenue as v on v.product_id = p.product_id
      left join stocked as k on k.product_id = p.product_id
    )
    select ${surrogateKey(sql.ref('product_id'))} as product_key, product_id, sku, name as product_name, category, subcategory,
           brand, unit_cost, list_price, lifecycle_status, launched_at,
           units_sold::bigint, units_ordered::bigint, units_returned::bigint,
           gross_revenue::numeric(14,2), net_revenue::numeric(14,2), cost_of_goods_sold::numeric(14,2),
           (net_revenue - cost_of_goods_sold)::numeric(14,2) as gross_margin,
           round((net_revenue - cost_of_goods_sold) / nullif(net_revenue, 0), 4)::numeric(9,4) as margin_rate,
           round(units_returned::numeric / nullif(units_ordered, 0), 4)::numeric(9,4) as return_rate,
           days_in_stock::integer
    from measured
    union all
    select -1, -1, 'UNKNOWN', 'Unknown product', 'Unknown', 'Unknown', 'Unknown', 0, 0, 'unknown', date '1900-01-01',
           0, 0, 0, 0, 0, 0, 0, null, null, 0`,
});
