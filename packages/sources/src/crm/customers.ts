import { defineSource } from '@warehouse/core';

/** Customer versions: every change in the CRM lands a new row with a later updated_at. */
export const customers = defineSource({
  system: 'crm',
  name: 'customers',
  description: 'One row per customer version delivered by the CRM.',
  owner: 'crm-data@company.example',
  columns: {
    customer_id: { type: 'bigint', nullable: false },
    first_name: { type: 'text', nullable: false },
    last_name: { type: 'text', nullable: false },
    email: { type: 'text', nullable: false },
    birth_date: { type: 'date' },
    gender: { type: 'text', description: 'f, m, x or null when not given.' },
    city: { type: 'text', nullable: false },
    country: { type: 'char(2)', nullable: false, description: 'ISO 3166-1 alpha-2.' },
    lifestyle: { type: 'text', description: 'Psychographic profile from the CRM survey.' },
    signup_at: { type: 'timestamptz', nullable: false },
    is_deleted: { type: 'boolean', nullable: false, description: 'True on the version that records a deletion (GDPR erasure).' },
    updated_at: { type: 'timestamptz', nullable: false },
    _loaded_at: { type: 'timestamptz', nullable: false },
  },
  primaryKey: ['customer_id', 'updated_at'],
  loadedAt: '_loaded_at',
  freshness: { warnAfter: { hours: 26 }, errorAfter: { hours: 50 } },
});
