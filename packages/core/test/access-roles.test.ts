import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { buildGraph, execute, plan, select } from '../src/index.js';
import { createTestDatabase, testDatabaseKinds, testServerUrl, type TestDatabase } from '../src/testing/index.js';
import { landTinyData } from './fixtures/tiny-data.js';
import { tinyPackages } from './fixtures/tiny-project.js';

/**
 * Access rules enforced by the database: each domain's role reads its own relations and the
 * public models of the packages it depends on, and gets a permission error for anything else.
 * Tiny project: shop depends on catalog; dim_product is public, stg_product_names protected.
 */
describe.each(await testDatabaseKinds())('domain roles on %s', (kind) => {
  const prefix = `t${randomBytes(3).toString('hex')}_`;
  let database: TestDatabase;

  /** Runs a query as a domain role; resolves to its rows or the SQLSTATE it failed with. */
  const asRole = (domain: string, text: string) =>
    database.adapter.withConnection(async (db) => {
      await sql.raw(`set role "${prefix}${domain}"`).execute(db);
      try {
        return { rows: (await sql.raw(text).execute(db)).rows.length };
      } catch (error) {
        return { error: (error as { code?: string }).code, message: (error as Error).message };
      } finally {
        await sql.raw('reset role').execute(db);
      }
    });

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    await landTinyData(database.adapter, 10);
    const graph = buildGraph(tinyPackages());
    const result = await execute(plan(graph, select(graph), { targetName: 'test', roles: { prefix } }), database.adapter, { threads: 2 });
    expect(result.results.filter((r) => r.status !== 'success').map((r) => r.message)).toEqual([]);
  });
  afterAll(async () => {
    await database?.dispose();
    if (kind === 'pg') {
      // roles belong to the cluster: drop them once the test database (and its grants) is gone
      const admin = new pg.Client({ connectionString: testServerUrl });
      await admin.connect();
      for (const domain of ['catalog', 'shop']) await admin.query(`drop role if exists "${prefix}${domain}"`);
      await admin.end();
    }
  });

  it('lets a domain read its own models and the public models of its dependencies', async () => {
    expect(await asRole('shop', 'select * from shop.fact_orders')).toEqual({ rows: 10 });
    expect(await asRole('shop', 'select * from shop.orders_by_product')).toEqual({ rows: 3 });
    expect(await asRole('shop', 'select * from catalog.dim_product')).toEqual({ rows: 3 });
    expect(await asRole('catalog', 'select * from catalog.stg_product_names')).toEqual({ rows: 3 });
    expect(await asRole('shop', 'select * from raw_shop.orders')).toEqual({ rows: 10 });
  });

  it("refuses another domain's protected models, and models of domains it does not depend on", async () => {
    expect(await asRole('shop', 'select * from catalog.stg_product_names')).toMatchObject({ error: '42501', message: expect.stringMatching(/permission denied for (view|table) stg_product_names/) });
    expect(await asRole('catalog', 'select * from shop.fact_orders')).toMatchObject({ error: '42501' });
  });

  it('keeps the grants through a rebuild (the swapped-in table gets them before it is visible)', async () => {
    const graph = buildGraph(tinyPackages());
    await execute(plan(graph, select(graph, { select: ['dim_product'] }), { targetName: 'test', roles: { prefix } }), database.adapter, { threads: 1 });
    expect(await asRole('shop', 'select * from catalog.dim_product')).toEqual({ rows: 3 });
    expect(await asRole('shop', 'select * from catalog.stg_product_names')).toMatchObject({ error: '42501' });
  });
});
