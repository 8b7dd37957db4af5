import { describe, expect, it } from 'vitest';
import { rowSchemaFor } from './row-schema.js';

const schema = rowSchemaFor({
  id: { type: 'bigint', nullable: false },
  price: { type: 'numeric(10,2)', nullable: false },
  active: { type: 'boolean' },
  born: { type: 'date' },
  seen_at: { type: 'timestamptz' },
  code: { type: 'varchar(3)' },
});

describe('rowSchemaFor', () => {
  it('accepts text as CSV lands it, and empty strings as null where nullable', () => {
    expect(schema.parse({ id: '42', price: '9.90', active: 'true', born: '1990-02-03', seen_at: '2026-01-02T03:04:05Z', code: '' })).toEqual({
      id: '42',
      price: '9.90',
      active: true,
      born: '1990-02-03',
      seen_at: '2026-01-02T03:04:05Z',
      code: null,
    });
  });

  it('names each bad column', () => {
    const result = schema.safeParse({ id: '', price: 'abc', active: 'maybe', born: '03/02/1990', seen_at: null, code: 'ABCD' });
    expect(result.success).toBe(false);
    const paths = result.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(paths).toEqual([
      'id: expected an integer',
      'price: expected a number',
      expect.stringMatching(/^active: /),
      'born: expected a date (YYYY-MM-DD)',
      'code: longer than 3 characters',
    ]);
  });
});
