import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgTestDatabase, pgServerAvailable, type TestDatabase } from '../src/testing/index.js';
import { addTinyOrders, landTinyData } from './fixtures/tiny-data.js';
import { tinyPackages } from './fixtures/tiny-project.js';
import { build, leftovers, query, statusOf } from './support/build.js';

/**
 * A reader querying in a loop while fact_orders is rebuilt must never get an error and never
 * a partial row count. Needs a second connection, so it runs on the real server only: PGlite
 * has one connection, on which a query and a rebuild cannot overlap at all.
 */
describe.runIf(await pgServerAvailable())('a concurrent reader during rebuilds (pg)', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createPgTestDatabase();
    await landTinyData(database.adapter, 100_000);
    const first = await build(database.adapter, tinyPackages());
    expect(Object.values(statusOf(first)).every((s) => s === 'success')).toBe(true);
  });
  afterAll(async () => {
    await database?.dispose();
  });

  it('sees the old table or the new one, never an error or a partial table', async () => {
    const builtCounts = new Set([100_000]);
    const seen: number[] = [];
    const errors: string[] = [];
    let building = true;

    const reader = async (statement: string) => {
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        while (building) {
          try {
            const { rows } = await client.query<{ n: string }>(statement);
            seen.push(Number(rows[0]!.n));
          } catch (error) {
            errors.push((error as Error).message);
          }
        }
      } finally {
        await client.end();
      }
    };
    const readers = [
      reader('select count(*) as n from shop.fact_orders'),
      reader('select sum(orders) as n from shop.orders_by_product'),
    ];

    let total = 100_000;
    for (let round = 0; round < 6; round++) {
      if (round % 2 === 0) {
        await addTinyOrders(database.adapter, total + 1, total + 50_000);
        total += 50_000;
      } else {
        await query(database.adapter, `delete from raw_shop.orders where order_id > ${total - 25_000}`);
        total -= 25_000;
      }
      builtCounts.add(total);
      const result = await build(database.adapter, tinyPackages(), { select: ['fact_orders'] });
      expect(result.results[0]!.status).toBe('success');
    }
    building = false;
    await Promise.all(readers);

    expect(errors).toEqual([]);
    expect(seen.length).toBeGreaterThan(20);
    expect(seen.filter((n) => !builtCounts.has(n))).toEqual([]);
    expect(new Set(seen).size).toBeGreaterThan(2); // the readers did see rebuilds happen
    expect(await leftovers(database.adapter)).toEqual([]);
  });
});
