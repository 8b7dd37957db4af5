import { defineSource } from '@warehouse/core';

export const returns = defineSource({
  system: 'sales',
  name: 'returns',
  description: 'One row per return of (part of) an order line.',
  owner: 'sales-data@company.example',
  columns: {
    return_id: { type: 'bigint', nullable: false },
    order_line_id: { type: 'bigint', nullable: false },
    returned_at: { type: 'timestamptz', nullable: false },
    quantity: { type: 'integer', nullable: false },
    refund_amount: { type: 'numeric(12,2)', nullable: false, description: 'Money given back, in currency.' },
    reason: { type: 'text' },
    _loaded_at: { type: 'timestamptz', nullable: false },
  },
  primaryKey: ['return_id'],
  loadedAt: '_loaded_at',
  indexes: [['order_line_id']],
  freshness: { warnAfter: { hours: 26 }, errorAfter: { hours: 50 } },
});
