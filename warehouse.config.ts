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
    // (JIT off on servers: compiling each query costs up to a second, which is most of a
    // nightly increment, and the warehouse's queries are scans and hash joins it barely speeds up)
    dev: { type: 'auto', dataDir: '.warehouse/dev', sessionSettings: { jit: 'off' } },
    // CI builds into its own schemas on the shared server
    ci: { type: 'pg', urlEnv: 'DATABASE_URL', schemaPrefix: '', threads: 4, sessionSettings: { jit: 'off' } },
    prod: { type: 'pg', urlEnv: 'DATABASE_URL', threads: 8, sessionSettings: { jit: 'off' } },
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
