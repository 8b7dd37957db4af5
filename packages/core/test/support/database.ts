import { afterAll, beforeAll } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../src/testing/index.js';

/**
 * A database of the given kind for the enclosing describe block: created before its tests,
 * disposed after. Read `.current` inside tests and hooks.
 */
export function useTestDatabase(kind: 'pglite' | 'pg'): { readonly current: TestDatabase } {
  let database: TestDatabase | undefined;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await database?.dispose();
  });
  return {
    get current() {
      if (!database) throw new Error('the test database is not ready (use it inside tests and hooks)');
      return database;
    },
  };
}
