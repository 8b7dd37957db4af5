import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { testDatabaseKinds } from '@warehouse/core/testing';
import type { RunResult } from '@warehouse/core';
import { databaseEnv, domainPackageJson, tempProject, warehouse } from './support/cli.js';

const WAREHOUSE_MODELS = [
  'stg_inventory_daily_stock', 'stg_inventory_product_stock', 'stg_inventory_products', 'stg_inventory_sales_lines',
  'stg_marketing_customer_value', 'stg_marketing_offer_lines', 'wh_dim_audience_segments', 'wh_dim_consumer', 'wh_dim_location',
  'wh_dim_media_channels', 'wh_dim_product', 'wh_dim_offers', 'wh_fact_interactions', 'wh_fact_inventory', 'wh_fact_loyalty',
  'wh_fact_sales',
];

describe.each(await testDatabaseKinds())('warehouse demo end to end on %s', (kind) => {
  const cleanup: Array<() => unknown> = [];
  afterAll(async () => {
    for (const dispose of cleanup.reverse()) await dispose();
  });

  it('seeds demo data and builds all models, writing the artifacts', async () => {
    const project = tempProject({ withWarehouse: true });
    cleanup.push(project.dispose);
    const env = await databaseEnv(kind, cleanup);
    const seeded = await warehouse(['seed-demo', '--scale', '0.01', '--from', '2025-01-01', '--to', '2025-03-31', '--project-dir', project.dir], { env });
    expect(seeded.code, seeded.stdout + seeded.stderr).toBe(0);

    const built = await warehouse(['build', '--project-dir', project.dir, '--json', '--threads', '4'], { env });
    expect(built.code, built.stderr).toBe(0);
    const result = JSON.parse(built.stdout) as RunResult;
    const models = result.results.filter((r) => r.resourceType === 'model');
    expect(models.map((r) => [r.name, r.status]).sort()).toEqual(WAREHOUSE_MODELS.map((m) => [m, 'success']).sort());
    // every data test ran after its model, and passed (warnings allowed)
    const tests = result.results.filter((r) => r.resourceType === 'test');
    expect(tests.length).toBeGreaterThan(30);
    expect(tests.filter((r) => r.status === 'error' || r.status === 'skipped').map((r) => r.message)).toEqual([]);
    expect(result.threads).toBe(kind === 'pg' ? 4 : 1);

    const manifest = JSON.parse(readFileSync(join(project.dir, 'target/manifest.json'), 'utf8'));
    expect(Object.keys(manifest.nodes).filter((id) => id.startsWith('model.')).sort()).toEqual(WAREHOUSE_MODELS.map((m) => `model.${m}`).sort());
    expect(manifest.nodes['model.wh_fact_sales'].dependsOn).toContain('model.wh_dim_consumer');
    expect(manifest.packages['@warehouse/sales'].dependencies).toEqual(['@warehouse/customer', '@warehouse/inventory', '@warehouse/marketing', '@warehouse/sources']);
    const runResults = JSON.parse(readFileSync(join(project.dir, 'target/run_results.json'), 'utf8'));
    expect(runResults.runId).toBe(result.runId);
    expect(existsSync(join(project.dir, 'target/compiled/sales/wh_fact_sales.sql'))).toBe(true);

    // the tests alone, with a named selector from the config and stored failures
    const tested = await warehouse(['test', '--selector', 'sales_facts', '--store-failures', '--project-dir', project.dir, '--json'], { env });
    expect(tested.code, tested.stderr).toBe(0);
    const testResults = (JSON.parse(tested.stdout) as RunResult).results;
    expect(testResults.every((r) => r.resourceType === 'test' && r.status !== 'error')).toBe(true);
    expect(testResults.map((r) => r.name)).toContain('relationships_wh_fact_sales_consumer_key__wh_dim_consumer');

    // freshness: the last delivery (2025-03-31) landed 2025-04-01 02:00
    const fresh = await warehouse(['source', 'freshness', '--now', '2025-04-01T12:00:00Z', '-s', 'source:sales', '--project-dir', project.dir, '--json'], { env });
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(JSON.parse(fresh.stdout)).toEqual([
      { source: 'sales.orders', status: 'pass', newest: '2025-04-01T02:00:00.000Z', ageHours: 10, warnAfterHours: 26, errorAfterHours: 50, message: 'fresh' },
      { source: 'sales.order_lines', status: 'pass', newest: '2025-04-01T02:00:00.000Z', ageHours: 10, warnAfterHours: 26, errorAfterHours: 50, message: 'fresh' },
      { source: 'sales.returns', status: 'pass', newest: '2025-04-01T02:00:00.000Z', ageHours: 10, warnAfterHours: 26, errorAfterHours: 50, message: 'fresh' },
    ]);
    const stale = await warehouse(['source', 'freshness', '--now', '2025-04-03T12:00:00Z', '-s', 'source:sales.orders', '--project-dir', project.dir], { env });
    expect(stale.code).toBe(1);
    expect(stale.stdout).toMatch(/sales\.orders +ERROR +2025-04-01T02:00:00\.000Z +58\.0 +26 +50/);

    const kpi = await warehouse(['kpi', 'revenue', 'return_rate', '--from', '2025-01-01', '--to', '2025-03-31', '--project-dir', project.dir, '--json'], { env });
    expect(kpi.code, kpi.stderr).toBe(0);
    const kpis = JSON.parse(kpi.stdout) as Array<{ name: string; value: number; unit: string; from: string }>;
    expect(kpis.map((k) => [k.name, k.unit, k.from])).toEqual([
      ['return_rate', 'share', '2025-01-01'],
      ['revenue', 'currency', '2025-01-01'],
    ]);
    expect(kpis.every((k) => k.value > 0)).toBe(true);
    const table = await warehouse(['kpi', '--domain', 'inventory', '--from', '2025-01-01', '--to', '2025-03-31', '--project-dir', project.dir], { env });
    expect(table.stdout).toMatch(/^KPIs for 2025-01-01 \.\. 2025-03-31\nkpi +domain +value/);
    expect(table.stdout).toMatch(/\nstock_cover_days +inventory +\d+\.\d days/);
    const unknown = await warehouse(['kpi', 'revenu', '--project-dir', project.dir], { env });
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toContain('no KPI named revenu; known: ');

    // a second seed of the same period is refused; the next period appends
    const again = await warehouse(['seed-demo', '--scale', '0.01', '--from', '2025-03-01', '--to', '2025-03-02', '--project-dir', project.dir], { env });
    expect(again.code).toBe(2);
    expect(again.stdout).toMatch(/day\(s\) from 2025-03-01 were already delivered \(the last delivered day is 2025-03-31\); deliver a later period, e.g. --from 2025-04-01/);

    // the next nights as delivery files, landed by load --delivery, then built
    const delivery = join(project.dir, 'deliveries/2025-04-01');
    const written = await warehouse(['seed-demo', '--scale', '0.01', '--from', '2025-04-01', '--to', '2025-04-02', '--files', delivery, '--project-dir', project.dir, '--json'], { env });
    expect(written.code, written.stderr).toBe(0);
    const summary = JSON.parse(written.stdout) as { rows: Record<string, number>; files: string[] };
    expect(summary.files).toContain(join(delivery, 'sales/order_lines.csv'));
    const loaded = await warehouse(['load', '--delivery', delivery, '--project-dir', project.dir, '--json'], { env });
    expect(loaded.code, loaded.stderr).toBe(0);
    const landed = JSON.parse(loaded.stdout) as { loaded: Array<{ source: string; rowsLoaded: number; rowsQuarantined: number }>; failed: unknown[] };
    expect(landed.failed).toEqual([]);
    const bySchema = Object.fromEntries(landed.loaded.map((l) => [`raw_${l.source}`, l.rowsLoaded]));
    expect(bySchema).toEqual(Object.fromEntries(Object.entries(summary.rows).filter(([, n]) => n > 0)));
    const rebuilt = await warehouse(['build', '--project-dir', project.dir, '--json'], { env });
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
  });

  it('exits 1 when a model fails, still building the models that do not depend on it', async () => {
    const model = (name: string, body: string) => `export const ${name} = defineModel({
  name: '${name}', domain: 'shop', kind: 'fact', description: 'x', owner: 'o', grain: ['id'], materialized: 'table',
  columns: { id: { type: 'integer' } },
  sql: ${body},
});\n`;
    const project = tempProject({
      files: {
        'packages/shop/package.json': domainPackageJson('@t/shop', 'shop'),
        'packages/shop/src/index.ts': [
          `import { defineModel, sql } from '@warehouse/core';`,
          model('good', '() => sql`select 1 as id`'),
          model('broken', '() => sql`select 1 / 0 as id`'),
          model('downstream', "({ ref }) => sql`select id from ${ref('broken')}`"),
        ].join('\n'),
      },
    });
    cleanup.push(project.dispose);
    const built = await warehouse(['build', '--project-dir', project.dir, '--json'], { env: await databaseEnv(kind, cleanup) });
    expect(built.code).toBe(1);
    const result = JSON.parse(built.stdout) as RunResult;
    expect(Object.fromEntries(result.results.map((r) => [r.name, r.status]))).toEqual({ broken: 'error', downstream: 'skipped', good: 'success' });
    expect(result.results.find((r) => r.name === 'broken')!.message).toMatch(/^model broken failed: division by zero \(SQLSTATE 22012\)/);
  });
});
