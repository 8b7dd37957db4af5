import { defineConfig } from '@warehouse/core';

/**
 * The warehouse's configuration. Connection settings never live here: server targets read
 * their URL from an environment variable (DATABASE_URL unless urlEnv says otherwise).
 */
export default defineConfig({
  name: 'warehouse',
  defaultTarget: 'dev',
  threads: 4,
  targets: {
    // PGlite under .warehouse/dev, or the server in DATABASE_URL when it is set
    dev: { type: 'auto', dataDir: '.warehouse/dev' },
    // CI builds into its own schemas on the shared server
    ci: { type: 'pg', urlEnv: 'DATABASE_URL', schemaPrefix: '', threads: 4 },
    prod: { type: 'pg', urlEnv: 'DATABASE_URL', threads: 8 },
  },
  // one database role per domain, able to read only what the access rules allow
  roles: { enabled: true, prefix: 'wh_' },
  // named selections: warehouse build --selector nightly
  selectors: {
    nightly: { description: 'everything the nightly run builds', select: ['tag:nightly+'] },
    sales_facts: { description: 'the sales fact and what it reads', select: ['+wh_fact_sales'], exclude: ['tag:staging'] },
  },
  swap: { lockTimeoutMs: 10_000, attempts: 5 },
});
