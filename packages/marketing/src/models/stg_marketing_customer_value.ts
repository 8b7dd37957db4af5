import { defineModel, sql, type RawBuilder } from '@warehouse/core';
import { stgInventorySalesLines } from '@warehouse/inventory';
import { orders, ordersChangedSince } from '@warehouse/sources';

/**
 * Each customer's orders and net revenue to date, from inventory's sales line staging. A
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
  materialized: 'incremental',
  // a run recomputes the customers whose orders anything landed for since the last build
  incremental: { strategy: 'merge', uniqueKey: ['customer_id'] },
  indexes: [['_loaded_at']],
  columns: {
    customer_id: { type: 'bigint', nullable: false, description: 'CRM customer id.' },
    orders: { type: 'bigint', nullable: false, description: 'Orders to date that count as revenue.' },
    net_revenue: { type: 'numeric(14,2)', nullable: false, description: 'Net revenue to date: paid minus refunded.' },
    _loaded_at: { type: 'timestamptz', description: 'Audit: when the newest raw row behind the customer landed.' },
  },
  sql: ({ ref, source, self, isIncremental, selfMax }) => {
    // summed from inventory's line staging (the shared amount rules, lines deduplicated once),
    // read by customer through its index
    const value = (customers: RawBuilder<boolean>) => sql`
      select customer_id, (count(distinct order_id) filter (where counts_as_revenue))::bigint as orders,
             coalesce(sum(net_amount - refunded) filter (where counts_as_revenue), 0)::numeric(14,2) as net_revenue,
             max(_loaded_at) filter (where counts_as_revenue) as _loaded_at, bool_or(counts_as_revenue) as has_revenue
      from ${ref(stgInventorySalesLines)} where customer_id is not null and ${customers}
      group by customer_id`;
    if (!isIncremental()) return sql`select customer_id, orders, net_revenue, _loaded_at from (${value(sql`true`)}) as v where has_revenue`;
    return sql`
      with changed as (
        -- every customer an order ever had: one moved to another customer is recomputed too
        select distinct customer_id from ${source(orders)}
        where customer_id is not null and order_id in ${ordersChangedSince(source, selfMax('_loaded_at'))}
      )
      -- a customer whose every order was cancelled keeps a row, with zeros
      select c.customer_id, coalesce(f.orders, 0)::bigint as orders, coalesce(f.net_revenue, 0)::numeric(14,2) as net_revenue,
             coalesce(f._loaded_at, s._loaded_at) as _loaded_at
      from changed as c
      left join (${value(sql<boolean>`customer_id in (select customer_id from changed)`)}) as f on f.customer_id = c.customer_id and f.has_revenue
      left join ${self} as s on s.customer_id = c.customer_id
      where f.customer_id is not null or s.customer_id is not null`;
  },
});
