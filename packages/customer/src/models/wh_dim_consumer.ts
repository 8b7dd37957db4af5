import { defineModel, sql, surrogateKey } from '@warehouse/core';
import { stgMarketingCustomerValue, whDimAudienceSegments } from '@warehouse/marketing';
import { audienceSegments, customers, distinctDeliveries, orders, ordersChangedSince, segmentMemberships } from '@warehouse/sources';

/**
 * Consumers as slowly changing dimension type 2, a `snapshot` over the CRM's change log: one
 * row per version the CRM delivered, valid from its `updated_at` until the next version (or a
 * deletion) replaced it. Each run adds the versions delivered since the last one; because the
 * CRM keeps every version, a full refresh rebuilds the same history. Lifetime value, orders
 * and current segments are type 1: every version shows today's. Facts join the version that
 * was current when their event happened (core's `validAt`).
 *
 * A nightly run reads only the customers something landed for since the last one (a CRM
 * version, an order, a segment membership, a segment of theirs): their versions and today's
 * values. Deletions come
 * as CRM versions flagged is_deleted, so a customer missing from that partial read is simply
 * unchanged (hardDeletes: 'ignore').
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
  materialized: 'snapshot',
  snapshot: {
    uniqueKey: ['consumer_id'],
    strategy: 'timestamp',
    updatedAt: 'updated_at',
    deletedFlag: 'is_deleted',
    hardDeletes: 'ignore',
    overwriteColumns: ['lifetime_orders', 'lifetime_value', 'current_segments', '_loaded_at'],
    rebuildable: true,
  },
  tests: [
    { type: 'unique', columns: ['consumer_id', 'valid_from'] },
    {
      type: 'sql',
      name: 'wh_dim_consumer_one_current_version',
      description: 'No consumer has more than one current version.',
      sql: ({ self }) => sql`select consumer_id, count(*) as current_versions from ${self} where is_current group by consumer_id having count(*) > 1`,
    },
  ],
  contract: { enforced: true, primaryKey: ['consumer_key'] },
  columns: {
    consumer_key: { type: 'bigint', nullable: false, description: 'Surrogate key of the version: a hash of customer_id and valid_from.', tests: ['unique', 'not_null'] },
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
    updated_at: { type: 'timestamptz', nullable: false, description: 'When the CRM recorded this version (its valid_from).' },
    lifetime_orders: { type: 'bigint', nullable: false, description: 'Orders to date (not cancelled), on every version.' },
    lifetime_value: { type: 'numeric(14,2)', nullable: false, description: 'Net revenue to date: paid minus refunded.' },
    current_segments: { type: 'text[]', nullable: false, description: 'Names of the audience segments the consumer belongs to now.' },
    valid_from: { type: 'timestamptz', nullable: false, description: 'When this version came into force.' },
    valid_to: { type: 'timestamptz', description: 'When the next version (or a deletion) replaced this one; null while current.' },
    is_current: { type: 'boolean', nullable: false, description: 'True for the version in force now (none after a deletion).' },
    _loaded_at: { type: 'timestamptz', description: 'Audit: when the newest raw row behind the consumer (CRM, orders, memberships) landed.' },
  },
  sql: ({ ref, source, isIncremental, selfMax }) => {
    const since = selfMax('_loaded_at');
    const changed = isIncremental()
      ? sql<boolean>`customer_id in (
          select customer_id from ${source(customers)} where _loaded_at > ${since}
          union
          select customer_id from ${source(orders)} where customer_id is not null and order_id in ${ordersChangedSince(source, since)}
          union
          select customer_id from ${source(segmentMemberships)} where _loaded_at > ${since}
          union
          -- a segment delivered again (renamed, say): its members show its new name
          select customer_id from ${source(segmentMemberships)}
          where segment_id in (select segment_id from ${source(audienceSegments)} where _loaded_at > ${since}))`
      : undefined;
    return sql`
    with segments as (
      select m.customer_id,
             coalesce(array_agg(distinct s.segment_name order by s.segment_name) filter (where m.valid_to is null and s.segment_name is not null), '{}') as names,
             max(m._loaded_at) as _loaded_at
      from ${distinctDeliveries(source(segmentMemberships), ['segment_id', 'customer_id', 'valid_from'], changed)} as m
      left join ${ref(whDimAudienceSegments)} as s on s.segment_id = m.segment_id
      group by m.customer_id
    )
    select ${surrogateKey(sql.ref('c.customer_id'), sql.ref('c.updated_at'))} as consumer_key, c.customer_id as consumer_id,
           c.first_name, c.last_name, c.email, c.birth_date, c.gender, c.city, c.country, c.lifestyle, c.signup_at, c.updated_at,
           coalesce(v.orders, 0)::bigint as lifetime_orders, coalesce(v.net_revenue, 0)::numeric(14,2) as lifetime_value,
           coalesce(s.names, '{}')::text[] as current_segments,
           max(greatest(c._loaded_at, v._loaded_at, s._loaded_at)) over (partition by c.customer_id) as _loaded_at, c.is_deleted
    from ${distinctDeliveries(source(customers), ['customer_id', 'updated_at'], changed)} as c
    left join ${ref(stgMarketingCustomerValue)} as v on v.customer_id = c.customer_id
    left join segments as s on s.customer_id = c.customer_id
    union all
    select -1, -1, 'Unknown', 'Unknown', 'unknown', null, null, 'Unknown', 'XX', null, timestamptz '1900-01-01 00:00:00+00',
           timestamptz '-infinity', 0, 0, '{}', null, false
    union all
    select -2, -2, 'Guest', 'Guest', 'guest', null, null, 'Unknown', 'XX', null, timestamptz '1900-01-01 00:00:00+00',
           timestamptz '-infinity', 0, 0, '{}', null, false`;
  },
});
