import { defineModel, sql, surrogateKey } from '@warehouse/core';
import { distinctDeliveries, locations } from '@warehouse/sources';

export const whDimLocation = defineModel({
  name: 'wh_dim_location',
  domain: 'inventory',
  kind: 'dim',
  description:
    'One row per store or warehouse with its geography (city, region, country); key -1 is the unknown location, -2 stands for online orders, which have no store.',
  owner: 'inventory-analytics@company.example',
  grain: ['location_key'],
  access: 'public',
  tags: ['nightly', 'core-dimension'],
  materialized: 'table',
  contract: { enforced: true, primaryKey: ['location_key'] },
  columns: {
    location_key: { type: 'bigint', nullable: false, description: 'Surrogate key, a hash of location_id; -1 unknown, -2 online (no store).', tests: ['unique', 'not_null'] },
    location_id: { type: 'bigint', nullable: false, description: 'ERP location id.' },
    location_name: { type: 'text', nullable: false, description: 'Name of the store or warehouse.' },
    location_type: { type: 'text', nullable: false, description: 'store, warehouse, or online for key -2.', tests: [{ type: 'accepted_values', values: ['store', 'warehouse', 'online', 'unknown'] }] },
    city: { type: 'text', nullable: false, description: 'City.' },
    region: { type: 'text', nullable: false, description: 'Region or state within the country.' },
    country: { type: 'char(2)', nullable: false, description: 'ISO 3166-1 alpha-2 country.' },
    latitude: { type: 'double precision', description: 'WGS84 latitude.' },
    longitude: { type: 'double precision', description: 'WGS84 longitude.' },
    opened_at: { type: 'date', nullable: false, description: 'Day the location opened.' },
    closed_at: { type: 'date', description: 'Day the location closed; null while open.' },
    is_open: { type: 'boolean', nullable: false, description: 'True while the location has no closing date.' },
  },
  sql: ({ source }) => sql`
    select ${surrogateKey(sql.ref('location_id'))} as location_key, location_id, name as location_name, location_type,
           city, region, country, latitude, longitude, opened_at, closed_at, closed_at is null as is_open
    from ${distinctDeliveries(source(locations), ['location_id'])} as l
    union all
    select -1, -1, 'Unknown location', 'unknown', 'Unknown', 'Unknown', 'XX', null, null, date '1900-01-01', null, true
    union all
    select -2, -2, 'Online (no store)', 'online', 'Online', 'Online', 'XX', null, null, date '1900-01-01', null, true`,
});
