import { defineSource } from '@warehouse/core';

export const loyaltyAccounts = defineSource({
  system: 'crm',
  name: 'loyalty_accounts',
  description: 'One row per loyalty programme membership.',
  owner: 'crm-data@company.example',
  columns: {
    account_id: { type: 'bigint', nullable: false },
    customer_id: { type: 'bigint', nullable: false },
    enrolled_at: { type: 'timestamptz', nullable: false },
    _loaded_at: { type: 'timestamptz', nullable: false },
  },
  primaryKey: ['account_id'],
  loadedAt: '_loaded_at',
  freshness: { warnAfter: { hours: 26 }, errorAfter: { hours: 50 } },
});

export const loyaltyEvents = defineSource({
  system: 'crm',
  name: 'loyalty_events',
  description: 'One row per points movement or tier change on a loyalty account.',
  owner: 'crm-data@company.example',
  columns: {
    event_id: { type: 'bigint', nullable: false },
    account_id: { type: 'bigint', nullable: false },
    event_type: { type: 'text', nullable: false, description: 'earn, redeem, expire or tier_change.', tests: [{ type: 'accepted_values', values: ['earn', 'redeem', 'expire', 'tier_change'] }] },
    points: { type: 'integer', nullable: false, description: 'Always positive; the event type gives the direction. 0 for tier changes.', tests: [{ type: 'expression', expression: '>= 0' }] },
    tier: { type: 'text', description: 'The new tier, on tier_change events.' },
    order_id: { type: 'bigint', description: 'The order that earned or spent the points.' },
    occurred_at: { type: 'timestamptz', nullable: false },
    _loaded_at: { type: 'timestamptz', nullable: false },
  },
  primaryKey: ['event_id'],
  loadedAt: '_loaded_at',
  freshness: { warnAfter: { hours: 26 }, errorAfter: { hours: 50 } },
});
