import { defineModel, sql, validAt } from '@warehouse/core';
import { whDimMediaChannels } from '@warehouse/marketing';
import { distinctDeliveries, interactions } from '@warehouse/sources';
import { whDimConsumer } from './wh_dim_consumer.js';

export const whFactInteractions = defineModel({
  name: 'wh_fact_interactions',
  domain: 'customer',
  kind: 'fact',
  description: 'One row per consumer interaction, keyed to the consumer version current at the time and to the media channel.',
  owner: 'customer-analytics@company.example',
  grain: ['interaction_id'],
  tags: ['nightly'],
  materialized: 'incremental',
  // interactions never change once they happened; a run takes the last three days again in
  // case the CRM delivered some of them late
  incremental: { strategy: 'merge', uniqueKey: ['interaction_id'], eventTime: 'occurred_at', lookback: { days: 3 } },
  contract: { enforced: true, primaryKey: ['interaction_id'] },
  columns: {
    interaction_id: { type: 'bigint', nullable: false, description: 'Interaction id in the CRM.', tests: ['unique'] },
    interaction_date: { type: 'date', nullable: false, description: 'UTC day of the interaction.' },
    occurred_at: { type: 'timestamptz', nullable: false, description: 'When it happened.' },
    consumer_key: { type: 'bigint', nullable: false, description: 'wh_dim_consumer version current at occurred_at; -1 unknown.', tests: [{ type: 'relationships', to: whDimConsumer, field: 'consumer_key' }] },
    consumer_id: { type: 'bigint', nullable: false, description: 'CRM customer id (durable across versions).' },
    channel_key: { type: 'bigint', nullable: false, description: 'wh_dim_media_channels; -1 unknown.', tests: [{ type: 'relationships', to: whDimMediaChannels, field: 'channel_key' }] },
    campaign_id: { type: 'bigint', description: 'Marketing campaign the interaction answers, if any.' },
    interaction_type: { type: 'text', nullable: false, description: 'impression, email_open, click, visit, call or complaint.' },
    _loaded_at: { type: 'timestamptz', nullable: false, description: 'Audit: when the CRM delivered the interaction.' },
  },
  sql: ({ ref, source, eventTimeFilter }) => sql`
    select i.interaction_id, (i.occurred_at at time zone 'UTC')::date as interaction_date, i.occurred_at,
           coalesce(c.consumer_key, -1) as consumer_key, i.customer_id as consumer_id,
           coalesce(ch.channel_key, -1) as channel_key, i.campaign_id, i.interaction_type, i._loaded_at
    from ${distinctDeliveries(source(interactions), ['interaction_id'], eventTimeFilter(sql.ref('occurred_at')))} as i
    left join ${ref(whDimConsumer)} as c
      on c.consumer_id = i.customer_id and c.consumer_key not in (-1, -2) and ${validAt('c', sql.ref('i.occurred_at'))}
    left join ${ref(whDimMediaChannels)} as ch on ch.channel_id = i.channel_id and ch.channel_key not in (-1, -2)`,
});
