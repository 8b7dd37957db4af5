import { defineConfig } from '@warehouse/core';

/**
 * The warehouse's configuration. Connection settings never live here: server targets read
 * their URL from an environment variable (DATABASE_URL unless urlEnv says otherwise).
 */
const SERVER_SETTINGS = { jit: 'off', random_page_cost: 1.1 };

export default defineConfig({
  name: 'warehouse',
  defaultTarget: 'dev',
  threads: 4,
  targets: {
    // PGlite under .warehouse/dev, or the server in DATABASE_URL when it is set
    // (on servers: JIT off, since compiling each query costs up to a second, most of a nightly
    // increment, for scans and hash joins it barely speeds up; and random_page_cost for data
    // that is cached or on SSD, so incremental runs look up changed keys by index)
    dev: { type: 'auto', dataDir: '.warehouse/dev', sessionSettings: SERVER_SETTINGS },
    // CI builds into its own schemas on the shared server
    ci: { type: 'pg', urlEnv: 'DATABASE_URL', schemaPrefix: '', threads: 4, sessionSettings: SERVER_SETTINGS },
    prod: { type: 'pg', urlEnv: 'DATABASE_URL', threads: 8, sessionSettings: SERVER_SETTINGS },
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
