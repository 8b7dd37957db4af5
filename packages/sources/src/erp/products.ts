import { defineSource } from '@warehouse/core';

export const products = defineSource({
  system: 'erp',
  name: 'products',
  description: 'One row per product and delivery; a product is delivered again when its price or status changes.',
  owner: 'erp-data@company.example',
  columns: {
    product_id: { type: 'bigint', nullable: false },
    sku: { type: 'text', nullable: false },
    name: { type: 'text', nullable: false },
    category: { type: 'text', nullable: false },
    subcategory: { type: 'text', nullable: false },
    brand: { type: 'text', nullable: false },
    unit_cost: { type: 'numeric(12,2)', nullable: false, description: 'Purchase cost per unit.' },
    list_price: { type: 'numeric(12,2)', nullable: false },
    lifecycle_status: { type: 'text', nullable: false, description: 'active, discontinued or planned.', tests: [{ type: 'accepted_values', values: ['active', 'discontinued', 'planned'] }] },
    launched_at: { type: 'date', nullable: false },
    updated_at: { type: 'timestamptz', nullable: false },
    _loaded_at: { type: 'timestamptz', nullable: false },
  },
  primaryKey: ['product_id', 'updated_at'],
  loadedAt: '_loaded_at',
  freshness: { warnAfter: { hours: 50 }, errorAfter: { hours: 170 } },
});
