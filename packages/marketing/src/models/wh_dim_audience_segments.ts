import { defineModel, sql, surrogateKey } from '@warehouse/core';
import { audienceSegments, distinctDeliveries, segmentMemberships } from '@warehouse/sources';
import { stgMarketingCustomerValue } from './stg_marketing_customer_value.js';

/**
 * Segments with their current size and the value of their members. Member value is each
 * member's net revenue to date from stg_marketing_customer_value (the same number
 * wh_dim_consumer shows as lifetime value).
 */
export const whDimAudienceSegments = defineModel({
  name: 'wh_dim_audience_segments',
  domain: 'marketing',
  kind: 'dim',
  description: 'One row per audience segment: its definition, current size and the average value of its current members.',
  owner: 'marketing-analytics@company.example',
  grain: ['segment_key'],
  access: 'public',
  tags: ['nightly'],
  materialized: 'table',
  contract: { enforced: true, primaryKey: ['segment_key'] },
  columns: {
    segment_key: { type: 'bigint', nullable: false, description: 'Surrogate key, a hash of segment_id.', tests: ['unique', 'not_null'] },
    segment_id: { type: 'bigint', nullable: false, description: 'Segment id in the marketing tool.' },
    segment_name: { type: 'text', nullable: false, description: 'Segment name.' },
    definition: { type: 'text', nullable: false, description: 'The rule that defines membership, as the marketing tool states it.' },
    created_at: { type: 'timestamptz', nullable: false, description: 'When the segment was created.' },
    current_members: { type: 'bigint', nullable: false, description: 'Customers whose membership has not ended.' },
    members_ever: { type: 'bigint', nullable: false, description: 'Customers who were ever members.' },
    total_member_value: { type: 'numeric(14,2)', nullable: false, description: 'Net revenue to date of the current members.' },
    average_member_value: { type: 'numeric(14,2)', description: 'Total member value over current members; null when empty.' },
  },
  // One pass over the memberships: each (segment, customer) pair once, with whether any of its
  // memberships is still open. Read twice as a CTE, they were materialised and the open ones
  // estimated at 0.5 % of the rows, so the value lookup ran as a nested loop of one index probe
  // per member (96k at scale 1): 0.47 s against 0.29 s, on the nightly's critical path.
  sql: ({ ref, source }) => sql`
    with members as (
      select segment_id, customer_id, bool_or(valid_to is null) as is_current
      from ${distinctDeliveries(source(segmentMemberships), ['segment_id', 'customer_id', 'valid_from'])} as m
      group by segment_id, customer_id
    ),
    valued as (
      select m.segment_id, count(*) filter (where m.is_current) as members, count(*) as members_ever,
             sum(coalesce(v.net_revenue, 0)) filter (where m.is_current) as total_value
      from members as m
      left join ${ref(stgMarketingCustomerValue)} as v on v.customer_id = m.customer_id
      group by m.segment_id
    )
    select ${surrogateKey(sql.ref('s.segment_id'))} as segment_key, s.segment_id, s.name as segment_name, s.definition,
           s.created_at, coalesce(v.members, 0)::bigint as current_members, coalesce(v.members_ever, 0)::bigint as members_ever,
           coalesce(v.total_value, 0)::numeric(14,2) as total_member_value,
           round(v.total_value / nullif(v.members, 0), 2)::numeric(14,2) as average_member_value
    from ${distinctDeliveries(source(audienceSegments), ['segment_id'])} as s
    left join valued as v on v.segment_id = s.segment_id`,
});
