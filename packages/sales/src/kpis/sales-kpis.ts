import { defineKpi, sql } from '@warehouse/core';
import { whDimConsumer } from '@warehouse/customer';
import { whFactSales } from '../models/wh_fact_sales.js';

/** Lines of orders placed in the period that count as revenue. */
const revenueLinesIn = (from: unknown, to: unknown) => sql`counts_as_revenue and order_date between ${from} and ${to}`;

export const revenue = defineKpi({
  name: 'revenue',
  domain: 'sales',
  unit: 'currency',
  owner: 'sales-analytics@company.example',
  description: 'Net revenue of orders placed in the period: what customers paid, minus refunds; cancelled orders excluded.',
  sql: ({ ref, period }) => sql`
    select coalesce(sum(net_revenue), 0) as value, count(distinct order_id) as orders
    from ${ref(whFactSales)} where ${revenueLinesIn(period.from, period.to)}`,
});

export const grossMargin = defineKpi({
  name: 'gross_margin',
  domain: 'sales',
  unit: 'currency',
  owner: 'sales-analytics@company.example',
  description: 'Net revenue minus the cost of the units customers kept, for orders placed in the period; rate = margin / revenue.',
  sql: ({ ref, period }) => sql`
    select sum(net_revenue) - sum((quantity - returned_quantity) * unit_cost) as value,
           round((sum(net_revenue) - sum((quantity - returned_quantity) * unit_cost)) / nullif(sum(net_revenue), 0), 4) as rate
    from ${ref(whFactSales)} where ${revenueLinesIn(period.from, period.to)}`,
});

export const averageBasket = defineKpi({
  name: 'average_basket',
  domain: 'sales',
  unit: 'currency',
  owner: 'sales-analytics@company.example',
  description: 'Net revenue per order, for orders placed in the period that count as revenue.',
  sql: ({ ref, period }) => sql`
    select round(sum(net_revenue) / nullif(count(distinct order_id), 0), 2) as value, count(distinct order_id) as orders
    from ${ref(whFactSales)} where ${revenueLinesIn(period.from, period.to)}`,
});

export const returnRate = defineKpi({
  name: 'return_rate',
  domain: 'sales',
  unit: 'share',
  owner: 'sales-analytics@company.example',
  description: 'Units returned over units sold, for orders placed in the period (returns counted whenever they came back).',
  sql: ({ ref, period }) => sql`
    select round(sum(returned_quantity)::numeric / nullif(sum(quantity), 0), 4) as value,
           sum(returned_quantity) as units_returned, sum(quantity) as units_sold
    from ${ref(whFactSales)} where ${revenueLinesIn(period.from, period.to)}`,
});

export const offerRedemptionRate = defineKpi({
  name: 'offer_redemption_rate',
  domain: 'sales',
  unit: 'share',
  owner: 'sales-analytics@company.example',
  description: 'Share of orders placed in the period in which at least one line used an offer.',
  sql: ({ ref, period }) => sql`
    select round(count(distinct order_id) filter (where offer_key <> -2)::numeric / nullif(count(distinct order_id), 0), 4) as value,
           count(distinct order_id) filter (where offer_key <> -2) as orders_with_offer, count(distinct order_id) as orders
    from ${ref(whFactSales)} where ${revenueLinesIn(period.from, period.to)}`,
});

export const activeConsumers = defineKpi({
  name: 'active_consumers',
  domain: 'sales',
  unit: 'count',
  owner: 'sales-analytics@company.example',
  description: 'Distinct known consumers (not guests) who placed an order in the period.',
  sql: ({ ref, period }) => sql`
    select count(distinct c.consumer_id) as value
    from ${ref(whFactSales)} as s
    join ${ref(whDimConsumer)} as c on c.consumer_key = s.consumer_key
    where s.consumer_key > 0 and s.counts_as_revenue and s.order_date between ${period.from} and ${period.to}`,
});

export const retention = defineKpi({
  name: 'retention',
  domain: 'sales',
  unit: 'share',
  owner: 'sales-analytics@company.example',
  description:
    'Of the consumers who ordered in the period of the same length just before, the share who ordered again in the period.',
  sql: ({ ref, period }) => sql`
    with buyers as (
      select distinct c.consumer_id, s.order_date between ${period.from} and ${period.to} as in_period
      from ${ref(whFactSales)} as s
      join ${ref(whDimConsumer)} as c on c.consumer_key = s.consumer_key
      where s.consumer_key > 0 and s.counts_as_revenue and s.order_date between ${period.previousFrom} and ${period.to}
    ),
    previous as (select distinct consumer_id from buyers where not in_period),
    current as (select distinct consumer_id from buyers where in_period)
    select round(count(c.consumer_id)::numeric / nullif(count(*), 0), 4) as value,
           count(*) as previous_consumers, count(c.consumer_id) as returned_consumers
    from previous as p left join current as c on c.consumer_id = p.consumer_id`,
});

export const salesKpis = [revenue, grossMargin, averageBasket, returnRate, offerRedemptionRate, activeConsumers, retention];
