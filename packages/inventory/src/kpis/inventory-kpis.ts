import { defineKpi, sql } from '@warehouse/core';
import { whFactInventory } from '../models/wh_fact_inventory.js';

export const sellThrough = defineKpi({
  name: 'sell_through',
  domain: 'inventory',
  unit: 'share',
  owner: 'inventory-analytics@company.example',
  description:
    'Units sold over units available (on hand at the start of the period plus units received from suppliers during it), across all locations.',
  sql: ({ ref, period }) => sql`
    with in_period as (select * from ${ref(whFactInventory)} where stock_date between ${period.from} and ${period.to}),
    opening as (select sum(opening_on_hand) as units from in_period where stock_date = (select min(stock_date) from in_period))
    select round(sum(sales_units)::numeric / nullif((select units from opening) + sum(receipts), 0), 4) as value,
           sum(sales_units) as units_sold, (select units from opening) as opening_units, sum(receipts) as units_received
    from in_period`,
});

export const stockCoverDays = defineKpi({
  name: 'stock_cover_days',
  domain: 'inventory',
  unit: 'days',
  owner: 'inventory-analytics@company.example',
  description: 'Days the stock on hand at the end of the period would last at the average daily sales of the period.',
  sql: ({ ref, period }) => sql`
    with in_period as (select * from ${ref(whFactInventory)} where stock_date between ${period.from} and ${period.to}),
    closing as (select sum(closing_on_hand) as units from in_period where stock_date = (select max(stock_date) from in_period)),
    daily as (select sum(sales_units)::numeric / nullif(count(distinct stock_date), 0) as units from in_period)
    select round((select units from closing) / nullif((select units from daily), 0), 1) as value,
           (select units from closing) as closing_units, round((select units from daily), 1) as average_daily_sales`,
});

export const inventoryKpis = [sellThrough, stockCoverDays];
