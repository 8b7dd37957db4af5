import { defineSource } from '@warehouse/core';

export const locations = defineSource({
  system: 'erp',
  name: 'locations',
  description: 'One row per store or warehouse.',
  owner: 'erp-data@company.example',
  columns: {
    location_id: { type: 'bigint', nullable: false },
    name: { type: 'text', nullable: false },
    location_type: { type: 'text', nullable: false, description: 'store or warehouse.' },
    city: { type: 'text', nullable: false },
    region: { type: 'text', nullable: false },
    country: { type: 'char(2)', nullable: false },
    latitude: { type: 'double precision' },
    longitude: { type: 'double precision' },
    opened_at: { type: 'date', nullable: false },
    closed_at: { type: 'date' },
    _loaded_at: { type: 'timestamptz', nullable: false },
  },
  primaryKey: ['location_id'],
  loadedAt: '_loaded_at',
  freshness: { warnAfter: { hours: 170 } },
});
