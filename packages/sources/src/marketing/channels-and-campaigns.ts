import { defineSource } from '@warehouse/core';

export const mediaChannels = defineSource({
  system: 'marketing',
  name: 'media_channels',
  description: 'One row per media channel the company markets through or sells in.',
  owner: 'marketing-data@company.example',
  columns: {
    channel_id: { type: 'bigint', nullable: false },
    name: { type: 'text', nullable: false },
    channel_type: { type: 'text', nullable: false, description: 'paid, owned or earned.' },
    category: { type: 'text', nullable: false, description: 'search, social, email, display, affiliate, store, web or app.' },
    is_active: { type: 'boolean', nullable: false },
    _loaded_at: { type: 'timestamptz', nullable: false },
  },
  primaryKey: ['channel_id'],
  loadedAt: '_loaded_at',
  freshness: { warnAfter: { hours: 170 } },
});

export const campaigns = defineSource({
  system: 'marketing',
  name: 'campaigns',
  description: 'One row per marketing campaign.',
  owner: 'marketing-data@company.example',
  columns: {
    campaign_id: { type: 'bigint', nullable: false },
    name: { type: 'text', nullable: false },
    channel_id: { type: 'bigint', nullable: false },
    objective: { type: 'text', nullable: false, description: 'awareness, acquisition, retention or promotion.' },
    starts_on: { type: 'date', nullable: false },
    ends_on: { type: 'date', nullable: false },
    budget: { type: 'numeric(12,2)', nullable: false },
    _loaded_at: { type: 'timestamptz', nullable: false },
  },
  primaryKey: ['campaign_id'],
  loadedAt: '_loaded_at',
  freshness: { warnAfter: { hours: 170 } },
});

export const campaignSpend = defineSource({
  system: 'marketing',
  name: 'campaign_spend',
  description: 'Spend per day, channel and campaign, as the ad platforms report it.',
  owner: 'marketing-data@company.example',
  columns: {
    spend_date: { type: 'date', nullable: false },
    channel_id: { type: 'bigint', nullable: false },
    campaign_id: { type: 'bigint', nullable: false },
    amount: { type: 'numeric(12,2)', nullable: false },
    impressions: { type: 'integer', nullable: false },
    clicks: { type: 'integer', nullable: false },
    _loaded_at: { type: 'timestamptz', nullable: false },
  },
  primaryKey: ['spend_date', 'channel_id', 'campaign_id'],
  loadedAt: '_loaded_at',
  freshness: { warnAfter: { hours: 26 }, errorAfter: { hours: 50 } },
});
