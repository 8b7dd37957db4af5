import { defineSource } from '@warehouse/core';

export const offers = defineSource({
  system: 'marketing',
  name: 'offers',
  description: 'One row per offer: a discount with a validity window and a scope.',
  owner: 'marketing-data@company.example',
  columns: {
    offer_id: { type: 'bigint', nullable: false },
    name: { type: 'text', nullable: false },
    campaign_id: { type: 'bigint' },
    discount_type: { type: 'text', nullable: false, description: 'percent or amount.' },
    discount_value: { type: 'numeric(12,2)', nullable: false, description: 'Percent (0-100) or currency per unit.' },
    valid_from: { type: 'date', nullable: false },
    valid_to: { type: 'date', nullable: false },
    scope: { type: 'text', nullable: false, description: 'all, category or product.' },
    scope_category: { type: 'text', description: 'The category, when scope is category.' },
    scope_product_id: { type: 'bigint', description: 'The ERP product, when scope is product.' },
    _loaded_at: { type: 'timestamptz', nullable: false },
  },
  primaryKey: ['offer_id'],
  loadedAt: '_loaded_at',
  freshness: { warnAfter: { hours: 170 } },
});

export const audienceSegments = defineSource({
  system: 'marketing',
  name: 'audience_segments',
  description: 'One row per audience segment and its rule.',
  owner: 'marketing-data@company.example',
  columns: {
    segment_id: { type: 'bigint', nullable: false },
    name: { type: 'text', nullable: false },
    definition: { type: 'text', nullable: false, description: 'The rule, as the marketing tool states it.' },
    created_at: { type: 'timestamptz', nullable: false },
    _loaded_at: { type: 'timestamptz', nullable: false },
  },
  primaryKey: ['segment_id'],
  loadedAt: '_loaded_at',
  freshness: { warnAfter: { hours: 170 } },
});

export const segmentMemberships = defineSource({
  system: 'marketing',
  name: 'segment_memberships',
  description: 'One row per customer in a segment over a period; valid_to is null while the membership lasts.',
  owner: 'marketing-data@company.example',
  columns: {
    segment_id: { type: 'bigint', nullable: false },
    customer_id: { type: 'bigint', nullable: false },
    valid_from: { type: 'date', nullable: false },
    valid_to: { type: 'date' },
    _loaded_at: { type: 'timestamptz', nullable: false },
  },
  primaryKey: ['segment_id', 'customer_id', 'valid_from'],
  // a customer's memberships, for the consumer dimension's nightly run over changed customers
  indexes: [['customer_id']],
  loadedAt: '_loaded_at',
  freshness: { warnAfter: { hours: 26 }, errorAfter: { hours: 50 } },
});
