import { defineModel, sql, validAt } from '@warehouse/core';
import { distinctDeliveries, loyaltyAccounts, loyaltyEvents } from '@warehouse/sources';
import { whDimConsumer } from './wh_dim_consumer.js';

export const whFactLoyalty = defineModel({
  name: 'wh_fact_loyalty',
  domain: 'customer',
  kind: 'fact',
  description: 'One row per loyalty event: points earned, redeemed or expired, the balance after it and the tier in force.',
  owner: 'customer-analytics@company.example',
  grain: ['event_id'],
  tags: ['nightly'],
  materialized: 'incremental',
  // A new event changes the balance and tier of every later event of its account: a run
  // recomputes the whole history of each account that got an event since the last build.
  incremental: { strategy: 'merge', uniqueKey: ['event_id'] },
  indexes: [['_loaded_at']],
  contract: { enforced: true, primaryKey: ['event_id'] },
  columns: {
    event_id: { type: 'bigint', nullable: false, description: 'Loyalty event id in the CRM.', tests: ['unique'] },
    account_id: { type: 'bigint', nullable: false, description: 'Loyalty account.' },
    event_date: { type: 'date', nullable: false, description: 'UTC day of the event.' },
    occurred_at: { type: 'timestamptz', nullable: false, description: 'When it happened.' },
    consumer_key: { type: 'bigint', nullable: false, description: 'wh_dim_consumer version current at occurred_at; -1 unknown.', tests: [{ type: 'relationships', to: whDimConsumer, field: 'consumer_key' }] },
    event_type: { type: 'text', nullable: false, description: 'earn, redeem, expire or tier_change.' },
    order_id: { type: 'bigint', description: 'The order that earned or spent the points, if any.' },
    points_earned: { type: 'integer', nullable: false, description: 'Points added by the event.' },
    points_redeemed: { type: 'integer', nullable: false, description: 'Points spent by the event.' },
    points_expired: { type: 'integer', nullable: false, description: 'Points that lapsed with the event.' },
    points_change: { type: 'integer', nullable: false, description: 'Earned minus redeemed minus expired.' },
    balance_after: { type: 'bigint', nullable: false, description: 'The account balance after this event.', tests: [{ type: 'expression', expression: '>= 0' }] },
    tier: { type: 'text', nullable: false, description: 'The tier in force after this event (base until the first tier change).' },
    _loaded_at: { type: 'timestamptz', nullable: false, description: 'Audit: when the CRM delivered the event.' },
  },
  sql: ({ ref, source, isIncremental, selfMax }) => sql`
    with events as (
      select e.*, a.customer_id,
             case when e.event_type = 'earn' then e.points else 0 end as earned,
             case when e.event_type = 'redeem' then e.points else 0 end as redeemed,
             case when e.event_type = 'expire' then e.points else 0 end as expired
      from ${distinctDeliveries(
        source(loyaltyEvents),
        ['event_id'],
        isIncremental()
          ? sql<boolean>`account_id in (select account_id from ${source(loyaltyEvents)} where _loaded_at > ${selfMax('_loaded_at')})`
          : undefined,
      )} as e
      left join ${distinctDeliveries(source(loyaltyAccounts), ['account_id'])} as a on a.account_id = e.account_id
    ),
    running as (
      select *,
             sum(earned - redeemed - expired) over account_history as balance_after,
             count(tier) over account_history as tier_changes
      from events
      window account_history as (partition by account_id order by occurred_at, event_id rows unbounded preceding)
    ),
    tiered as (
      select *, first_value(tier) over (partition by account_id, tier_changes order by occurred_at, event_id) as tier_in_force
      from running
    )
    select t.event_id, t.account_id, (t.occurred_at at time zone 'UTC')::date as event_date, t.occurred_at,
           coalesce(c.consumer_key, -1) as consumer_key, t.event_type, t.order_id,
           t.earned as points_earned, t.redeemed as points_redeemed, t.expired as points_expired,
           (t.earned - t.redeemed - t.expired) as points_change, t.balance_after::bigint,
           coalesce(t.tier_in_force, 'base') as tier, t._loaded_at
    from tiered as t
    left join ${ref(whDimConsumer)} as c
      on c.consumer_id = t.customer_id and c.consumer_key not in (-1, -2) and ${validAt('c', sql.ref('t.occurred_at'))}`,
});
