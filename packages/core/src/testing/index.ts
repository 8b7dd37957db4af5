/** Test helpers for packages that build on @warehouse/core (`@warehouse/core/testing`). */
export {
  createPgTestDatabase,
  createPgliteTestDatabase,
  createTestDatabase,
  pgRequired,
  pgServerAvailable,
  testDatabaseKinds,
  testServerUrl,
  type TestDatabase,
} from './test-databases.js';
