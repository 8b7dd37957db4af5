import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Adapter } from '../adapter/adapter.js';
import { createAdapter } from '../adapter/create-adapter.js';

/**
 * Databases for integration tests: PGlite always, the real PostgreSQL server when one answers.
 * Each test database is created for the test and dropped afterwards.
 */

export interface TestDatabase {
  kind: 'pglite' | 'pg';
  adapter: Adapter;
  /** For pg: the URL of the test's own database (to open more connections, or run the CLI). */
  url?: string;
  /** Closes the adapter and drops the database. */
  dispose(): Promise<void>;
}

/** The server the real-server suites use. */
export const testServerUrl =
  process.env.WAREHOUSE_TEST_PG_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** CI sets this so the real-server suites fail instead of skipping when no server answers. */
export const pgRequired = process.env.WAREHOUSE_REQUIRE_PG === '1';

let serverAnswers: Promise<boolean> | undefined;

/** Whether the test server answers; logs once why the real-server suites skip when it does not. */
export function pgServerAvailable(): Promise<boolean> {
  serverAnswers ??= (async () => {
    const client = new pg.Client({ connectionString: testServerUrl, connectionTimeoutMillis: 3_000 });
    try {
      await client.connect();
      await client.query('select 1');
      return true;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (pgRequired) throw new Error(`WAREHOUSE_REQUIRE_PG=1 but PostgreSQL at ${testServerUrl} does not answer: ${reason}`);
      console.warn(`[warehouse tests] real-server suites skipped: no PostgreSQL at ${testServerUrl} (${reason}); set WAREHOUSE_REQUIRE_PG=1 to fail instead`);
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return serverAnswers;
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: testServerUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A fresh database on the test server, named `wh_test_<random>`. */
export async function createPgTestDatabase(options: { maxConnections?: number } = {}): Promise<TestDatabase> {
  const name = `wh_test_${randomBytes(6).toString('hex')}`;
  await admin((client) => client.query(`create database "${name}"`));
  const url = new URL(testServerUrl);
  url.pathname = `/${name}`;
  const adapter = await createAdapter({ type: 'pg', url: url.toString(), maxConnections: options.maxConnections ?? 5 });
  return {
    kind: 'pg',
    adapter,
    url: url.toString(),
    async dispose() {
      await adapter.close();
      await admin((client) => client.query(`drop database if exists "${name}" with (force)`));
    },
  };
}

/** A fresh in-memory PGlite database (slow to create: share one per test file). */
export async function createPgliteTestDatabase(): Promise<TestDatabase> {
  const adapter = await createAdapter({ type: 'pglite', dataDir: 'memory://' });
  return { kind: 'pglite', adapter, dispose: () => adapter.close() };
}

/** The database kinds a suite should run on: PGlite, and pg when the server answers. */
export async function testDatabaseKinds(): Promise<Array<'pglite' | 'pg'>> {
  return (await pgServerAvailable()) ? ['pglite', 'pg'] : ['pglite'];
}

export function createTestDatabase(kind: 'pglite' | 'pg', options: { maxConnections?: number } = {}): Promise<TestDatabase> {
  return kind === 'pg' ? createPgTestDatabase(options) : createPgliteTestDatabase();
}
