import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createAdapter, sql } from '@warehouse/core';
import { testDatabaseKinds } from '@warehouse/core/testing';
import { databaseEnv, domainPackageJson, logMessages, tempProject, warehouse } from './support/cli.js';

const SHOP = `import { defineModel, defineSource, sql } from '@warehouse/core';

export const tills = defineSource({
  system: 'shop', name: 'tills', description: 'Till receipts.', owner: 'shop@company.example',
  columns: {
    receipt_id: { type: 'bigint', nullable: false },
    store: { type: 'text', nullable: false },
    amount: { type: 'numeric(12,2)' },
    _loaded_at: { type: 'timestamptz', nullable: false },
  },
  primaryKey: ['receipt_id'],
  loadedAt: '_loaded_at',
});

export const store_takings = defineModel({
  name: 'store_takings', domain: 'shop', kind: 'fact', description: 'Takings per store.', owner: 'shop@company.example',
  grain: ['store'], materialized: 'table', access: 'public',
  columns: { store: { type: 'text', nullable: false }, takings: { type: 'numeric' } },
  sql: ({ source }) => sql\`select store, sum(amount) as takings from \${source(tills)} group by store\`,
});
`;

interface LoadOutput {
  loaded: Array<{ source: string; file: string; method: string; rowsLoaded: number; rowsQuarantined: number; quarantined: Array<{ line: number; reason: string }> }>;
  failed: Array<{ file: string; code: string; message: string }>;
}

describe.each(await testDatabaseKinds())('warehouse load on %s', (kind) => {
  const cleanup: Array<() => unknown> = [];
  afterAll(async () => {
    for (const dispose of cleanup.reverse()) await dispose();
  });
  /** A project with the shop source, its database, and a way to write a file into it. */
  const shopProject = async () => {
    const project = tempProject({ files: { 'packages/shop/package.json': domainPackageJson('@temp/shop', 'shop'), 'packages/shop/src/index.ts': SHOP } });
    cleanup.push(project.dispose);
    const env = await databaseEnv(kind, cleanup);
    const file = (name: string, content: string) => {
      writeFileSync(join(project.dir, name), content);
      return join(project.dir, name);
    };
    return { project, env, file };
  };

  it('lands delivered files, quarantines malformed rows, refuses a repeat, and the build reads what landed', async () => {
    const { project, env, file } = await shopProject();
    const monday = file('monday.csv', 'receipt_id,store,amount\n1,Lyon,10.00\n2,Lyon,5.50\n3,Paris,not a number\n');
    const tuesday = file('tuesday.ndjson', '{"receipt_id": 4, "store": "Paris", "amount": 7}\n{"receipt_id": 5}\n');

    const first = await warehouse(['load', 'shop.tills', monday, tuesday, '--project-dir', project.dir, '--json'], { env });
    expect(first.code, first.stderr).toBe(0);
    const result = JSON.parse(first.stdout) as LoadOutput;
    expect(result.loaded.map((l) => l.source)).toEqual(['shop.tills', 'shop.tills']);
    expect(result.loaded.map((l) => [l.file, l.method, l.rowsLoaded, l.rowsQuarantined])).toEqual([
      [monday, 'checked', 2, 1],
      [tuesday, 'checked', 1, 1],
    ]);
    expect(result.loaded[1]!.quarantined).toEqual([{ line: 2, reason: 'store: missing, and the column is NOT NULL' }]);
    expect(logMessages(first.stderr)).toContain(
      `${monday}: 1 malformed row(s) went to warehouse_meta.quarantine (load ${(result.loaded[0] as unknown as { loadId: string }).loadId}). First: line 4: amount: 'not a number' is not a valid numeric(12,2)`,
    );

    // the same delivery again is refused; a new one beside it still lands
    const wednesday = file('wednesday.csv', 'receipt_id,store,amount\n6,Nice,1.25\n');
    const again = await warehouse(['load', 'raw_shop.tills', monday, wednesday, '--project-dir', project.dir, '--json'], { env });
    expect(again.code).toBe(1);
    const repeated = JSON.parse(again.stdout) as LoadOutput;
    expect(repeated.failed.map((f) => [f.file, f.code])).toEqual([[monday, 'LOAD_REPEATED']]);
    expect(repeated.loaded.map((l) => [l.file, l.method, l.rowsLoaded])).toEqual([[wednesday, 'copy', 1]]);

    // Lyon and Paris from monday, Paris from tuesday, Nice from wednesday
    const built = await warehouse(['build', '--project-dir', project.dir, '--json'], { env });
    expect(built.code, built.stderr).toBe(0);
    const takings = (JSON.parse(built.stdout) as { results: Array<{ name: string; status: string; rowsAffected: number | null }> }).results.find((r) => r.name === 'store_takings');
    expect(takings).toMatchObject({ status: 'success', rowsAffected: 3 });

    // a delivery folder: each file goes to the source its path names
    const delivery = join(project.dir, 'delivery');
    mkdirSync(join(delivery, 'shop'), { recursive: true });
    writeFileSync(join(delivery, 'shop', 'tills.csv'), 'receipt_id,store,amount\n7,Metz,2.00\n');
    writeFileSync(join(delivery, 'shop.tills.part-2.ndjson'), '{"receipt_id": 8, "store": "Metz"}\n');
    writeFileSync(join(delivery, 'shop', 'tils.csv'), 'receipt_id,store,amount\n9,Metz,2.00\n');
    const delivered = await warehouse(['load', '--delivery', delivery, '--project-dir', project.dir, '--json'], { env });
    expect(delivered.code).toBe(1);
    const fromFolder = JSON.parse(delivered.stdout) as LoadOutput;
    expect(fromFolder.loaded.map((l) => [l.source, l.file, l.rowsLoaded])).toEqual([
      ['shop.tills', join(delivery, 'shop', 'tills.csv'), 1],
      ['shop.tills', join(delivery, 'shop.tills.part-2.ndjson'), 1],
    ]);
    expect(fromFolder.failed.map((f) => [f.file, f.code])).toEqual([[join(delivery, 'shop', 'tils.csv'), 'LOAD_INVALID']]);
    const neither = await warehouse(['load', '--project-dir', project.dir], { env });
    expect(neither.code).toBe(2);

    const unknown = await warehouse(['load', 'shop.till', monday, '--project-dir', project.dir], { env });
    expect(unknown.code).toBe(2);
    expect(logMessages(unknown.stdout)).toEqual(['no source named shop.till; did you mean shop.tills? (sources: shop.tills)']);

    const missing = await warehouse(['load', 'shop.tills', join(project.dir, 'nope.csv'), '--project-dir', project.dir], { env });
    expect(missing.code).toBe(1);
    expect(logMessages(missing.stdout)[0]).toMatch(/^cannot read .*nope\.csv: ENOENT/);
  });

  it('goes on to the next file when the database refuses one on its landing table', async () => {
    const { project, env, file } = await shopProject();
    const first = await warehouse(['load', 'shop.tills', file('first.csv', 'receipt_id,store,amount\n1,Lyon,1.00\n'), '--project-dir', project.dir, '--json'], { env });
    expect(first.code, first.stderr).toBe(0);
    // a constraint added by hand, which the source does not declare
    const adapter = await createAdapter(env.DATABASE_URL ? { type: 'pg', url: env.DATABASE_URL, maxConnections: 1 } : { type: 'pglite', dataDir: join(project.dir, '.warehouse/dev') });
    try {
      await adapter.withConnection((db) => sql`alter table raw_shop.tills add constraint no_oslo check (store <> 'Oslo')`.execute(db));
    } finally {
      await adapter.close();
    }
    const oslo = file('oslo.csv', 'receipt_id,store,amount\n2,Oslo,1.00\n');
    const metz = file('metz.csv', 'receipt_id,store,amount\n3,Metz,1.00\n');
    const loaded = await warehouse(['load', 'shop.tills', oslo, metz, '--project-dir', project.dir, '--json'], { env });
    expect(loaded.code).toBe(1);
    const result = JSON.parse(loaded.stdout) as LoadOutput;
    expect(result.failed.map((f) => [f.file, f.code])).toEqual([[oslo, 'SQL_FAILED']]);
    expect(result.failed[0]!.message).toContain(`${oslo}: loading it into shop.tills failed, and nothing of it landed`);
    expect(result.failed[0]!.message).toContain('no_oslo');
    expect(result.loaded.map((l) => [l.file, l.rowsLoaded])).toEqual([[metz, 1]]);
  });
});
