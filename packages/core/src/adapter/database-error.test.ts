import { describe, expect, it } from 'vitest';
import { WarehouseError, ErrorCode } from '../errors/warehouse-error.js';
import { isServerWideDatabaseError } from './database-error.js';

/** An error as node-postgres and PGlite raise them: a SQLSTATE and a message. */
const dbError = (code: string) => Object.assign(new Error(`failed with ${code}`), { code });

describe('isServerWideDatabaseError', () => {
  it('tells a server or session that cannot go on from one statement refused on one table', () => {
    for (const code of ['08006', '53100', '53200', '57P01', '57014', '58030', 'XX001']) expect(isServerWideDatabaseError(dbError(code)), code).toBe(true);
    for (const code of ['23514', '42703', '42501', '22P02', '40P01']) expect(isServerWideDatabaseError(dbError(code)), code).toBe(false);
  });

  it('looks through a WarehouseError to the database error that caused it, and needs one', () => {
    expect(isServerWideDatabaseError(new WarehouseError(ErrorCode.sqlFailed, 'x.csv: loading it failed', { cause: dbError('53100') }))).toBe(true);
    expect(isServerWideDatabaseError(new WarehouseError(ErrorCode.sqlFailed, 'x.csv: loading it failed', { cause: dbError('23514') }))).toBe(false);
    expect(isServerWideDatabaseError(new Error('Connection terminated unexpectedly'))).toBe(false);
  });
});
