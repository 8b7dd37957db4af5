import { defineKpi, sql } from '@warehouse/core';
import { campaignSpend, distinctDeliveries } from '@warehouse/sources';

const spendIn = (source: Parameters<Parameters<typeof defineKpi>[0]['sql']>[0]['source']) =>
  distinctDeliveries(source(campaignSpend), ['spend_date', 'channel_id', 'campaign_id']);

export const mediaSpend = defineKpi({
  name: 'media_spend',
  domain: 'marketing',
  unit: 'currency',
  owner: 'marketing-analytics@company.example',
  description: 'Paid media spend in the period, as the ad platforms report it.',
  sql: ({ source, period }) => sql`
    select coalesce(sum(amount), 0) as value, sum(impressions) as impressions, sum(clicks) as clicks
    from ${spendIn(source)} as s where spend_date between ${period.from} and ${period.to}`,
});

export const costPerClick = defineKpi({
  name: 'cost_per_click',
  domain: 'marketing',
  unit: 'currency',
  owner: 'marketing-analytics@company.example',
  description: 'Paid media spend over clicks in the period.',
  sql: ({ source, period }) => sql`
    select round(sum(amount) / nullif(sum(clicks), 0), 4) as value, sum(amount) as spend, sum(clicks) as clicks
    from ${spendIn(source)} as s where spend_date between ${period.from} and ${period.to}`,
});

export const marketingKpis = [mediaSpend, costPerClick];
