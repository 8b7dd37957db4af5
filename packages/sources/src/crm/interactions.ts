import { defineSource } from '@warehouse/core';

export const interactions = defineSource({
  system: 'crm',
  name: 'interactions',
  description: 'One row per customer interaction: an email opened, a link clicked, a store visit, a call.',
  owner: 'crm-data@company.example',
  columns: {
    interaction_id: { type: 'bigint', nullable: false },
    customer_id: { type: 'bigint', nullable: false },
    channel_id: { type: 'bigint', nullable: false, description: 'Marketing media channel.' },
    campaign_id: { type: 'bigint', description: 'Marketing campaign, when the interaction answers one.' },
    interaction_type: { type: 'text', nullable: false, description: 'impression, email_open, click, visit, call or complaint.' },
    occurred_at: { type: 'timestamptz', nullable: false },
    _loaded_at: { type: 'timestamptz', nullable: false },
  },
  primaryKey: ['interaction_id'],
  loadedAt: '_loaded_at',
  // wh_fact_interactions reads the last few days by occurred_at (its event time, with a lookback)
  indexes: [['occurred_at']],
  freshness: { warnAfter: { hours: 26 }, errorAfter: { hours: 50 } },
});
