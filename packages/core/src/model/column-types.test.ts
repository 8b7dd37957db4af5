import { describe, expect, it } from 'vitest';
import { canonicalPgType, parsePgType, pgTypeFits } from './column-types.js';

describe('column types', () => {
  it.each([
    ['int8', 'bigint'],
    ['timestamptz', 'timestamp with time zone'],
    ['varchar(20)', 'character varying(20)'],
    ['numeric( 12 , 2 )', 'numeric(12,2)'],
    ['text[]', 'text[]'],
    ['Double Precision', 'double precision'],
  ])('spells %s canonically as %s', (input, canonical) => {
    expect(canonicalPgType(input)).toBe(canonical);
  });

  it('does not know made-up types', () => {
    expect(parsePgType('bigintt')).toBeUndefined();
    expect(parsePgType('text; drop table x')).toBeUndefined();
  });

  it.each([
    ['numeric(12,2)', 'numeric', true],
    ['numeric(12,2)', 'numeric(12,2)', true],
    ['numeric(12,2)', 'numeric(10,2)', false],
    ['bigint', 'integer', false],
    ['timestamptz', 'timestamp with time zone', true],
    ['text', 'character varying', false],
    ['integer[]', 'integer', false],
  ])('a %s contract column takes a query column of %s: %s', (expected, actual, fits) => {
    expect(pgTypeFits(expected, actual)).toBe(fits);
  });
});
