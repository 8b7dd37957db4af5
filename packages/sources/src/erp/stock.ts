import { defineSource } from '@warehouse/core';

export const stockMovements = defineSource({
  system: 'erp',
  name: 'stock_movements',
  description: 'One row per stock movement at a location: receipts, sales, transfers, adjustments.',
  owner: 'erp-data@company.example',
  columns: {
    movement_id: { type: 'bigint', nullable: false },
    product_id: { type: 'bigint', nullable: false },
    location_id: { type: 'bigint', nullable: false },
    movement_type: { type: 'text', nullable: false, description: 'receipt, sale, return, transfer_in, transfer_out or adjustment.', tests: [{ type: 'accepted_values', values: ['receipt', 'sale', 'return', 'transfer_in', 'transfer_out', 'adjustment'] }] },
    quantity: { type: 'integer', nullable: false, description: 'Signed: positive adds stock, negative removes it.' },
    moved_at: { type: 'timestamptz', nullable: false },
    reference: { type: 'text', description: 'The order line, transfer or count that caused it.' },
    _loaded_at: { type: 'timestamptz', nullable: false },
  },
  primaryKey: ['movement_id'],
  loadedAt: '_loaded_at',
  // stg_inventory_daily_stock reads every movement from the earliest day a night's delivery touched
  indexes: [['moved_at']],
  freshness: { warnAfter: { hours: 26 }, errorAfter: { hours: 50 } },
});

export const stockSnapshots = defineSource({
  system: 'erp',
  name: 'stock_snapshots',
  description: 'On-hand quantity per product and location as counted at the start of a day (the opening balance the movements start from).',
  owner: 'erp-data@company.example',
  columns: {
    snapshot_date: { type: 'date', nullable: false },
    product_id: { type: 'bigint', nullable: false },
    location_id: { type: 'bigint', nullable: false },
    on_hand: { type: 'integer', nullable: false },
    _loaded_at: { type: 'timestamptz', nullable: false },
  },
  primaryKey: ['snapshot_date', 'product_id', 'location_id'],
  loadedAt: '_loaded_at',
});
