import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadFile, sql, type Adapter } from '@warehouse/core';
import { createPgTestDatabase, createTestDatabase, pgServerAvailable, testDatabaseKinds, type TestDatabase } from '@warehouse/core/testing';
import { DEMO_SOURCES, resetDemoData, seedDemo } from '../src/index.js';

const rows = async <T>(adapter: Adapter, text: string): Promise<T[]> =>
  adapter.withConnection(async (db) => (await sql.raw<T>(text).execute(db)).rows);

/** md5 of every landed table's rows, in a fixed order and time zone. */
async function checksums(adapter: Adapter): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  await rows(adapter, `set timezone = 'UTC'`);
  for (const source of DEMO_SOURCES) {
    const [row] = await rows<{ md5: string }>(
      adapter,
      `select md5(coalesce(string_agg(t::text, E'\\n' order by t::text), '')) as md5 from ${source.schema}.${source.name} as t`,
    );
    result[source.id] = row!.md5;
  }
  return result;
}

const count = async (adapter: Adapter, query: string) => Number((await rows<{ n: string }>(adapter, query))[0]!.n);

describe.each(await testDatabaseKinds())('seed-demo on %s', (kind) => {
  const databases: TestDatabase[] = [];
  afterAll(async () => {
    for (const d of databases) await d.dispose();
  });

  it('delivers a period, then appends later nights with the quirks of real feeds', async () => {
    const database = await createTestDatabase(kind);
    databases.push(database);
    const { adapter } = database;
    const first = await seedDemo(adapter, { scale: 0.02, seed: 3, from: '2025-01-01', to: '2025-02-28' });
    expect(first.initial).toBe(true);
    expect(first.days).toBe(59);
    const linesBefore = await count(adapter, 'select count(*) as n from raw_sales.order_lines');
    const next = await seedDemo(adapter, { scale: 0.02, seed: 3, from: '2025-03-01', to: '2025-03-01' });
    expect(next.initial).toBe(false);
    expect(await count(adapter, 'select count(*) as n from raw_sales.order_lines')).toBe(linesBefore + next.rows['raw_sales.order_lines']!);

    // late lines: landed more than a day after their order was placed
    expect(await count(adapter, `select count(*) as n from raw_sales.order_lines where _loaded_at > updated_at + interval '1 day 3 hours'`)).toBeGreaterThan(0);
    // lines of earlier orders arrived in the one-night delivery
    expect(await count(adapter, `select count(*) as n from raw_sales.order_lines where _loaded_at::date = '2025-03-02' and updated_at < '2025-02-28'`)).toBeGreaterThan(0);
    // duplicate deliveries of the same row
    expect(await count(adapter, 'select count(*) - count(distinct (order_line_id, updated_at)) as n from raw_sales.order_lines')).toBeGreaterThan(0);
    // orders delivered again as their status changed
    expect(await count(adapter, `select count(*) as n from (select order_id from raw_sales.orders group by order_id having count(distinct status) > 1) as o`)).toBeGreaterThan(0);
    // customers who changed (new versions)
    expect(await count(adapter, `select count(*) as n from (select customer_id from raw_crm.customers group by customer_id having count(distinct updated_at) > 1) as c`)).toBeGreaterThan(0);
    // returns weeks after the sale
    expect(await count(adapter, `select count(*) as n from raw_sales.returns r join raw_sales.order_lines l using (order_line_id) where r.returned_at > l.updated_at + interval '7 days'`)).toBeGreaterThan(0);

    await expect(seedDemo(adapter, { scale: 0.02, seed: 3, from: '2025-02-28', to: '2025-03-05' })).rejects.toThrowError(
      /2 day\(s\) from 2025-02-28 were already delivered \(the last delivered day is 2025-03-01\); deliver a later period, e.g. --from 2025-03-02/,
    );
    await expect(seedDemo(adapter, { scale: 0.5, seed: 3, from: '2025-03-02', to: '2025-03-02' })).rejects.toThrowError(
      /hold demo data of seed 3 at scale 0.02; deliver with the same --seed and --scale/,
    );
    await expect(seedDemo(adapter, { scale: 0.02, seed: 3, from: '2024-12-01', to: '2025-01-01' })).rejects.toThrowError(/before the demo world's first day, 2025-01-01/);

    await resetDemoData(adapter);
    expect(await count(adapter, 'select count(*) as n from raw_sales.order_lines')).toBe(0);
    expect((await seedDemo(adapter, { scale: 0.02, seed: 3, from: '2025-01-01', to: '2025-01-05' })).initial).toBe(true);
  });

  it('writes a period as delivery files that land as the same rows, and the next period follows on', async () => {
    const direct = await createTestDatabase(kind);
    const viaFiles = await createTestDatabase(kind);
    databases.push(direct, viaFiles);
    const dir = mkdtempSync(join(tmpdir(), 'wh-delivery-'));
    try {
      const options = { scale: 0.01, seed: 5, from: '2025-01-01', to: '2025-01-12' };
      const landed = await seedDemo(direct.adapter, options);
      const written = await seedDemo(viaFiles.adapter, { ...options, files: join(dir, 'first') });
      expect(written.rows).toEqual(landed.rows);
      // nothing landed yet: the rows are in the files only
      expect(await count(viaFiles.adapter, 'select count(*) as n from raw_sales.order_lines')).toBe(0);
      expect(written.files).toContain(join(dir, 'first', 'sales', 'order_lines.csv'));
      const loadAll = async () => {
        for (const file of written.files!) {
          const source = DEMO_SOURCES.find((s) => file.endsWith(join(s.system, `${s.name}.csv`)))!;
          await loadFile(viaFiles.adapter, source, file);
        }
      };
      await loadAll();
      expect(await checksums(viaFiles.adapter)).toEqual(await checksums(direct.adapter));
      // the next night reads opening stock and loyalty balances back from what landed
      await seedDemo(direct.adapter, { ...options, from: '2025-01-13', to: '2025-01-14' });
      await seedDemo(viaFiles.adapter, { ...options, from: '2025-01-13', to: '2025-01-14' });
      expect(await checksums(viaFiles.adapter)).toEqual(await checksums(direct.adapter));
      // a delivery is never written over another
      await expect(seedDemo(viaFiles.adapter, { ...options, from: '2025-01-15', to: '2025-01-15', files: join(dir, 'first') })).rejects.toThrowError(
        `seed-demo: --files ${join(dir, 'first')} is not empty; give each delivered period a folder of its own`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses to empty landing tables the demo did not fill', async () => {
    const database = await createTestDatabase(kind);
    databases.push(database);
    await rows(database.adapter, 'create schema raw_sales');
    await rows(database.adapter, 'create table raw_sales.orders (order_id bigint)');
    await rows(database.adapter, 'insert into raw_sales.orders values (1)');
    await expect(resetDemoData(database.adapter)).rejects.toThrowError(/"raw_sales"\."orders" holds rows the demo did not deliver; refusing to empty it/);
  });
});

describe.runIf(await pgServerAvailable())('seed-demo determinism (pg and PGlite)', () => {
  const databases: TestDatabase[] = [];
  afterAll(async () => {
    for (const d of databases) await d.dispose();
  });

  it('gives byte-identical rows for the same seed and calls, on either database, and other rows for another seed', async () => {
    const runs = [
      { kind: 'pg' as const, seed: 11 },
      { kind: 'pglite' as const, seed: 11 },
      { kind: 'pg' as const, seed: 12 },
    ];
    const sums: Array<Record<string, string>> = [];
    for (const run of runs) {
      const database = run.kind === 'pg' ? await createPgTestDatabase() : await createTestDatabase('pglite');
      databases.push(database);
      await seedDemo(database.adapter, { scale: 0.01, seed: run.seed, from: '2025-01-01', to: '2025-01-20' });
      await seedDemo(database.adapter, { scale: 0.01, seed: run.seed, from: '2025-01-21', to: '2025-01-22' });
      sums.push(await checksums(database.adapter));
    }
    expect(sums[1]).toEqual(sums[0]);
    expect(sums[2]!['raw_sales.order_lines']).not.toBe(sums[0]!['raw_sales.order_lines']);
  });
});
