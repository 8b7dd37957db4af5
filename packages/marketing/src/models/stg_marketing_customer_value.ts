import { defineModel, sql } from '@warehouse/core';
import { customerRevenue } from '@warehouse/sources';

/**
 * Each customer's orders and net revenue to date, from raw sales through the shared rule. A
 * table of its own so the planner knows its size: inlined into the segment query, its row
 * count was guessed at 200 and the join became a nested loop over every customer pair.
 * Public because the customer domain's lifetime value is the same number: computed once here
 * (marketing is below customer in the package graph), so both always agree.
 */
export const stgMarketingCustomerValue = defineModel({
  name: 'stg_marketing_customer_value',
  domain: 'marketing',
  kind: 'staging',
  description: 'Orders and net revenue to date per customer (paid minus refunded, cancelled orders excluded).',
  owner: 'marketing-analytics@company.example',
  grain: ['customer_id'],
  tags: ['staging'],
  access: 'public',
  materialized: 'table',
  columns: {
    customer_id: { type: 'bigint', nullable: false, description: 'CRM customer id.' },
    orders: { type: 'bigint', nullable: false, description: 'Orders to date that count as revenue.' },
    net_revenue: { type: 'numeric(14,2)', nullable: false, description: 'Net revenue to date: paid minus refunded.' },
  },
  sql: ({ source }) => sql`
    select customer_id, orders::bigint, net_revenue::numeric(14,2) from ${customerRevenue(source)} as v`,
});
