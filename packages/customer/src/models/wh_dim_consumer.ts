import { defineModel, sql, surrogateKey } from '@warehouse/core';
import { whDimAudienceSegments } from '@warehouse/marketing';
import { customerRevenue, customers, distinctDeliveries, segmentMemberships } from '@warehouse/sources';

/**
 * Consumers as slowly changing dimension type 2: one row per version the CRM delivered, valid
 * from its `updated_at` until the next version (or a deletion) replaced it. Facts join the
 * version that was current when their event happened (core's `validAt`).
 */
export const whDimConsumer = defineModel({
  name: 'wh_dim_consumer',
  domain: 'customer',
  kind: 'dim',
  description:
    'One row per consumer version (SCD2) with demographics, psychographic profile, lifetime value and current segments; key -1 is the unknown consumer, -2 stands for guest checkouts.',
  owner: 'customer-analytics@company.example',
  grain: ['consumer_key'],
  access: 'public',
  tags: ['nightly', 'core-dimension', 'pii'],
  materialized: 'table',
  columns: {
    consumer_key: { type: 'bigint', nullable: false, description: 'Surrogate key of the version: a hash of customer_id and valid_from.' },
    consumer_id: { type: 'bigint', nullable: false, description: 'CRM customer id, the same on every version.' },
    first_name: { type: 'text', nullable: false, description: 'Given name (PII).' },
    last_name: { type: 'text', nullable: false, description: 'Family name (PII).' },
    email: { type: 'text', nullable: false, description: 'Email address of this version (PII).' },
    birth_date: { type: 'date', description: 'Date of birth, when given (PII).' },
    gender: { type: 'text', description: 'f, m, x, or null when not given.' },
    city: { type: 'text', nullable: false, description: 'City of residence in this version.' },
    country: { type: 'char(2)', nullable: false, description: 'ISO 3166-1 alpha-2 country of this version.' },
    lifestyle: { type: 'text', description: 'Psychographic profile from the CRM survey.' },
    signup_at: { type: 'timestamptz', nullable: false, description: 'When the customer signed up.' },
    lifetime_orders: { type: 'bigint', nullable: false, description: 'Orders to date (not cancelled), on every version.' },
    lifetime_value: { type: 'numeric(14,2)', nullable: false, description: 'Net revenue to date: paid minus refunded.' },
    current_segments: { type: 'text[]', nullable: false, description: 'Names of the audience segments the consumer belongs to now.' },
    valid_from: { type: 'timestamptz', nullable: false, description: 'When this version came into force.' },
    valid_to: { type: 'timestamptz', description: 'When the next version (or a deletion) replaced this one; null while current.' },
    is_current: { type: 'boolean', nullable: false, description: 'True for the version in force now (none after a deletion).' },
  },
  sql: ({ ref, source }) => sql`
    with versions as (
      select *, lead(updated_at) over (partition by customer_id order by updated_at) as replaced_at,
             row_number() over (partition by customer_id order by updated_at) as version
      from ${distinctDeliveries(source(customers), ['customer_id', 'updated_at'])} as c
    ),
    segments as (
      select m.customer_id, array_agg(distinct s.segment_name order by s.segment_name) as names
      from ${distinctDeliveries(source(segmentMemberships), ['segment_id', 'customer_id', 'valid_from'])} as m
      join ${ref(whDimAudienceSegments)} as s on s.segment_id = m.segment_id
      where m.valid_to is null
      group by m.customer_id
    ),
    kept as (
      -- a deletion is a version that only closes the one before it
      select *, case when version = 1 then least(signup_at, updated_at) else updated_at end as valid_from
      from versions where not is_deleted
    )
    select ${surrogateKey(sql.ref('k.customer_id'), sql.ref('k.valid_from'))} as consumer_key, k.customer_id as consumer_id,
           k.first_name, k.last_name, k.email, k.birth_date, k.gender, k.city, k.country, k.lifestyle, k.signup_at,
           coalesce(v.orders, 0)::bigint as lifetime_orders, coalesce(v.net_revenue, 0)::numeric(14,2) as lifetime_value,
           coalesce(s.names, '{}')::text[] as current_segments,
           k.valid_from, k.replaced_at as valid_to, k.replaced_at is null as is_current
    from kept as k
    left join ${customerRevenue(source)} as v on v.customer_id = k.customer_id
    left join segments as s on s.customer_id = k.customer_id
    union all
    select -1, -1, 'Unknown', 'Unknown', 'unknown', null, null, 'Unknown', 'XX', null, timestamptz '1900-01-01 00:00:00+00',
           0, 0, '{}', timestamptz '-infinity', null, true
    union all
    select -2, -2, 'Guest', 'Guest', 'guest', null, null, 'Unknown', 'XX', null, timestamptz '1900-01-01 00:00:00+00',
           0, 0, '{}', timestamptz '-infinity', null, true`,
});
