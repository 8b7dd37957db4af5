import { defineModel, sql, surrogateKey } from '@warehouse/core';
import { campaignSpend, campaigns, distinctDeliveries, mediaChannels } from '@warehouse/sources';

export const whDimMediaChannels = defineModel({
  name: 'wh_dim_media_channels',
  domain: 'marketing',
  kind: 'dim',
  description: 'One row per media channel: type (paid, owned, earned), category, and spend to date; key -1 is the unknown channel, -2 stands for no channel.',
  owner: 'marketing-analytics@company.example',
  grain: ['channel_key'],
  access: 'public',
  tags: ['nightly', 'core-dimension'],
  materialized: 'table',
  contract: { enforced: true, primaryKey: ['channel_key'] },
  columns: {
    channel_key: { type: 'bigint', nullable: false, description: 'Surrogate key, a hash of channel_id; -1 unknown, -2 none.', tests: ['unique', 'not_null'] },
    channel_id: { type: 'bigint', nullable: false, description: 'Channel id in the marketing tool.' },
    channel_name: { type: 'text', nullable: false, description: 'Channel name.' },
    channel_type: { type: 'text', nullable: false, description: 'paid, owned or earned.', tests: [{ type: 'accepted_values', values: ['paid', 'owned', 'earned', 'unknown', 'none'] }] },
    category: { type: 'text', nullable: false, description: 'search, social, email, display, affiliate, store, web or app.' },
    is_active: { type: 'boolean', nullable: false, description: 'Whether the channel is in use.' },
    campaigns: { type: 'integer', nullable: false, description: 'Campaigns run on the channel.' },
    spend_to_date: { type: 'numeric(14,2)', nullable: false, description: 'Paid media spend on the channel to date.' },
    impressions_to_date: { type: 'bigint', nullable: false, description: 'Impressions reported to date.' },
    clicks_to_date: { type: 'bigint', nullable: false, description: 'Clicks reported to date.' },
    cost_per_click: { type: 'numeric(12,4)', description: 'Spend over clicks; null without clicks.' },
    first_spend_date: { type: 'date', description: 'First day with spend.' },
    last_spend_date: { type: 'date', description: 'Last day with spend.' },
  },
  sql: ({ source }) => sql`
    with spend as (
      select channel_id, sum(amount) as spend, sum(impressions) as impressions, sum(clicks) as clicks,
             min(spend_date) as first_day, max(spend_date) as last_day
      from ${distinctDeliveries(source(campaignSpend), ['spend_date', 'channel_id', 'campaign_id'])} as s
      group by channel_id
    ),
    campaign_count as (
      select channel_id, count(distinct campaign_id) as campaigns from ${source(campaigns)} group by channel_id
    )
    select ${surrogateKey(sql.ref('c.channel_id'))} as channel_key, c.channel_id, c.name as channel_name, c.channel_type,
           c.category, c.is_active, coalesce(k.campaigns, 0)::integer as campaigns,
           coalesce(s.spend, 0)::numeric(14,2) as spend_to_date,
           coalesce(s.impressions, 0)::bigint as impressions_to_date, coalesce(s.clicks, 0)::bigint as clicks_to_date,
           round(s.spend / nullif(s.clicks, 0), 4)::numeric(12,4) as cost_per_click,
           s.first_day as first_spend_date, s.last_day as last_spend_date
    from ${distinctDeliveries(source(mediaChannels), ['channel_id'])} as c
    left join spend as s on s.channel_id = c.channel_id
    left join campaign_count as k on k.channel_id = c.channel_id
    union all
    select -1, -1, 'Unknown channel', 'unknown', 'unknown', false, 0, 0, 0, 0, null, null, null
    union all
    select -2, -2, 'No channel', 'none', 'none', false, 0, 0, 0, 0, null, null, null`,
});
