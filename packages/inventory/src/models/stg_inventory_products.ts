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
    product_id: { type: 'bigint', nullable: false, description: 'ERP product id.' },
    sku: { type: 'text', nullable: false, description: 'Stock keeping unit code.' },
    name: { type: 'text', nullable: false, description: 'Product name.' },
    category: { type: 'text', nullable: false, description: 'Top-level category.' },
    subcategory: { type: 'text', nullable: false, description: 'Category below the top level.' },
    brand: { type: 'text', nullable: false, description: 'Brand name.' },
    unit_cost: { type: 'numeric(12,2)', nullable: false, description: 'Current purchase cost per unit.' },
    list_price: { type: 'numeric(12,2)', nullable: false, description: 'Current list price per unit.' },
    lifecycle_status: { type: 'text', nullable: false, description: 'active, discontinued or planned.' },
    launched_at: { type: 'date', nullable: false, description: 'Day the product was launched.' },
    updated_at: { type: 'timestamptz', nullable: false, description: 'When the ERP last changed the product.' },
  },
  sql: ({ source }) => sql`
    select product_id, sku, name, category, subcategory, brand, unit_cost, list_price,
           lifecycle_status, launched_at, updated_at
    from ${latestVersion(source(products), ['product_id'])} as p`,
});
