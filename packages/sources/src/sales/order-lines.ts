import { defineSource } from '@warehouse/core';

/** Order lines; late lines for earlier days arrive in later deliveries. */
export const orderLines = defineSource({
  system: 'sales',
  name: 'order_lines',
  description: 'One row per order line and delivery; a line delivered twice appears twice.',
  owner: 'sales-data@company.example',
  columns: {
    order_line_id: { type: 'bigint', nullable: false },
    order_id: { type: 'bigint', nullable: false },
    product_id: { type: 'bigint', nullable: false, description: 'ERP product.' },
    quantity: { type: 'integer', nullable: false, tests: [{ type: 'expression', expression: '> 0' }] },
    unit_price: { type: 'numeric(12,2)', nullable: false, description: 'List price per unit at the time of the order.', tests: [{ type: 'expression', expression: '>= 0' }] },
    discount: { type: 'numeric(12,2)', nullable: false, description: 'Discount on the whole line, in currency.' },
    offer_id: { type: 'bigint', description: 'Marketing offer that gave the discount, if any.' },
    updated_at: { type: 'timestamptz', nullable: false },
    _loaded_at: { type: 'timestamptz', nullable: false },
  },
  primaryKey: ['order_line_id', 'updated_at'],
  loadedAt: '_loaded_at',
  // an order's lines, for the models that recompute changed orders
  indexes: [['order_id']],
  freshness: { warnAfter: { hours: 26 }, errorAfter: { hours: 50 } },
});
