import { defineKpi, sql } from '@warehouse/core';
import { whDimMediaChannels } from '@warehouse/marketing';
import { campaignSpend, distinctDeliveries } from '@warehouse/sources';
import { whFactInteractions } from '../models/wh_fact_interactions.js';
import { whFactLoyalty } from '../models/wh_fact_loyalty.js';

export const loyaltyRedemptionRate = defineKpi({
  name: 'loyalty_redemption_rate',
  domain: 'customer',
  unit: 'share',
  owner: 'customer-analytics@company.example',
  description: 'Loyalty points redeemed in the period over points earned in the period.',
  sql: ({ ref, period }) => sql`
    select round(sum(points_redeemed)::numeric / nullif(sum(points_earned), 0), 4) as value,
           sum(points_redeemed) as points_redeemed, sum(points_earned) as points_earned, sum(points_expired) as points_expired
    from ${ref(whFactLoyalty)} where event_date between ${period.from} and ${period.to}`,
});

export const engagedConsumers = defineKpi({
  name: 'engaged_consumers',
  domain: 'customer',
  unit: 'count',
  owner: 'customer-analytics@company.example',
  description: 'Distinct consumers with at least one interaction (open, click, visit, call) in the period; impressions do not count.',
  sql: ({ ref, period }) => sql`
    select count(distinct consumer_id) as value
    from ${ref(whFactInteractions)}
    where interaction_date between ${period.from} and ${period.to} and interaction_type <> 'impression'`,
});

export const costPerInteraction = defineKpi({
  name: 'cost_per_interaction',
  domain: 'customer',
  unit: 'currency',
  owner: 'customer-analytics@company.example',
  description: 'Paid media spend in the period over the interactions on paid channels in the period.',
  sql: ({ ref, source, period }) => sql`
    with spend as (
      select sum(amount) as amount
      from ${distinctDeliveries(source(campaignSpend), ['spend_date', 'channel_id', 'campaign_id'])} as s
      where spend_date between ${period.from} and ${period.to}
    ),
    paid as (
      select count(*) as interactions
      from ${ref(whFactInteractions)} as i
      join ${ref(whDimMediaChannels)} as c on c.channel_key = i.channel_key
      where c.channel_type = 'paid' and i.interaction_date between ${period.from} and ${period.to}
    )
    select round((select amount from spend) / nullif((select interactions from paid), 0), 4) as value,
           (select amount from spend) as spend, (select interactions from paid) as paid_interactions`,
});

export const customerKpis = [loyaltyRedemptionRate, engagedConsumers, costPerInteraction];
