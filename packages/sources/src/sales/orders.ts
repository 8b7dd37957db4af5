import { defineSource } from '@warehouse/core';
import { ORDER_STATUSES } from '../rules/sales-amounts.js';

/** Order headers from the sales system (stores, web shop and app). */
export const orders = defineSource({
  system: 'sales',
  name: 'orders',
  description: 'One row per order and delivery: an order is delivered again whenever it changes (status, say).',
  owner: 'sales-data@company.example',
  columns: {
    order_id: { type: 'bigint', nullable: false, description: 'Order number in the sales system.' },
    customer_id: { type: 'bigint', description: 'CRM customer; null for guest checkouts.' },
    store_id: { type: 'bigint', description: 'ERP location of the store; null for online orders.' },
    sales_channel: { type: 'text', nullable: false, description: 'store, web or app.', tests: [{ type: 'accepted_values', values: ['store', 'web', 'app'] }] },
    media_channel_id: { type: 'bigint', description: 'Marketing channel the order is attributed to (last touch), if any.' },
    ordered_at: { type: 'timestamptz', nullable: false },
    status: { type: 'text', nullable: false, description: 'placed, shipped, delivered or cancelled.', tests: [{ type: 'accepted_values', values: ORDER_STATUSES }] },
    currency: { type: 'char(3)', nullable: false },
    updated_at: { type: 'timestamptz', nullable: false, description: 'Last change in the sales system.' },
    _loaded_at: { type: 'timestamptz', nullable: false, description: 'When the row was landed.' },
  },
  primaryKey: ['order_id', 'updated_at'],
  loadedAt: '_loaded_at',
  // a customer's orders, for the models that recompute what changed customers bought
  indexes: [['customer_id']],
  freshness: { warnAfter: { hours: 26 }, errorAfter: { hours: 50 } },
});
