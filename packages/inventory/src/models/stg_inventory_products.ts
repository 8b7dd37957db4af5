import { defineModel, sql } from '@warehouse/core';
import { latestVersion, products } from '@warehouse/sources';

/** The current version of each ERP product; the ERP delivers a product again when it changes. */
export const stgInventoryProducts = defineModel({
  name: 'stg_inventory_products',
  domain: 'inventory',
  kind: 'staging',
  description: 'The latest delivered version of each ERP product.',
  owner: 'inventory-analytics@company.example',
  grain: ['product_id'],
  tags: ['staging'],
  materialized: 'view',
  columns: {
    product_id: { type: 'bigint', nullable: false },
    sku: { type: 'text', nullable: false },
    name: { type: 'text', nullable: false },
    category: { type: 'text', nullable: false },
    subcategory: { type: 'text', nullable: false },
    brand: { type: 'text', nullable: false },
    unit_cost: { type: 'numeric(12,2)', nullable: false },
    list_price: { type: 'numeric(12,2)', nullable: false },
    lifecycle_status: { type: 'text', nullable: false },
    launched_at: { type: 'date', nullable: false },
    updated_at: { type: 'timestamptz', nullable: false },
  },
  sql: ({ source }) => sql`
    select product_id, sku, name, category, subcategory, brand, unit_cost, list_price,
           lifecycle_status, launched_at, updated_at
    from ${latestVersion(source(products), ['product_id'])} as p`,
});
